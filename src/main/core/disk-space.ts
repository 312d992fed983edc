// The probe a pipeline stopped by a full disk runs until there is space again ([Note: full disk] in faults.ts).
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from './catalog/db.ts';
import { diskFullInjected, enospc, isDiskFull } from './faults.ts';

/**
 * Whether the disk holding the data has space again: a small file written and flushed in the data folder
 * (`root`), and the catalog grown by a blob in a transaction that is rolled back. False only on a full disk.
 */
export async function probeSpace(root: string, db: Db): Promise<boolean> {
  const file = path.join(root, `space-probe.${process.pid}.tmp`);
  try {
    if (diskFullInjected()) throw enospc('write', file);
    const fh = await fs.promises.open(file, 'w');
    try {
      await fh.write(Buffer.alloc(256 * 1024));
      await fh.sync();
    } finally {
      await fh.close();
    }
    const rollback = new Error('rolled back');
    try {
      db.transaction(() => {
        db.prepare(`INSERT OR REPLACE INTO settings (key, value) VALUES ('space_probe', zeroblob(262144))`).run();
        throw rollback;
      })();
    } catch (e) {
      if (e !== rollback) throw e;
    }
    return true;
  } catch (e) {
    return !isDiskFull(e);
  } finally {
    await fs.promises.rm(file, { force: true });
  }
}
