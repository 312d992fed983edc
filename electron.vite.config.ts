// Build settings for the three Electron bundles: main (ESM), preload (CommonJS, for sandboxed windows) and the Svelte renderer.
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import type { Plugin } from 'vite';
import { CONTENT_SECURITY_POLICY } from './src/main/app/window-options.ts';

const root = import.meta.dirname;

/**
 * Puts the app's CSP into index.html as a <meta> tag too: webRequest headers (set in the main
 * process) cover the dev server, the meta tag covers file:// pages, where there are no headers.
 * One policy string, from window-options.ts, serves both.
 */
function cspMeta(): Plugin {
  return {
    name: 'shoebox:csp-meta',
    transformIndexHtml: () => [
      { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY }, injectTo: 'head-prepend' },
    ],
  };
}

export default defineConfig({
  main: {
    // package.json "dependencies" (better-sqlite3, sharp, onnxruntime-node, …) stay external:
    // electron-vite's externalizeDeps is on by default; said here so it is not switched off by accident.
    build: {
      externalizeDeps: true,
      rolldownOptions: {
        input: { index: resolve(root, 'src/main/app/index.ts') },
        output: { format: 'es', entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    // Sandboxed preloads run as CommonJS with a require() that knows only electron and a few
    // Node built-ins, so the preload is one self-contained .cjs file.
    build: {
      externalizeDeps: true,
      rolldownOptions: {
        input: { index: resolve(root, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src/renderer'),
    build: {
      rolldownOptions: {
        input: { index: resolve(root, 'src/renderer/index.html') },
      },
    },
    plugins: [svelte(), cspMeta()],
  },
});
