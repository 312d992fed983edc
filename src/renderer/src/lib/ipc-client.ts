// The window's client inside the app: the contract over IPC through the preload's window.shoebox
// (ShoeboxBridge); images come from the app's shoebox-media: protocol, never across IPC.
import { MEDIA_SCHEME, type ImageKind, type ShoeboxClient } from '../../../shared/contract.ts';
import type { ShoeboxBridge } from '../../../shared/bridge.ts';
import { ClientError } from './client-error.ts';
import { errorMessage } from '../../../shared/error-message.ts';

export { MEDIA_SCHEME };

export function createIpcClient(bridge: ShoeboxBridge): ShoeboxClient {
  return {
    host: 'app',
    async call(method, ...args) {
      let result;
      try {
        result = await bridge.invoke(method, ...args);
      } catch (e) {
        // The bridge answers engine errors as values; a rejection is IPC itself failing.
        throw new ClientError('failed', `${method}: ${errorMessage(e)}`);
      }
      if (result.ok) return result.value;
      throw new ClientError(result.error.code, result.error.message);
    },
    on(event, cb) {
      return bridge.on(event, cb);
    },
    imageUrl(id: number, kind: ImageKind): string {
      return `${MEDIA_SCHEME}://${kind}/${id}`;
    },
  };
}
