// The renderer's entry: mounts the Svelte app into #app.
import { mount } from 'svelte';
import App from './App.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('Shoebox: #app is missing from index.html');

export default mount(App, { target });
