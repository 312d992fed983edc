// The catalog's check before any write, run beside the first search (`checkInBackground`, the app's
// and serve's open): reads answer at once, nothing is written until the check has passed, and a
// damaged catalog is found, reported and never written to ([Note: catalog damage]).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { Library } from '../../src/main/core/library.ts';
import { CatalogDamagedError } from '../../src/main/core/catalog/integrity.ts';
import { openCatalogFile } from '../../src/main/core/catalog/db.ts';
import { createApi } from '../../src/main/core/handlers/methods.ts';
import { dataPaths } from '../../src/main/core/paths.ts';
import { makeJpeg, tempDir } from '../helpers/photos.ts';

let root = '';
let pristine = '';
let photos = '';

const sha = (f: string) => (fs.existsSync(f) ? crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex') : null);
const catalogFiles = (data: string) => Object.fromEntries(['', '-wal', '-shm'].map((s) => [s, sha(dataPaths(data).catalog + s)]));

beforeAll(async () => {
  root = tempDir();
  photos = path.join(root, 'Photos');
  for (const [i, name] of ['a.jpg', 'b.jpg', 'c.jpg'].entries()) await makeJpeg(path.join(photos, name), { seed: i + 1, width: 96, height: 72 });
  pristine = path.join(root, 'pristine');
  const lib = Library.open({ dataDir: pristine });
  await lib.addFolder(photos);
  await lib.scan();
  const first = lib.list()[0]!;
  lib.editPhotos([first.id], { caption: 'Grandma at the lake' });
  await lib.close();
}, 60_000);

function copyLibrary(name: string): string {
  const data = path.join(root, name);
  fs.cpSync(pristine, data, { recursive: true });
  return data;
}

describe('the check before any write, off the main thread', () => {
  it('reads answer at once; writes wait for the check, then go through', async () => {
    const data = copyLibrary('whole');
    const before = catalogFiles(data);
    const lib = Library.open({ dataDir: data, checkInBackground: true });
    try {
      expect(lib.checkedOnOpen).toBe(false);
      // Reads need no check.
      expect(lib.list()).toHaveLength(3);
      const api = createApi(lib);
      expect((await api.handlers.listPhotos({})).total).toBe(3);
      // A sync writer called before the check passed says so, and writes nothing.
      const id = lib.list()[0]!.id;
      expect(() => lib.editPhotos([id], { caption: 'too early' })).toThrow(/still being checked/);
      expect(catalogFiles(data)['']).toBe(before['']);
      // A write through the front door waits for the check instead, which waits for the first search
      // (or warmUp, or 5 s): not begun yet.
      const edit = api.handlers.editPhotos({ ids: [id], caption: 'After the check' });
      await new Promise((r) => setTimeout(r, 300));
      expect(lib.checkedOnOpen).toBe(false);
      lib.checkNow();
      await lib.writable;
      expect(lib.checkedOnOpen).toBe(true);
      expect((await edit).photos).toBe(1);
      expect(lib.photo(id)?.captions.find((c) => c.source === 'user')?.text).toBe('After the check');
      api.close();
    } finally {
      await lib.close();
    }
  });

  it('a page in the middle overwritten: found beside the first reads, reported, never written to', async () => {
    const data = copyLibrary('middle');
    const file = dataPaths(data).catalog;
    const db = new Database(file, { readonly: true });
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const used = db.prepare("SELECT pageno FROM dbstat WHERE name = 'tasks' ORDER BY pageno DESC LIMIT 1").pluck().get() as number;
    db.close();
    for (const suffix of ['-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, crypto.randomBytes(pageSize), 0, pageSize, (used - 1) * pageSize);
    fs.closeSync(fd);
    const before = catalogFiles(data);

    const lib = Library.open({ dataDir: data, checkInBackground: true });
    const told: CatalogDamagedError[] = [];
    lib.onDamage((e) => told.push(e));
    try {
      const api = createApi(lib);
      const id = lib.list()[0]!.id;
      const edit = api.handlers.setCaption({ id, text: 'lost?' }).then(
        () => null,
        (e: unknown) => e,
      );
      lib.checkNow();
      const failure = await lib.writable.then(
        () => null,
        (e: unknown) => e,
      );
      expect(failure).toBeInstanceOf(CatalogDamagedError);
      expect((failure as Error).message).toMatch(/is damaged: the integrity check failed: .*\. Nothing was written to it\./);
      expect(told).toEqual([failure]);
      expect(lib.damage).toBe(failure);
      expect(await edit).toBe(failure);
      await expect(lib.scan()).rejects.toBeInstanceOf(CatalogDamagedError);
      expect(() => lib.setSetting('xmp', 'on')).toThrow(/is damaged/);
      // Reading still answers.
      expect(lib.list().length).toBeGreaterThan(0);
      api.close();
    } finally {
      await lib.close();
    }
    expect(catalogFiles(data)['']).toBe(before['']);
    // The CLI's open (the check inside open) says the same.
    expect(() => Library.open({ dataDir: data })).toThrow(CatalogDamagedError);
  });

  it('a new catalog, or one that needs a migration, is checked inside the open', () => {
    const opened = openCatalogFile(path.join(root, 'new', 'catalog.sqlite'), { deferCheck: true });
    try {
      expect(opened.checkPending).toBe(false);
      expect(opened.db.pragma('query_only', { simple: true })).toBe(0);
    } finally {
      opened.db.close();
    }
    const data = copyLibrary('current');
    const current = openCatalogFile(dataPaths(data).catalog, { deferCheck: true });
    try {
      expect(current.checkPending).toBe(true);
      expect(current.db.pragma('query_only', { simple: true })).toBe(1);
      expect(() => current.db.exec("INSERT INTO settings (key, value) VALUES ('x', 'y')")).toThrow(/readonly/);
    } finally {
      current.db.close();
    }
  });
});

/** The error better-sqlite3 raises on a damaged page. */
const corrupt = () => Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' });

describe('damage SQLite meets in the middle of a session', () => {
  it('a method that meets it stops the engine writing; status and the listeners say so', async () => {
    const data = copyLibrary('in-use');
    const lib = Library.open({ dataDir: data, checkInBackground: true });
    try {
      const api = createApi(lib);
      expect((await api.handlers.status()).catalog).toEqual({ checking: true, damage: null });
      lib.checkNow();
      await lib.writable;
      expect((await api.handlers.status()).catalog).toEqual({ checking: false, damage: null });
      const told: string[] = [];
      lib.onDamage((e) => told.push(e.problem));
      // A page of the photos' table read back damaged.
      const real = lib.browser.page.bind(lib.browser);
      lib.browser.page = () => {
        throw corrupt();
      };
      await expect(api.handlers.listPhotos({})).rejects.toThrow(/catalog .* is damaged: database disk image is malformed/);
      lib.browser.page = real;
      expect(told).toEqual(['database disk image is malformed']);
      expect((await api.handlers.status()).catalog).toEqual({ checking: false, damage: expect.stringMatching(/is damaged/) as string });
      // Nothing more is written; reading goes on.
      const id = lib.list()[0]!.id;
      await expect(api.handlers.setCaption({ id, text: 'lost?' })).rejects.toThrow(/is damaged/);
      expect(lib.db.pragma('query_only', { simple: true })).toBe(1);
      expect((await api.handlers.listPhotos({})).total).toBe(3);
      api.close();
    } finally {
      await lib.close();
    }
  });
});
