// The main process (src/main/app/index.ts) booted with Electron faked, over a real library in a
// temporary folder: the media scheme is privileged before ready and handled after the library
// opens, the window gets the secure options, IPC is bound, closing the last window keeps indexing
// behind the tray, and quitting holds the quit until the library has flushed and closed.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { Library } from '../../src/main/core/library.ts';
import { dataPaths } from '../../src/main/core/paths.ts';
import { METHOD_NAMES, ipcChannel } from '../../src/shared/contract.ts';
import { tempDir } from '../helpers/photos.ts';
import { restoreEnvAfterAll, until as waitUntil } from '../helpers/wait.ts';

type Listener = (...args: unknown[]) => unknown;

const fake = vi.hoisted(() => {
  const log: string[] = [];
  const appListeners = new Map<string, Listener[]>();
  let ready!: () => void;
  const whenReady = new Promise<void>((r) => (ready = r));
  let isReady = false;
  const windows: { options: Record<string, unknown>; destroyed: boolean; closed: () => void; loaded: string[] }[] = [];
  const handlers = new Map<string, Listener>();
  const protocolHandlers = new Map<string, (req: Request) => Promise<Response>>();
  const privileged: unknown[] = [];
  const trays: { menu: MenuItemConstructorOptions[] | null; tooltip: string; destroyed: boolean }[] = [];
  const paths: Record<string, string> = {};
  const openHandlers: ((d: { url: string }) => { action: string })[] = [];
  const opened: string[] = [];
  let quits = 0;
  const emit = (event: string, ...args: unknown[]) => {
    for (const l of appListeners.get(event) ?? []) l(...args);
  };

  class BrowserWindow {
    static all: BrowserWindow[] = [];
    static getAllWindows() {
      return BrowserWindow.all.filter((w) => !w.record.destroyed);
    }
    readonly record: (typeof windows)[number];
    private readonly listeners = new Map<string, Listener[]>();
    readonly webContents = {
      on: () => undefined,
      setWindowOpenHandler: (h: (d: { url: string }) => { action: string }) => openHandlers.push(h),
      isDestroyed: () => this.record.destroyed,
      send: () => undefined,
    };
    constructor(options: Record<string, unknown>) {
      this.record = {
        options,
        destroyed: false,
        loaded: [],
        closed: () => {
          this.record.destroyed = true;
          for (const l of this.listeners.get('closed') ?? []) l();
          if (BrowserWindow.getAllWindows().length === 0) emit('window-all-closed');
        },
      };
      windows.push(this.record);
      BrowserWindow.all.push(this);
      log.push('window');
    }
    on(event: string, l: Listener) {
      this.listeners.set(event, [...(this.listeners.get(event) ?? []), l]);
    }
    once(event: string, l: Listener) {
      this.on(event, l);
    }
    loadFile(f: string) {
      this.record.loaded.push(f);
      return Promise.resolve();
    }
    loadURL(u: string) {
      this.record.loaded.push(u);
      return Promise.resolve();
    }
    isMinimized() {
      return false;
    }
    isDestroyed() {
      return this.record.destroyed;
    }
    restore() {}
    show() {}
    focus() {}
  }

  class Tray {
    readonly record = { menu: null as MenuItemConstructorOptions[] | null, tooltip: '', destroyed: false };
    constructor() {
      trays.push(this.record);
      log.push('tray');
    }
    setToolTip(t: string) {
      this.record.tooltip = t;
    }
    setContextMenu(m: { template: MenuItemConstructorOptions[] }) {
      this.record.menu = m.template;
    }
    on() {
      return this;
    }
    destroy() {
      this.record.destroyed = true;
    }
  }

  const electron = {
    app: {
      setName: (n: string) => log.push(`name ${n}`),
      getPath: (name: string) => paths[name] ?? path.join(paths.root!, name),
      setPath: (name: string, p: string) => (paths[name] = p),
      getAppPath: () => paths.appPath!,
      whenReady: () => whenReady,
      isReady: () => isReady,
      requestSingleInstanceLock: () => true,
      on: (event: string, l: Listener) => appListeners.set(event, [...(appListeners.get(event) ?? []), l]),
      quit: () => {
        quits++;
        log.push('quit');
        let prevented = false;
        emit('before-quit', { preventDefault: () => (prevented = true) });
        if (!prevented) log.push('exit');
      },
      dock: undefined,
    },
    BrowserWindow,
    Tray,
    Menu: { buildFromTemplate: (template: MenuItemConstructorOptions[]) => ({ template }) },
    nativeImage: { createFromPath: (p: string) => ({ isEmpty: () => !fs.existsSync(p) }) },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => {
        log.push(isReady ? 'privileged after ready' : 'privileged before ready');
        privileged.push(...schemes);
      },
      handle: (scheme: string, h: (req: Request) => Promise<Response>) => {
        log.push(`handle ${scheme}`);
        protocolHandlers.set(scheme, h);
      },
    },
    ipcMain: {
      handle: (channel: string, l: Listener) => handlers.set(channel, l),
      removeHandler: (channel: string) => handlers.delete(channel),
    },
    session: { defaultSession: { webRequest: { onHeadersReceived: () => undefined }, setPermissionRequestHandler: () => undefined } },
    dialog: { showErrorBox: (t: string, m: string) => log.push(`error ${t}: ${m}`), showOpenDialog: async () => ({ canceled: true, filePaths: [] }) },
    shell: {
      showItemInFolder: () => undefined,
      openExternal: async (url: string) => {
        opened.push(url);
      },
    },
  };
  return {
    electron,
    log,
    windows,
    handlers,
    protocolHandlers,
    privileged,
    trays,
    paths,
    openHandlers,
    opened,
    emit,
    quits: () => quits,
    ready: () => {
      isReady = true;
      ready();
    },
  };
});

