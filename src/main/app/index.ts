// The Electron main process: one window, the engine behind it, the IPC that joins them, the
// shoebox-media:// protocol for photos' images, and the tray icon that keeps indexing going.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeImage, protocol, session, shell, Tray, type IpcMainInvokeEvent, type OpenDialogOptions } from 'electron';
import { Library, type LibraryOptions } from '../core/library.ts';
import { CatalogDamagedError } from '../core/catalog/integrity.ts';
import { repairLibrary } from '../core/repair.ts';
import { electronNativeBinding } from '../core/native.ts';
import { APP_NAME } from '../core/paths.ts';
import { createApi, type Api, type HostServices } from '../core/handlers/methods.ts';
import { libraryMedia } from '../core/handlers/media.ts';
import { bindIpc } from './ipc.ts';
import { createAppTrash } from './trash.ts';
import { createMediaHandler, MEDIA_SCHEME, MEDIA_SCHEME_PRIVILEGES } from './media-protocol.ts';
import { createAppTray, dockMenuTemplate, tasksLeft, trayAvailable, whenAllWindowsClosed, type AppTray, type TrayActions, type TrayState } from './tray.ts';
import { isAppUrl, isExternalLink, windowOptions, withCsp } from './window-options.ts';
// The ML worker and the HEIF decoder's worker are built as entries of their own; the engine runs them off the main thread.
import mlWorkerPath from '../core/ml/worker.ts?modulePath';
import heifWorkerPath from '../core/media/heif-worker.ts?modulePath';
import { configureHeif } from '../core/media/heif.ts';
import { errorMessage } from '../../shared/error-message.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
configureHeif({ workerFile: heifWorkerPath });
const preloadPath = path.join(here, '../preload/index.cjs');
const indexHtml = path.join(here, '../renderer/index.html');
const devServerUrl = process.env.ELECTRON_RENDERER_URL;
/** The URL the window loads; navigation and IPC are allowed only from it. */
const appUrl = devServerUrl ?? pathToFileURL(indexHtml).href;

// userData must name Shoebox before the single-instance lock (which lives there) and before any
// path is read, so the app and the CLI (core/paths.ts defaultDataDir) find the same library.
// Chromium's own files go to a subfolder so they never mix with the library's.
app.setName(APP_NAME);
app.setPath('userData', path.join(app.getPath('appData'), APP_NAME));
app.setPath('sessionData', path.join(app.getPath('userData'), 'session'));
// Custom schemes get their privileges only before the app is ready.
protocol.registerSchemesAsPrivileged([{ scheme: MEDIA_SCHEME, privileges: { ...MEDIA_SCHEME_PRIVILEGES } }]);

let library: Library | null = null;
let api: Api | null = null;
let unbindIpc: (() => void) | null = null;
let mainWindow: BrowserWindow | null = null;
let tray: AppTray | null = null;
let quitting = false;
let closed = false;
/** Set when the user chose Repair for damage found while open: the library is repaired once closed, then the app starts again. */
let repairOnQuit: LibraryOptions | null = null;

function log(what: string, e: unknown): void {
  console.error(`shoebox: ${what}:`, e instanceof Error ? e.message : e);
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow(windowOptions(preloadPath));
  win.once('ready-to-show', () => win.show());
  win.webContents.on('will-navigate', (e) => {
    if (!isAppUrl(e.url, appUrl)) e.preventDefault();
  });
  win.webContents.on('will-attach-webview', (e) => e.preventDefault());
  // No window ever opens in the app; the map link goes to the system browser.
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (isExternalLink(url)) void shell.openExternal(url).catch((e: unknown) => log('opening a link failed', e));
    return { action: 'deny' };
  });
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  if (devServerUrl) void win.loadURL(devServerUrl);
  else void win.loadFile(indexHtml);
  return win;
}

