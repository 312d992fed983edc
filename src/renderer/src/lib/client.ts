// The window's one way to the engine: createClient() picks the door — IPC when the app's preload put
// window.shoebox there, else HTTP to `shoebox serve` — and nothing else in the renderer knows which.
import type { ShoeboxClient } from '../../../shared/contract.ts';
import { BRIDGE_GLOBAL, type ShoeboxBridge } from '../../../shared/bridge.ts';
import { createHttpClient } from './http-client.ts';
import { createIpcClient } from './ipc-client.ts';

export { ClientError } from './client-error.ts';

export function createClient(): ShoeboxClient {
  const bridge = (globalThis as unknown as Record<string, ShoeboxBridge | undefined>)[BRIDGE_GLOBAL];
  return bridge ? createIpcClient(bridge) : createHttpClient();
}
