// A trash that is a plain folder (SHOEBOX_TRASH_DIR): for tests, and for people who want their put-away
// photos in one place they choose. Each file lies under a free name beside a small JSON record
// (<name>.shoebox-trash.json: original, size, fingerprint, trashedAt).
import fs from 'node:fs';
import path from 'node:path';
import { safeMove, DestinationTakenError } from './move.ts';
import { describeForPut, firstSame, isSameFile, restoreFound, TrashError, type Found, type PutExpectation, type Trash, type TrashedFile } from './item.ts';

export const RECORD_SUFFIX = '.shoebox-trash.json';

interface FolderRecord {
  original: string;
  size: number;
  fingerprint: string;
  trashedAt: number;
}

export class FolderTrash implements Trash {
  readonly kind = 'folder' as const;
  readonly dir: string;

  constructor(dir: string) {
    this.dir = path.resolve(dir);
  }

  /**
   * The record is made first, exclusively (it reserves the name), written and fsynced; then the file
   * moves ([Note: safe move]). A kill between leaves the file where it was and a record without a
   * file, which locate passes over.
   */
  async put(file: string, expect?: PutExpectation): Promise<TrashedFile> {
    const abs = path.resolve(file);
    const { size, fingerprint } = await describeForPut(abs, expect);
    try {
      await fs.promises.mkdir(this.dir, { recursive: true });
    } catch (e) {
      throw new TrashError('trash-unusable', `Cannot make the trash folder ${this.dir}: ${(e as Error).message}`, this.dir);
    }
    const trashedAt = Date.now();
    const record: FolderRecord = { original: abs, size, fingerprint, trashedAt };
    const ext = path.extname(abs);
    const stem = path.basename(abs, ext);
    for (let n = 1; n < 10_000; n++) {
      const name = n === 1 ? `${stem}${ext}` : `${stem} (${n})${ext}`;
      const dest = path.join(this.dir, name);
      const recordFile = dest + RECORD_SUFFIX;
      let h: fs.promises.FileHandle;
      try {
        h = await fs.promises.open(recordFile, 'wx', 0o600);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw new TrashError('trash-unusable', `Cannot write in the trash folder ${this.dir}: ${(e as Error).message}`, this.dir);
      }
      try {
        await h.writeFile(`${JSON.stringify(record, null, 2)}\n`);
        await h.sync();
      } finally {
        await h.close();
      }
      try {
        await safeMove(abs, dest, { fingerprint });
        return { ...record, location: dest };
      } catch (e) {
        await fs.promises.rm(recordFile, { force: true });
        if (e instanceof DestinationTakenError) continue;
        throw e;
      }
    }
    throw new TrashError('trash-unusable', `Cannot find a free name for ${abs} in ${this.dir}.`, this.dir);
  }

  async locate(item: TrashedFile): Promise<string | null> {
    return (await this.find(item))?.file ?? null;
  }

  restore(item: TrashedFile): Promise<void> {
    return restoreFound(item, () => this.find(item));
  }

  /** The item's own location when it still holds the file, else any file of the folder whose record names the same original and whose content is the same. */
  private async find(item: TrashedFile): Promise<Found | null> {
    if (item.location && path.dirname(item.location) === this.dir && (await isSameFile(item.location, item))) {
      return { file: item.location, record: item.location + RECORD_SUFFIX };
    }
    let names: string[];
    try {
      names = await fs.promises.readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    const files: string[] = [];
    for (const name of names) {
      if (!name.endsWith(RECORD_SUFFIX)) continue;
      try {
        const r = JSON.parse(await fs.promises.readFile(path.join(this.dir, name), 'utf8')) as Partial<FolderRecord>;
        if (r.original === item.original) files.push(path.join(this.dir, name.slice(0, -RECORD_SUFFIX.length)));
      } catch {
        // not one of ours, or cut short
      }
    }
    const file = await firstSame(files, item);
    return file ? { file, record: file + RECORD_SUFFIX } : null;
  }
}