function showWindow(): void {
  if (!mainWindow) {
    mainWindow = createWindow();
    return;
  }
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

/** IPC may come only from the app's own page, never from a frame that navigated elsewhere. */
function fromAppPage(e: IpcMainInvokeEvent): boolean {
  const url = e.senderFrame?.url;
  return !!url && isAppUrl(url, appUrl);
}

/** What only the desktop can do: the file manager and the native folder picker. */
const desktopServices: HostServices = {
  async reveal(file) {
    if (!fs.existsSync(file)) return false;
    shell.showItemInFolder(file);
    return true;
  },
  async pickFolder() {
    const options: OpenDialogOptions = { title: 'Add a folder of photos', properties: ['openDirectory'] };
    const r = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
    return r.canceled ? null : (r.filePaths[0] ?? null);
  },
  log: (message) => console.error(`shoebox: ${message}`),
};

function applySecurityPolicy(): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withCsp(details.responseHeaders) });
  });
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
}

async function start(): Promise<void> {
  await app.whenReady();
  if (quitting || closed) return;
  applySecurityPolicy();
  const dataDir = path.resolve(process.env.SHOEBOX_DATA || app.getPath('userData'));
  // The catalog's check runs beside the first search, not in front of it ([Note: catalog damage]).
  const options: LibraryOptions = {
    dataDir,
    nativeBinding: electronNativeBinding(app.getAppPath()),
    ml: { workerFile: mlWorkerPath },
    checkInBackground: true,
    // Duplicates put away go to the system trash through shell.trashItem (SHOEBOX_TRASH_DIR: a folder instead).
    trash: createAppTrash(shell, process.env),
  };
  try {
    library = await openOrRepair(options);
  } catch (e) {
    dialog.showErrorBox('Shoebox cannot open its library', errorMessage(e));
    closed = true;
    app.quit();
    return;
  }
  if (!library) {
    closed = true;
    app.quit();
    return;
  }
  // Damage found by the check beside the first search, or later by the full check: nothing more is written.
  library.onDamage((e) => {
    void dialog
      .showMessageBox({
        type: 'error',
        title: 'Shoebox found damage in its catalog',
        message: 'The catalog is damaged. Shoebox has stopped writing to it.',
        detail: `${e.message}\n\n${REPAIR_DETAIL} Shoebox then starts again. Keep browsing leaves it read-only until you quit.`,
        buttons: ['Repair', 'Quit', 'Keep browsing'],
        defaultId: 0,
        cancelId: 2,
      })
      .then(({ response }) => {
        if (response === 2) return;
        if (response === 0) repairOnQuit = options;
        app.quit();
      });
  });
  api = createApi(library, desktopServices);
  unbindIpc = bindIpc(ipcMain, api.handlers, api.events, () => mainWindow, { allowSender: fromAppPage });
  // Images go through the catalog: only catalogued photos' files, and none once the library closes.
  const media = libraryMedia(library);
  protocol.handle(MEDIA_SCHEME, createMediaHandler((id, kind) => (quitting ? null : media(id, kind)), (line) => log('media', line)));
  showWindow();
  startTray(api);
  const lib = library;
  // The first search's index and text encoder, loaded while the window paints.
  void lib.warmUp().then((w) => {
    for (const e of w.errors) log('search not ready ahead', e);
  });
  void lib
    .scan()
    .catch((e: unknown) => log('scan failed', e))
    .then(() => (quitting ? undefined : lib.watch()))
    .catch((e: unknown) => log('watch failed', e));
}

/**
 * Opens the library; a damaged catalog asks first: Repair (the newest good backup put back, the
 * damaged file kept beside it, then opened) or Quit (null). Other errors are thrown.
 */
async function openOrRepair(options: LibraryOptions): Promise<Library | null> {
  try {
    return Library.open(options);
  } catch (e) {
    if (!(e instanceof CatalogDamagedError)) throw e;
    const { response } = await dialog.showMessageBox({
      type: 'error',
      title: 'Shoebox cannot open its library',
      message: 'The catalog is damaged. Nothing was written to it.',
      detail: `${e.message}\n\n${REPAIR_DETAIL}`,
      buttons: ['Repair', 'Quit'],
      defaultId: 0,
      cancelId: 1,
    });
    if (response !== 0) return null;
    await repairAndReport(options);
    return Library.open(options);
  }
}

