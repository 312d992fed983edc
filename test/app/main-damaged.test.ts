// The main process (src/main/app/index.ts) with Electron faked, over a library whose catalog is
// damaged: the window's dialog says what is wrong and offers Repair; Repair puts the newest good
// backup back (the damaged file kept beside it), says what came back, and the app opens. Damage the
// open cannot see (a page inside a table) is found by the check beside the first search: the same
// offer, and Repair there repairs once the library has closed, then starts the app again.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import { Library } from '../../src/main/core/library.ts';
import { dataPaths } from '../../src/main/core/paths.ts';
import { tempDir } from '../helpers/photos.ts';
import { restoreEnvAfterAll, until as waitUntil } from '../helpers/wait.ts';

type Listener = (...args: unknown[]) => unknown;

const fake = vi.hoisted(() => {
  const log: string[] = [];
  const boxes: { type?: string; title?: string; message: string; detail?: string; buttons?: string[] }[] = [];
  const appListeners = new Map<string, Listener[]>();
  let ready!: () => void;
  const whenReady = new Promise<void>((r) => (ready = r));
  const paths: Record<string, string> = {};
  const emit = (event: string, ...args: unknown[]) => {
    for (const l of appListeners.get(event) ?? []) l(...args);
  };
  class BrowserWindow {
    static getAllWindows() {
      return [];
    }
    readonly webContents = { on: () => undefined, setWindowOpenHandler: () => undefined, isDestroyed: () => false, send: () => undefined };
    constructor() {
      log.push('window');
    }
    on() {}
    once() {}
    loadFile() {
      return Promise.resolve();
    }
    loadURL() {
      return Promise.resolve();
    }
    isMinimized() {
      return false;
    }
    restore() {}
    show() {}
    focus() {}
  }
  const electron = {
    app: {
      setName: () => undefined,
      getPath: (name: string) => paths[name] ?? path.join(paths.root!, name),
      setPath: (name: string, p: string) => (paths[name] = p),
      getAppPath: () => paths.appPath!,
      whenReady: () => whenReady,
      isReady: () => true,
      requestSingleInstanceLock: () => true,
      on: (event: string, l: Listener) => appListeners.set(event, [...(appListeners.get(event) ?? []), l]),
      quit: () => {
        log.push('quit');
        let prevented = false;
        emit('before-quit', { preventDefault: () => (prevented = true) });
        if (!prevented) log.push('exit');
      },
      relaunch: () => log.push('relaunch'),
      dock: undefined,
    },
    BrowserWindow,
    Tray: class {},
    Menu: { buildFromTemplate: (template: unknown[]) => ({ template }) },
    nativeImage: { createFromPath: () => ({ isEmpty: () => true }) },
    protocol: { registerSchemesAsPrivileged: () => undefined, handle: () => log.push('handle') },
    ipcMain: { handle: () => undefined, removeHandler: () => undefined },
    session: { defaultSession: { webRequest: { onHeadersReceived: () => undefined }, setPermissionRequestHandler: () => undefined } },
    dialog: {
      showErrorBox: (t: string, m: string) => log.push(`error ${t}: ${m}`),
      showMessageBox: async (o: (typeof boxes)[number]) => {
        boxes.push(o);
        log.push(`box ${o.title}`);
        return { response: 0 }; // the first button: Repair (then OK)
      },
      showOpenDialog: async () => ({ canceled: true, filePaths: [] }),
    },
    shell: { showItemInFolder: () => undefined, openExternal: async () => undefined },
  };
  return { electron, log, boxes, paths, ready: () => ready() };
});

vi.mock('electron', () => ({ ...fake.electron, default: fake.electron }));
vi.mock('../../src/main/core/ml/worker.ts?modulePath', () => ({ default: '/nowhere/ml-worker.js' }));
vi.mock('../../src/main/core/media/heif-worker.ts?modulePath', () => ({ default: '/nowhere/heif-worker.js' }));

const root = tempDir();
const dataDir = path.join(root, 'data');
restoreEnvAfterAll(['SHOEBOX_DATA', 'SHOEBOX_TRAY']);
const until = (what: () => boolean, ms?: number): Promise<void> => waitUntil(what, fake.log, ms);

