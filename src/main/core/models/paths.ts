// Where a model's files live in a models folder (the hub's layout), and the check that a repo-relative path cannot leave it.
import path from 'node:path';
import { ModelError } from './errors.ts';

/** Checks a forward-slash relative path (a model file, a repo name) cannot leave its folder. */
export function checkRelativePath(rel: string, what: string): void {
  const bad =
    !rel || rel.includes('\\') || rel.includes('\0') || rel.startsWith('/') || /^[a-zA-Z]:/.test(rel) ||
    rel.split('/').some((s) => s === '' || s === '.' || s === '..');
  if (bad) throw new ModelError('invalid', `${what} ${JSON.stringify(rel)} is not a plain relative path with forward slashes`);
}

/** Where a model file lives inside a model folder. */
export function modelFilePath(folder: string, rel: string): string {
  checkRelativePath(rel, 'model file');
  return path.join(folder, ...rel.split('/'));
}