const REPAIR_DETAIL =
  'Repair puts back the newest backup that passes the check (the damaged file is kept beside it), reapplies your data exported since, and scans your folders again. The same as `shoebox repair`.';

/** Repairs the (closed) library and says what came back and what may be lost. */
async function repairAndReport(options: LibraryOptions): Promise<void> {
  const report = await repairLibrary(options);
  await dialog.showMessageBox({
    type: 'info',
    title: 'Shoebox repaired its library',
    message: `Restored the backup of ${new Date(report.restored.createdAt).toLocaleString()}: ${report.restored.photos} photos, ${report.restored.userCaptions} captions and ${report.restored.userTags} tags of yours.`,
    detail: [
      report.damagedKeptAs ? `The damaged catalog is kept as ${report.damagedKeptAs}.` : '',
      report.userData ? `Reapplied your data exported since: ${report.userData.result.summary}.` : '',
      ...report.lost.map((l) => `May be lost: ${l}.`),
    ]
      .filter(Boolean)
      .join('\n'),
    buttons: ['OK'],
  });
}

/** The tray icon where the desktop has one, and the Dock menu on macOS: show, pause or resume indexing, quit. */
function startTray(a: Api): void {
  const state: TrayState = { paused: library?.paused ?? false, left: 0 };
  const actions: TrayActions = {
    show: () => showWindow(),
    pause: () => void a.handlers.pause().catch((e: unknown) => log('pause failed', e)),
    resume: () => void a.handlers.resume().catch((e: unknown) => log('resume failed', e)),
    quit: () => app.quit(),
  };
  const setDockMenu = () => app.dock?.setMenu(Menu.buildFromTemplate(dockMenuTemplate(state, actions)));
  if (process.platform === 'darwin') setDockMenu();
  if (trayAvailable(process.platform, process.env)) {
    tray = createAppTray({ Tray, Menu, nativeImage }, path.join(app.getAppPath(), 'resources', 'tray.png'), actions, state, (line) => log('tray', line));
  }
  a.events.on('paused', ({ paused }) => {
    state.paused = paused;
    tray?.update({ paused });
    if (process.platform === 'darwin') setDockMenu();
  });
  a.events.on('progress', (stages) => tray?.update({ left: tasksLeft(stages) }));
}

if (!app.requestSingleInstanceLock()) {
  // Another Shoebox owns this userData; it was told (second-instance) and shows its window.
  closed = true;
  app.quit();
} else {
  app.on('second-instance', () => {
    if (app.isReady() && library) showWindow();
  });
  app.on('activate', () => {
    if (app.isReady() && library && BrowserWindow.getAllWindows().length === 0) showWindow();
  });
  // With a tray (or on macOS, in the Dock) the engine keeps indexing while no window is open.
  app.on('window-all-closed', () => {
    if (whenAllWindowsClosed(process.platform, tray !== null) === 'quit') app.quit();
  });
  // Hold the quit once, until the engine has let its batches commit and released the library lock.
  app.on('before-quit', (e) => {
    if (closed) return;
    e.preventDefault();
    if (quitting) return;
    quitting = true;
    tray?.destroy();
    tray = null;
    unbindIpc?.();
    api?.close();
    void (library?.close() ?? Promise.resolve())
      .catch((err: unknown) => log('closing the library failed', err))
      .then(async () => {
        if (!repairOnQuit) return;
        try {
          await repairAndReport(repairOnQuit);
          app.relaunch();
        } catch (err) {
          dialog.showErrorBox('Shoebox could not repair its library', errorMessage(err));
        }
      })
      .finally(() => {
        closed = true;
        app.quit();
      });
  });
  start().catch((e: unknown) => {
    log('start failed', e);
    closed = true;
    app.quit();
  });
}
