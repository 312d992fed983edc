// Small edits to the boxes of a HEIF file (ISO/IEC 23008-12 over ISOBMFF, ISO/IEC 14496-12), for
// test fixtures that heif-enc cannot write: another primary image, and container transformations
// (irot, imir) like a phone's. Only what heif-enc's output needs: a `meta` box before `mdat`,
// `iloc` versions 0–2, `ipma` with 7- or 15-bit property indices.

interface Box {
  type: string;
  /** Offset of the box's first byte in the file. */
  start: number;
  size: number;
  /** Offset of the first byte after the header (and after version/flags for a full box). */
  body: number;
}

const FULL_BOXES = new Set(['meta', 'pitm', 'iloc', 'ipma', 'iinf', 'infe', 'iref', 'hdlr', 'ispe']);

function boxesIn(buf: Buffer, from: number, to: number): Box[] {
  const out: Box[] = [];
  let at = from;
  while (at + 8 <= to) {
    let size = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    let header = 8;
    if (size === 1) {
      size = Number(buf.readBigUInt64BE(at + 8));
      header = 16;
    } else if (size === 0) {
      size = to - at;
    }
    if (size < header || at + size > to) throw new Error(`bad box ${type} at ${at}`);
    out.push({ type, start: at, size, body: at + header + (FULL_BOXES.has(type) ? 4 : 0) });
    at += size;
  }
  return out;
}

function child(buf: Buffer, parent: Box, type: string): Box {
  const end = parent.start + parent.size;
  const found = boxesIn(buf, parent.body, end).find((b) => b.type === type);
  if (!found) throw new Error(`no ${type} box in ${parent.type}`);
  return found;
}

function top(buf: Buffer, type: string): Box {
  const found = boxesIn(buf, 0, buf.length).find((b) => b.type === type);
  if (!found) throw new Error(`no top-level ${type} box`);
  return found;
}

function readN(buf: Buffer, at: number, n: number): number {
  if (n === 0) return 0;
  if (n === 2) return buf.readUInt16BE(at);
  if (n === 4) return buf.readUInt32BE(at);
  if (n === 8) return Number(buf.readBigUInt64BE(at));
  throw new Error(`unsupported field size ${n}`);
}

function writeN(buf: Buffer, at: number, n: number, v: number): void {
  if (n === 2) buf.writeUInt16BE(v, at);
  else if (n === 4) buf.writeUInt32BE(v, at);
  else if (n === 8) buf.writeBigUInt64BE(BigInt(v), at);
  else throw new Error(`unsupported field size ${n}`);
}

/** Adds `delta` to every file offset in `iloc` (construction method 0) at or after `from`. */
function shiftIloc(buf: Buffer, iloc: Box, from: number, delta: number): void {
  const version = buf[iloc.start + 8]!;
  let at = iloc.body;
  const offsetSize = buf[at]! >> 4;
  const lengthSize = buf[at]! & 15;
  const baseSize = buf[at + 1]! >> 4;
  const indexSize = version >= 1 ? buf[at + 1]! & 15 : 0;
  at += 2;
  const count = version < 2 ? buf.readUInt16BE(at) : buf.readUInt32BE(at);
  at += version < 2 ? 2 : 4;
  for (let i = 0; i < count; i++) {
    at += version < 2 ? 2 : 4; // item_ID
    let method = 0;
    if (version >= 1) {
      method = buf.readUInt16BE(at) & 15;
      at += 2;
    }
    at += 2; // data_reference_index
    const baseAt = at;
    const base = readN(buf, at, baseSize);
    at += baseSize;
    const extents = buf.readUInt16BE(at);
    at += 2;
    const shiftBase = method === 0 && baseSize > 0 && base >= from;
    if (shiftBase) writeN(buf, baseAt, baseSize, base + delta);
    for (let e = 0; e < extents; e++) {
      at += indexSize;
      const off = readN(buf, at, offsetSize);
      if (method === 0 && !shiftBase && offsetSize > 0 && base + off >= from) writeN(buf, at, offsetSize, off + delta);
      at += offsetSize + lengthSize;
    }
  }
}

/** Makes `itemId` the primary image (the `pitm` box). */
export function setPrimary(file: Buffer, itemId: number): Buffer {
  const buf = Buffer.from(file);
  const pitm = child(buf, top(buf, 'meta'), 'pitm');
  if (buf[pitm.start + 8] === 0) buf.writeUInt16BE(itemId, pitm.body);
  else buf.writeUInt32BE(itemId, pitm.body);
  return buf;
}

