// A Web Worker as the map's clients talk to it (WorkerPort, map-client.ts). Apart from map-client.ts so
// that file needs no DOM types: the tests import it under Node, where a Worker is worker_threads'.
import type { WorkerPort } from './map-client.ts';

export function workerPort<Q, R>(worker: Worker): WorkerPort<Q, R> {
  return {
    post: (message, transfer) => worker.postMessage(message, transfer as Transferable[]),
    listen(onReply, onError) {
      worker.onmessage = (e: MessageEvent<R>) => onReply(e.data);
      worker.onerror = (e) => onError(e.message || 'the worker failed');
    },
    terminate: () => worker.terminate(),
  };
}