describe('the main process over a damaged catalog', () => {
  it('says what is wrong, offers Repair, repairs, and opens the library', async () => {
    // A library with a caption of the user's, backed up, then its catalog overwritten with zeros.
    const lib = Library.open({ dataDir });
    lib.db.exec(`INSERT INTO folders (id, path, added_at) VALUES (1, '${path.join(root, 'gone')}', 0);
      INSERT INTO photos (id, folder_id, path, filename, size, mtime_ms, added_at, updated_at) VALUES (1, 1, '${path.join(root, 'gone', 'a.jpg')}', 'a.jpg', 1, 0, 0, 0);
      INSERT INTO captions (photo_id, source, text, origin, created_at) VALUES (1, 'user', 'Grandma at the lake', 'shoebox', 0);`);
    await lib.backup('manual');
    await lib.close();
    const file = dataPaths(dataDir).catalog;
    fs.writeFileSync(file, Buffer.alloc(fs.statSync(file).size));

    fake.paths.root = root;
    fake.paths.appData = path.join(root, 'appData');
    fake.paths.appPath = path.resolve(import.meta.dirname, '../..');
    process.env.SHOEBOX_DATA = dataDir;
    process.env.SHOEBOX_TRAY = 'off';
    await import('../../src/main/app/index.ts');
    fake.ready();
    await until(() => fake.log.includes('window'));
    const [ask, done] = fake.boxes;
    expect(ask).toMatchObject({ type: 'error', title: 'Shoebox cannot open its library', buttons: ['Repair', 'Quit'] });
    expect(ask!.detail).toMatch(/is damaged: file is not a database \(its first bytes are all zeros\)/);
    expect(ask!.detail).toMatch(/`shoebox repair`/);
    expect(done).toMatchObject({ type: 'info', title: 'Shoebox repaired its library' });
    expect(done!.message).toMatch(/1 photos, 1 captions and 0 tags of yours/);
    expect(done!.detail).toMatch(/The damaged catalog is kept as .*catalog\.sqlite\.damaged-/);
    expect(fake.log.some((l) => l.startsWith('error '))).toBe(false);
    expect(fs.readdirSync(dataDir).some((f) => f.startsWith('catalog.sqlite.damaged-'))).toBe(true);
    // Quit, then the restored catalog holds the caption.
    fake.electron.app.quit();
    await until(() => fake.log.includes('exit'));
    const again = Library.open({ dataDir });
    expect(again.photo(1)?.captions.find((c) => c.source === 'user')?.text ?? again.photo(1)).toBe('Grandma at the lake');
    await again.close();
  });

  it('damage inside a table, found beside the first search: Repair once closed, then a restart', async () => {
    const lib = Library.open({ dataDir });
    lib.db.exec(`INSERT INTO captions (photo_id, source, text, origin, created_at) VALUES (1, 'user', 'After the repair', 'shoebox', 0)
      ON CONFLICT DO UPDATE SET text = excluded.text`);
    await lib.backup('manual');
    await lib.close();
    // A page of the photos or captions table overwritten: the header, the length and the WAL look whole.
    const file = dataPaths(dataDir).catalog;
    const db = new Database(file, { readonly: true });
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const page = db.prepare("SELECT pageno FROM dbstat WHERE name IN ('photos', 'captions') ORDER BY pageno DESC LIMIT 1").pluck().get() as number;
    db.close();
    for (const suffix of ['-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, crypto.randomBytes(pageSize), 0, pageSize, (page - 1) * pageSize);
    fs.closeSync(fd);

    fake.log.length = 0;
    fake.boxes.length = 0;
    vi.resetModules();
    await import('../../src/main/app/index.ts');
    await until(() => fake.log.includes('exit'), 30_000);
    // The window opened on the library first: the check did not stand in front of it.
    expect(fake.log.indexOf('window')).toBeGreaterThanOrEqual(0);
    const [ask, done] = fake.boxes;
    expect(ask).toMatchObject({ type: 'error', title: 'Shoebox found damage in its catalog', buttons: ['Repair', 'Quit', 'Keep browsing'] });
    expect(ask!.detail).toMatch(/is damaged: the integrity check failed: /);
    expect(done).toMatchObject({ type: 'info', title: 'Shoebox repaired its library' });
    expect(fake.log.indexOf('relaunch')).toBeGreaterThan(fake.log.indexOf('box Shoebox repaired its library'));
    expect(fake.log.indexOf('window')).toBeLessThan(fake.log.indexOf('box Shoebox found damage in its catalog'));
    const again = Library.open({ dataDir });
    expect(again.photo(1)?.captions.find((c) => c.source === 'user')?.text).toBe('After the repair');
    await again.close();
  });
});
