// The contract over Electron IPC: one ipcMain.handle per method (argument checked where it enters,
// answered as { ok, value } | { ok: false, error } so error codes survive), events sent to the window.
import type { IpcMainInvokeEvent } from 'electron';
import { EVENT_NAMES, METHOD_NAMES, ipcChannel, type ApiEventSource, type ApiHandlers } from '../../shared/contract.ts';
import type { ApiResult } from '../../shared/bridge.ts';
import { callApi } from '../core/handlers/errors.ts';

/** The part of Electron's ipcMain the binding uses (a fake stands in for it in tests). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

/** The part of a BrowserWindow events are sent through. */
export interface WindowLike {
  isDestroyed?(): boolean;
  webContents: { isDestroyed(): boolean; send(channel: string, ...args: unknown[]): void };
}

export interface BindOptions {
  /** Whether a call may come from this sender (the app's own page only); others are refused. */
  allowSender?(event: IpcMainInvokeEvent): boolean;
}

/** Binds every method and event of the contract; returns the function that unbinds them all. */
export function bindIpc(
  ipcMain: IpcMainLike,
  handlers: ApiHandlers,
  events: ApiEventSource,
  getWindow: () => WindowLike | null | undefined,
  opts: BindOptions = {},
): () => void {
  for (const method of METHOD_NAMES) {
    ipcMain.handle(ipcChannel(method), async (event, ...args): Promise<ApiResult<unknown>> => {
      if (opts.allowSender && !opts.allowSender(event)) {
        return { ok: false, error: { code: 'failed', message: `${method}: IPC from an unknown sender was refused` } };
      }
      if (args.length > 1) {
        return { ok: false, error: { code: 'invalid-argument', message: `${method} takes one argument, got ${args.length}` } };
      }
      return callApi(handlers, method, args[0]);
    });
  }
  const offs = EVENT_NAMES.map((name) =>
    events.on(name, (payload) => {
      const win = getWindow();
      if (!win || win.isDestroyed?.()) return;
      const contents = win.webContents;
      if (!contents.isDestroyed()) contents.send(ipcChannel(name), payload);
    }),
  );
  let bound = true;
  return () => {
    if (!bound) return;
    bound = false;
    for (const off of offs) off();
    for (const method of METHOD_NAMES) ipcMain.removeHandler(ipcChannel(method));
  };
}
