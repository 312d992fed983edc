// The window's side of the map's two workers: the dots' (requests as promises, each reply naming its
// request; the positions handed over by transfer) and the outlines' (the canvas handed over once, then a
// frame per camera; told what was drawn).
import type { ArgOf } from '../../../shared/schema.ts';
import type { MapDot } from './map-clusters.ts';
import type { OutlineFrame } from './map-outlines.ts';
import type { MapReply, MapRequest, OutlineReply, OutlineRequest, TransferredCanvas } from './map-protocol.ts';
import type { BBox } from './map-view.ts';

/** Which photos the map's dots are: a grid view (its filters), or given photos (a search's results). */
export type MapSource = { kind: 'view'; view: ArgOf<'mapPoints'> } | { kind: 'ids'; ids: number[] };

/**
 * What the clients need of a worker: sending (with objects to transfer), hearing its replies and failures,
 * ending it. worker-port.ts makes one of a Worker; the tests make one that runs a worker's code in their thread.
 */
export interface WorkerPort<Q, R> {
  post(message: Q, transfer: readonly object[]): void;
  listen(onReply: (reply: R) => void, onError: (message: string) => void): void;
  terminate(): void;
}

type Pending = { resolve: (r: MapReply) => void; reject: (e: Error) => void };

export class MapWorker {
  private seq = 0;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly worker: WorkerPort<MapRequest, MapReply>) {
    worker.listen(
      (r) => this.reply(r),
      (message) => this.fail(new Error(message)),
    );
  }

  private reply(r: MapReply): void {
    const p = this.pending.get(r.seq);
    if (!p) return;
    this.pending.delete(r.seq);
    if (r.type === 'error') p.reject(new Error(r.message));
    else p.resolve(r);
  }

  private fail(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  private ask<T extends MapReply['type']>(message: MapRequest, transfer: readonly object[] = []): Promise<Extract<MapReply, { type: T }>> {
    return new Promise((resolve, reject) => {
      this.pending.set(message.seq, { resolve: resolve as (r: MapReply) => void, reject });
      this.worker.post(message, transfer);
    });
  }

  /** Clusters new positions; resolves with the load's number (dots and photos name it), the count and the bounding box. */
  async load(points: Float64Array): Promise<{ load: number; count: number; bbox: BBox | null; ms: number }> {
    const seq = ++this.seq;
    const r = await this.ask<'loaded'>({ type: 'load', seq, points }, [points.buffer]);
    return { load: seq, count: r.count, bbox: r.bbox, ms: r.ms };
  }

  /** The dots in a bounding box at a whole zoom, of a load (none when a later load replaced it). */
  async dots(load: number, bbox: BBox, zoom: number): Promise<MapDot[]> {
    return (await this.ask<'dots'>({ type: 'dots', seq: ++this.seq, load, bbox, zoom })).dots;
  }

  /** The photo ids of a dot (none when a later load replaced the one it was of). */
  async photos(load: number, key: string): Promise<number[]> {
    return (await this.ask<'photos'>({ type: 'photos', seq: ++this.seq, load, key })).ids;
  }

  terminate(): void {
    this.fail(new Error('the map was closed'));
    this.worker.terminate();
  }
}

/** The outlines' worker: draws on the canvas it is handed, a frame per camera; `ondrawn` hears what it drew and how long it took. */
export class OutlineWorker {
  constructor(
    private readonly worker: WorkerPort<OutlineRequest, OutlineReply>,
    ondrawn: (detail: 'coarse' | 'fine', ms: number) => void,
    onerror: (message: string) => void,
  ) {
    worker.listen((r) => (r.type === 'drawn' ? ondrawn(r.detail, r.ms) : onerror(r.message)), onerror);
  }

  /** Hands the canvas over (from canvas.transferControlToOffscreen()). */
  attach(canvas: TransferredCanvas): void {
    this.worker.post({ type: 'canvas', canvas }, [canvas]);
  }

  frame(frame: OutlineFrame): void {
    this.worker.post({ type: 'frame', frame }, []);
  }

  terminate(): void {
    this.worker.terminate();
  }
}
