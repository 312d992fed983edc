// Types for electron-vite's build-time imports (`?modulePath` bundles a worker as its own entry).
/// <reference types="electron-vite/node" />