vi.mock('electron', () => ({ ...fake.electron, default: fake.electron }));
// electron-vite's ?modulePath imports (the ML and HEIF workers' bundled files): no worker runs in this test.
vi.mock('../../src/main/core/ml/worker.ts?modulePath', () => ({ default: '/nowhere/ml-worker.js' }));
vi.mock('../../src/main/core/media/heif-worker.ts?modulePath', () => ({ default: '/nowhere/heif-worker.js' }));

const root = tempDir();
const dataDir = path.join(root, 'data');
restoreEnvAfterAll(['SHOEBOX_DATA', 'SHOEBOX_TRAY', 'ELECTRON_RENDERER_URL']);
const until = (what: () => boolean, ms?: number): Promise<void> => waitUntil(what, fake.log, ms);

describe('the main process, with Electron faked', () => {
  it('registers the media scheme as privileged before the app is ready', async () => {
    fake.paths.root = root;
    fake.paths.appData = path.join(root, 'appData');
    fake.paths.appPath = path.resolve(import.meta.dirname, '../..');
    process.env.SHOEBOX_DATA = dataDir;
    process.env.SHOEBOX_TRAY = 'on';
    Reflect.deleteProperty(process.env, 'ELECTRON_RENDERER_URL'); // the built window, loaded from a file
    await import('../../src/main/app/index.ts');
    expect(fake.log).toContain('privileged before ready');
    expect(fake.privileged).toEqual([{ scheme: 'shoebox-media', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }]);
    expect(fake.protocolHandlers.size).toBe(0);
    expect(fake.windows).toHaveLength(0);
  });

  it('once ready: opens the library, binds IPC for the app page only, handles shoebox-media, opens a sandboxed window and a tray', async () => {
    fake.ready();
    await until(() => fake.trays.length === 1);
    expect(fs.existsSync(dataPaths(dataDir).catalog)).toBe(true);
    expect([...fake.handlers.keys()].sort()).toEqual(METHOD_NAMES.map((m) => ipcChannel(m)).sort());
    expect(fake.log.indexOf('handle shoebox-media')).toBeLessThan(fake.log.indexOf('window'));
    const win = fake.windows[0]!;
    const prefs = win.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(String(prefs.preload)).toMatch(/preload[\\/]index\.cjs$/);
    const tray = fake.trays[0]!;
    expect(tray.menu!.map((i) => i.label ?? '—')).toEqual(['Show Shoebox', '—', 'Pause indexing', '—', 'Quit Shoebox']);
    // IPC answers the app's own page only.
    const status = fake.handlers.get(ipcChannel('status'))!;
    expect(await status({ senderFrame: { url: 'file:///elsewhere/page.html' } })).toMatchObject({ ok: false });
    expect(await status({ senderFrame: { url: pathToFileURL(win.loaded[0]!).href } })).toMatchObject({ ok: true });
  });

  it('opens no window: the map link goes to the system browser, any other link nowhere', () => {
    const open = fake.openHandlers[0]!;
    const map = 'https://www.openstreetmap.org/?mlat=48.85&mlon=2.35#map=15/48.85/2.35';
    for (const url of [map, 'https://evil.example/', 'http://www.openstreetmap.org/', 'file:///etc/passwd', 'https://www.openstreetmap.org.evil.example/']) {
      expect(open({ url })).toEqual({ action: 'deny' });
    }
    expect(fake.opened).toEqual([map]);
  });

  it('serves media through the catalog: an uncatalogued id is 404, a path is 400', async () => {
    const h = fake.protocolHandlers.get('shoebox-media')!;
    expect((await h(new Request('shoebox-media://thumb/1'))).status).toBe(404);
    const escape = { url: 'shoebox-media://original/..%2f..%2fcatalog.sqlite', method: 'GET', headers: new Headers() } as unknown as Request;
    expect((await h(escape)).status).toBe(400);
  });

  it('Pause and Resume in the tray menu pause the engine and relabel the menu', async () => {
    const tray = fake.trays[0]!;
    const item = (label: string) => tray.menu!.find((i) => i.label === label)!;
    (item('Pause indexing').click as () => void)();
    await until(() => tray.menu!.some((i) => i.label === 'Resume indexing'));
    expect(tray.tooltip).toBe('Shoebox: indexing paused');
    (item('Resume indexing').click as () => void)();
    await until(() => tray.menu!.some((i) => i.label === 'Pause indexing'));
  });

  it('closing the window keeps the engine running behind the tray; Show opens a new window', async () => {
    fake.windows[0]!.closed();
    expect(fake.quits()).toBe(0);
    const tray = fake.trays[0]!;
    (tray.menu!.find((i) => i.label === 'Show Shoebox')!.click as () => void)();
    expect(fake.windows).toHaveLength(2);
  });

  it('Quit holds the quit until the library has flushed and closed, then quits for real', async () => {
    const tray = fake.trays[0]!;
    (tray.menu!.find((i) => i.label === 'Quit Shoebox')!.click as () => void)();
    expect(fake.log.at(-1)).toBe('quit'); // held: no 'exit' yet
    expect(tray.destroyed).toBe(true);
    expect(fake.handlers.size).toBe(0); // IPC unbound at once
    await until(() => fake.log.includes('exit'));
    expect(fake.quits()).toBe(2);
    // The lock is released: another engine can open the library.
    const again = Library.open({ dataDir });
    await again.close();
    // And the media handler answers nothing once quitting.
    const h = fake.protocolHandlers.get('shoebox-media')!;
    expect((await h(new Request('shoebox-media://thumb/1'))).status).toBe(404);
  });
});
