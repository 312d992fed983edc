// Ambient types for the renderer: Svelte and Vite's client types. The window reaches the engine only through lib/client.ts.
/// <reference types="svelte" />
/// <reference types="vite/client" />