/** The item ids of the top-level images (those `pitm` may name): the `grid` or `hvc1` items that are not hidden or referenced as a tile or thumbnail. */
export function itemTypes(file: Buffer): { id: number; type: string }[] {
  const meta = top(file, 'meta');
  const iinf = child(file, meta, 'iinf');
  const version = file[iinf.start + 8]!;
  const first = iinf.body + (version === 0 ? 2 : 4);
  return boxesIn(file, first, iinf.start + iinf.size)
    .filter((b) => b.type === 'infe')
    .map((b) => {
      const v = file[b.start + 8]!;
      const id = v >= 3 ? file.readUInt32BE(b.body) : file.readUInt16BE(b.body);
      const typeAt = b.body + (v >= 3 ? 4 : 2) + 2;
      return { id, type: file.toString('latin1', typeAt, typeAt + 4) };
    });
}

/** An `irot` property: the image is turned `quarterTurnsCcw` × 90° anticlockwise for display. */
export function irot(quarterTurnsCcw: number): Buffer {
  const b = Buffer.alloc(9);
  b.writeUInt32BE(9, 0);
  b.write('irot', 4, 'latin1');
  b[8] = quarterTurnsCcw & 3;
  return b;
}

/**
 * An `imir` property. `mode` as HEIF's amendment 2 words it (and as iPhones and libheif read it):
 * 0 exchanges top and bottom, 1 exchanges left and right. (The first edition's "axis" wording was
 * read both ways.)
 */
export function imir(mode: 0 | 1): Buffer {
  const b = Buffer.alloc(9);
  b.writeUInt32BE(9, 0);
  b.write('imir', 4, 'latin1');
  b[8] = mode;
  return b;
}

/**
 * Adds a property box to `ipco` and associates it with `itemId` in `ipma`, marked essential (as
 * transformative properties must be), after the item's other properties. The boxes that contain
 * them (ipco, ipma, iprp, meta) grow, and every iloc file offset past the insertion moves with it.
 */
export function addProperty(file: Buffer, itemId: number, property: Buffer): Buffer {
  let buf = Buffer.from(file);
  const meta = top(buf, 'meta');
  const iprp = child(buf, meta, 'iprp');
  const ipco = child(buf, iprp, 'ipco');
  const index = boxesIn(buf, ipco.body, ipco.start + ipco.size).length + 1;
  // 1. The property at the end of ipco; ipco, iprp and meta grow by it.
  const ipcoEnd = ipco.start + ipco.size;
  buf = Buffer.concat([buf.subarray(0, ipcoEnd), property, buf.subarray(ipcoEnd)]);
  for (const b of [ipco, iprp, meta]) buf.writeUInt32BE(b.size + property.length, b.start);
  // 2. The association in ipma (after ipco, so found again); ipma, iprp and meta grow by it.
  const ipma = child(buf, child(buf, top(buf, 'meta'), 'iprp'), 'ipma');
  const version = buf[ipma.start + 8]!;
  const wide = (buf.readUInt32BE(ipma.start + 8) & 1) === 1;
  if (!wide && index > 127) throw new Error('too many properties for 7-bit indices');
  let at = ipma.body;
  const entries = buf.readUInt32BE(at);
  at += 4;
  let insertAt = -1;
  for (let i = 0; i < entries; i++) {
    const id = version < 1 ? buf.readUInt16BE(at) : buf.readUInt32BE(at);
    at += version < 1 ? 2 : 4;
    const n = buf[at]!;
    if (id === itemId) {
      buf[at] = n + 1;
      insertAt = at + 1 + n * (wide ? 2 : 1);
    }
    at += 1 + n * (wide ? 2 : 1);
  }
  if (insertAt < 0) throw new Error(`item ${itemId} has no properties in ipma`);
  const assoc = wide ? Buffer.from([0x80 | (index >> 8), index & 0xff]) : Buffer.from([0x80 | index]);
  buf = Buffer.concat([buf.subarray(0, insertAt), assoc, buf.subarray(insertAt)]);
  // (None of these boxes starts after an insertion point: their starts stand.)
  buf.writeUInt32BE(ipma.size + assoc.length, ipma.start);
  buf.writeUInt32BE(iprp.size + property.length + assoc.length, iprp.start);
  buf.writeUInt32BE(meta.size + property.length + assoc.length, meta.start);
  // 3. The coded data after meta moved by both.
  shiftIloc(buf, child(buf, top(buf, 'meta'), 'iloc'), ipcoEnd, property.length + assoc.length);
  return buf;
}

/** The primary item's id. */
export function primaryId(file: Buffer): number {
  const pitm = child(file, top(file, 'meta'), 'pitm');
  return file[pitm.start + 8] === 0 ? file.readUInt16BE(pitm.body) : file.readUInt32BE(pitm.body);
}
