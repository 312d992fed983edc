// The preload: puts the contract's bridge (invoke a method, listen to an event) on window.shoebox and
// nothing else; only the contract's method and event names pass (runs sandboxed, bundled as CommonJS).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENT_NAMES, METHOD_NAMES, ipcChannel, type ApiEvents, type EventName, type MethodName } from '../shared/contract.ts';
import { BRIDGE_GLOBAL, type ApiResult, type ShoeboxBridge } from '../shared/bridge.ts';

const methods: ReadonlySet<string> = new Set<string>(METHOD_NAMES);
const events: ReadonlySet<string> = new Set<string>(EVENT_NAMES);

const bridge: ShoeboxBridge = {
  invoke(method: MethodName, ...args: unknown[]): Promise<ApiResult<never>> {
    if (typeof method !== 'string' || !methods.has(method)) {
      return Promise.resolve({ ok: false, error: { code: 'invalid-argument', message: `unknown method ${JSON.stringify(method)}` } });
    }
    // One argument at most; the main process checks it.
    return ipcRenderer.invoke(ipcChannel(method), ...args.slice(0, 1)) as Promise<ApiResult<never>>;
  },
  on<E extends EventName>(event: E, cb: (payload: ApiEvents[E]) => void): () => void {
    if (typeof event !== 'string' || !events.has(event)) throw new Error(`shoebox: unknown event ${JSON.stringify(event)}; events: ${EVENT_NAMES.join(', ')}`);
    if (typeof cb !== 'function') throw new Error(`shoebox: on(${JSON.stringify(event)}) needs a callback`);
    // The IPC event never reaches the page: it carries the sender and ports.
    const listener = (_e: IpcRendererEvent, payload: ApiEvents[E]): void => cb(payload);
    const channel = ipcChannel(event);
    ipcRenderer.on(channel, listener);
    return () => {
      ipcRenderer.removeListener(channel, listener);
    };
  },
};

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, bridge);
