// Hashing a file's content, in one place for the engine: photo fingerprints (media/fingerprint.ts)
// and model files (models/download.ts, models/store.ts) both read files through these.
import { createHash, type Hash } from 'node:crypto';
import fsp from 'node:fs/promises';

const CHUNK = 1 << 20;

/**
 * Feeds a file's whole content into `hash`, read in 1 MiB chunks through one buffer (bounded
 * memory); `onBytes` is told each chunk's length. Returns the number of bytes read. The hash is
 * not digested, so a caller can go on feeding it (a resumed download).
 */
export async function hashFileInto(file: string, hash: Hash, onBytes?: (n: number) => void): Promise<number> {
  const handle = await fsp.open(file, 'r');
  let n = 0;
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
      n += bytesRead;
      onBytes?.(bytesRead);
    }
  } finally {
    await handle.close();
  }
  return n;
}

/** Lower-case hex SHA-256 of a file's whole content; `onBytes` is told each chunk's length. */
export async function sha256File(file: string, onBytes?: (n: number) => void): Promise<string> {
  const hash = createHash('sha256');
  await hashFileInto(file, hash, onBytes);
  return hash.digest('hex');
}
