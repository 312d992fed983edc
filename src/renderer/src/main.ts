// The renderer's entry: makes the client for this door (IPC in the app, HTTP in a browser) and mounts the window.
import { mount } from 'svelte';
import App from './App.svelte';
import { createClient } from './lib/client.ts';

const target = document.getElementById('app');
if (!target) throw new Error('Shoebox: #app is missing from index.html');

export default mount(App, { target, props: { client: createClient() } });
