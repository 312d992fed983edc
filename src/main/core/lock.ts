// One engine per data folder: a lock file holding the owner's pid, taken over when that pid is dead.
import fs from 'node:fs';
import path from 'node:path';

export class LibraryLockedError extends Error {
  constructor(
    readonly lockFile: string,
    readonly pid: number,
  ) {
    super(`another Shoebox (pid ${pid}) is using this library (${path.dirname(lockFile)}); close it first or stop its indexing`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface Lock {
  release(): void;
}

export function acquireLock(file: string): Lock {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          try {
            if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.unlinkSync(file);
          } catch {
            // already gone
          }
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let owner = NaN;
      try {
        owner = Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
      } catch {
        continue; // removed between our open and read: try again
      }
      if (Number.isFinite(owner) && alive(owner)) throw new LibraryLockedError(file, owner);
      // A stale lock from a crashed or killed engine: take it over.
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`could not take the library lock ${file}`);
}
