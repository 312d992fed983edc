// Request paths of `shoebox serve`, checked on the raw target segment by segment, and static files
// resolved under the renderer folder ([Note: serve security]).
import fs from 'node:fs';
import path from 'node:path';

/**
 * The decoded segments of a raw request path ('/a/b%20c' → ['a', 'b c']; '/' → ['']), or null when
 * a segment is malformed or could mean anything but a plain name: `.`, `..`, `/`, `\`, `:` or NUL
 * once decoded, or an empty segment before the last.
 */
export function pathSegments(rawPath: string): string[] | null {
  if (!rawPath.startsWith('/')) return null;
  const raw = rawPath.slice(1).split('/');
  const out: string[] = [];
  for (const [i, seg] of raw.entries()) {
    let s: string;
    try {
      s = decodeURIComponent(seg);
    } catch {
      return null;
    }
    if (s === '' && i < raw.length - 1) return null;
    if (s === '.' || s === '..' || /[/\\:\0]/.test(s)) return null;
    out.push(s);
  }
  return out;
}

/** A file under `rootReal` for decoded segments, or null: never outside it, symlinks resolved; no hidden names. */
export function resolveStatic(rootReal: string, segments: readonly string[]): string | null {
  if (segments.some((s) => s === '' || s.startsWith('.'))) return null;
  const candidate = path.join(rootReal, ...segments);
  if (!candidate.startsWith(rootReal + path.sep)) return null;
  let real: string;
  try {
    real = fs.realpathSync(candidate);
  } catch {
    return null;
  }
  if (!real.startsWith(rootReal + path.sep)) return null;
  try {
    return fs.statSync(real).isFile() ? real : null;
  } catch {
    return null;
  }
}
