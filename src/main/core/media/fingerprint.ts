// A photo's content fingerprint: SHA-256 of its bytes. It decides moves and keys the caches.
import { sha256File } from '../hash.ts';

/** Hex SHA-256 of a file's whole content, read in 1 MiB chunks (bounded memory). */
export async function fingerprintFile(file: string): Promise<string> {
  return sha256File(file);
}
