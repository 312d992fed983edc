// The window's side of the map's worker: requests as promises (the worker answers in order, each reply
// naming its request), the positions handed over by transfer, the outlines as they come.
import type { ArgOf } from '../../../shared/schema.ts';
import type { MapDot } from './map-clusters.ts';
import type { OutlinePaths } from './map-outlines.ts';
import type { MapReply, MapRequest } from './map-protocol.ts';
import type { BBox } from './map-view.ts';

/** Which photos the map's dots are: a grid view (its filters), or given photos (a search's results). */
export type MapSource = { kind: 'view'; view: ArgOf<'mapPoints'> } | { kind: 'ids'; ids: number[] };

/** What map-client needs of a Worker (so tests can hand it one that runs in the same thread). */
export interface WorkerLike {
  postMessage(message: MapRequest, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<MapReply>) => void) | null;
  onerror: ((e: ErrorEvent) => void) | null;
  terminate(): void;
}

type Pending = { resolve: (r: MapReply) => void; reject: (e: Error) => void };

export class MapWorker {
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private outlinesCb: ((detail: 'coarse' | 'fine', paths: OutlinePaths) => void) | null = null;

  constructor(private readonly worker: WorkerLike) {
    worker.onmessage = (e) => this.reply(e.data);
    worker.onerror = (e) => this.fail(new Error(e.message || 'the map’s worker failed'));
  }

  private reply(r: MapReply): void {
    if (r.type === 'outlines') {
      this.outlinesCb?.(r.detail, r.paths);
      return;
    }
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

  private ask<T extends MapReply['type']>(message: MapRequest, transfer: Transferable[] = []): Promise<Extract<MapReply, { type: T }>> {
    return new Promise((resolve, reject) => {
      this.pending.set(message.seq, { resolve: resolve as (r: MapReply) => void, reject });
      this.worker.postMessage(message, transfer);
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

  /** The photo ids of a dot, and the zoom its cluster splits at (null for a photo). */
  async photos(load: number, key: string): Promise<{ ids: number[]; zoom: number | null }> {
    const r = await this.ask<'photos'>({ type: 'photos', seq: ++this.seq, load, key });
    return { ids: r.ids, zoom: r.zoom };
  }

  /** Asks for the outlines; `cb` gets the coarse ones, then the fine ones. */
  outlines(cb: (detail: 'coarse' | 'fine', paths: OutlinePaths) => void): void {
    this.outlinesCb = cb;
    this.worker.postMessage({ type: 'outlines', seq: ++this.seq });
  }

  terminate(): void {
    this.fail(new Error('the map was closed'));
    this.worker.terminate();
  }
}
