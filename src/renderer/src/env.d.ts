// Ambient types for the renderer: Vite's client types and the API the preload puts on window.shoebox.
/// <reference types="svelte" />
/// <reference types="vite/client" />
import type { ShoeboxApi } from '../../shared/api.ts';

declare global {
  interface Window {
    shoebox: ShoeboxApi;
  }
}

export {};
