// CLI: `shoebox text <photo>`: the text read in a photo (OCR), line by line with confidences and boxes.
import { UsageError, withReader, type Context } from './context.ts';
import { notInLibrary, photoRef } from './selection.ts';
import { readSetting } from '../core/settings.ts';

export function textCommand(ctx: Context, args: string[], json: boolean): number {
  if (args.length !== 1) throw new UsageError('text takes one photo (its path or id): shoebox text <photo> [--json]');
  const arg = args[0]!;
  const found = withReader(ctx, (r) => {
    const id = photoRef(r, arg);
    if (id === undefined) return { missing: true as const };
    const photo = r.catalog.photo(id)!;
    const read = r.text.get(id);
    const on = readSetting((k) => r.catalog.setting(k), 'ocr') === 'on';
    return { missing: false as const, photo, read, on };
  });
  if (!found) throw new Error(`no library at ${ctx.dataDir}: add a folder and index it first`);
  if (found.missing) {
    ctx.io.err.write(`shoebox: ${notInLibrary(arg)}\n`);
    return 1;
  }
  const { photo, read, on } = found;
  if (json) {
    const out = { path: photo.path, model: read?.model ?? null, readAt: read ? new Date(read.readAt).toISOString() : null, width: photo.width, height: photo.height, lines: read?.lines ?? null };
    ctx.io.out.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  ctx.io.out.write(`${photo.path}\n`);
  if (!read) {
    ctx.io.out.write(on ? '  not read yet: run `shoebox index`\n' : '  not read: reading text in photos is off (`shoebox settings set ocr on`)\n');
    return 0;
  }
  ctx.io.out.write(`  read with ${read.model} on ${new Date(read.readAt).toISOString().slice(0, 10)}\n`);
  if (read.lines.length === 0) ctx.io.out.write('  no text found\n');
  for (const l of read.lines) ctx.io.out.write(`  ${l.confidence.toFixed(2)}  ${l.text}\n`);
  return 0;
}
