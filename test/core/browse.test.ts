// The grid's pages: newest first, photos without a date last, read through the photos_grid index
// (a page deep in a large library must not sort the whole library).
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/main/core/catalog/db.ts';
import { pageIdsSql, PhotoBrowser } from '../../src/main/core/catalog/browse.ts';


describe('PhotoBrowser pages', () => {
  it('reads pages through the photos_grid index, in the grid order, the missing left out', () => {
    const db = openDatabase(':memory:');
    db.prepare("INSERT INTO folders(id, path, added_at) VALUES (1, '/p', 0)").run();
    const insert = db.prepare(
      'INSERT INTO photos(folder_id, path, filename, size, mtime_ms, taken_at, missing_since, added_at, updated_at) VALUES (1, ?, ?, 1, ?, ?, ?, 0, 0)',
    );
    const rows: { id: number; taken: string | null; mtime: number; missing: boolean }[] = [];
    for (let i = 0; i < 300; i++) {
      const taken = i % 7 === 0 ? null : `20${String(10 + (i % 13)).padStart(2, '0')}-0${1 + (i % 9)}-1${i % 10}T12:00:00`;
      const mtime = (i * 7919) % 1000;
      const missing = i % 29 === 0;
      const id = Number(insert.run(`/p/${i}.jpg`, `${i}.jpg`, mtime, taken, missing ? 1 : null).lastInsertRowid);
      rows.push({ id, taken, mtime, missing });
    }
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${pageIdsSql('p.missing_since IS NULL')}`).all(200, 100) as { detail: string }[];
    expect(plan.map((r) => r.detail).join('\n')).toMatch(/USING (COVERING )?INDEX photos_grid/);
    expect(plan.map((r) => r.detail).join('\n')).not.toMatch(/TEMP B-TREE/);

    const expected = rows
      .filter((r) => !r.missing)
      .sort((a, b) => {
        if ((a.taken === null) !== (b.taken === null)) return a.taken === null ? 1 : -1;
        if (a.taken !== b.taken) return a.taken! < b.taken! ? 1 : -1;
        if (a.mtime !== b.mtime) return b.mtime - a.mtime;
        return a.id - b.id;
      })
      .map((r) => r.id);
    const browser = new PhotoBrowser(db);
    const got: number[] = [];
    for (let offset = 0; offset < expected.length; offset += 50) {
      const page = browser.page({ offset, limit: 50 });
      expect(page.total).toBe(expected.length);
      got.push(...page.photos.map((p) => p.id));
    }
    expect(got).toEqual(expected);
  });
});
