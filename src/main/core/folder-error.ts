// Why a folder cannot be added: typed, so each front door says it in its own terms (the API's error codes, the CLI's exit status).
import fs from 'node:fs';
import { errorMessage } from '../../shared/error-message.ts';

export type FolderErrorCode = 'not-found' | 'not-a-directory' | 'unreadable';

export class FolderError extends Error {
  constructor(
    readonly code: FolderErrorCode,
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'FolderError';
  }
}

/** Resolves when `abs` is a folder; throws FolderError saying why not. */
export async function checkFolder(abs: string): Promise<void> {
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new FolderError('not-found', abs, `no such folder: ${abs}`);
    throw new FolderError('unreadable', abs, `cannot read ${abs}: ${errorMessage(e)}`);
  }
  if (!st.isDirectory()) throw new FolderError('not-a-directory', abs, `not a folder: ${abs}`);
}
