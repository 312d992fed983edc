// The preload: puts the typed Shoebox API on window.shoebox and nothing else (runs sandboxed, bundled as CommonJS).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CHANNELS, type ShoeboxApi } from '../shared/api.ts';
import type { StageProgress } from '../shared/types.ts';

const api: ShoeboxApi = {
  status: () => ipcRenderer.invoke(CHANNELS.status),
  list: (opts) => ipcRenderer.invoke(CHANNELS.list, opts),
  onProgress(cb) {
    // The IPC event never reaches the page: it carries the sender and ports.
    const listener = (_e: IpcRendererEvent, progress: StageProgress[]): void => cb(progress);
    ipcRenderer.on(CHANNELS.progress, listener);
    return () => {
      ipcRenderer.removeListener(CHANNELS.progress, listener);
    };
  },
};

contextBridge.exposeInMainWorld('shoebox', api);
