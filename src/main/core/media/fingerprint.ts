// A photo's content fingerprint: SHA-256 of its bytes. It decides moves and keys the caches.
import crypto from 'node:crypto';
import fs from 'node:fs';

/** Hex SHA-256 of a file's whole content, read in 1 MiB chunks (bounded memory). */
export async function fingerprintFile(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  const handle = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}
