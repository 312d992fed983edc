// The tray (status area) icon, and what closing the last window does: with a tray, Shoebox keeps
// indexing behind its icon; on macOS it stays in the Dock as Mac apps do; elsewhere it quits.
// Electron comes in as a parameter, so tests hand it a fake.
import type { MenuItemConstructorOptions, NativeImage } from 'electron';
import type { StageProgress } from '../../shared/types.ts';

/**
 * Whether this desktop shows tray icons. Windows always does. macOS keeps a windowless app in the
 * Dock (its menu has Pause/Resume), so no menu-bar icon is added. Linux desktops mostly do, through
 * StatusNotifierItem or XEmbed; stock GNOME does not (without the AppIndicator extension, which
 * Ubuntu ships: XDG_CURRENT_DESKTOP "ubuntu:GNOME"), and there an icon nobody sees would leave a
 * windowless Shoebox running. SHOEBOX_TRAY=on|off overrides the guess.
 */
export function trayAvailable(platform: NodeJS.Platform, env: Readonly<Record<string, string | undefined>>): boolean {
  const forced = env.SHOEBOX_TRAY?.trim().toLowerCase();
  if (forced === 'off' || forced === '0' || forced === 'false') return false;
  if (platform === 'darwin') return false;
  if (forced === 'on' || forced === '1' || forced === 'true') return true;
  if (platform === 'win32') return true;
  if (platform !== 'linux' && platform !== 'freebsd' && platform !== 'openbsd') return false;
  const desktops = (env.XDG_CURRENT_DESKTOP ?? '')
    .toLowerCase()
    .split(':')
    .map((d) => d.trim())
    .filter(Boolean);
  return !(desktops.length > 0 && desktops.every((d) => d === 'gnome'));
}

/** What happens when the last window closes: 'stay' keeps the engine running (tray or Dock), 'quit' quits. */
export function whenAllWindowsClosed(platform: NodeJS.Platform, hasTray: boolean): 'stay' | 'quit' {
  return platform === 'darwin' || hasTray ? 'stay' : 'quit';
}

export interface TrayState {
  paused: boolean;
  /** Tasks left in the pipeline's current run (all stages). */
  left: number;
}

export interface TrayActions {
  show(): void;
  pause(): void;
  resume(): void;
  quit(): void;
}

/** Tasks still to do in a progress report (stages that cannot run report none). */
export function tasksLeft(progress: readonly StageProgress[]): number {
  return progress.reduce((n, s) => n + Math.max(0, s.total - s.done), 0);
}

/** The tray icon's tooltip. */
export function trayTooltip(state: TrayState): string {
  if (state.paused) return 'Shoebox: indexing paused';
  if (state.left > 0) return `Shoebox: indexing (${state.left.toLocaleString('en-US')} tasks left)`;
  return 'Shoebox';
}

/** The tray icon's menu: Show Shoebox, Pause or Resume indexing, Quit. */
export function trayMenuTemplate(state: TrayState, actions: TrayActions): MenuItemConstructorOptions[] {
  return [
    { label: 'Show Shoebox', click: () => actions.show() },
    { type: 'separator' },
    state.paused ? { label: 'Resume indexing', click: () => actions.resume() } : { label: 'Pause indexing', click: () => actions.pause() },
    { type: 'separator' },
    { label: 'Quit Shoebox', click: () => actions.quit() },
  ];
}

/** The macOS Dock menu (the Dock already offers the window and Quit). */
export function dockMenuTemplate(state: TrayState, actions: TrayActions): MenuItemConstructorOptions[] {
  return [state.paused ? { label: 'Resume indexing', click: () => actions.resume() } : { label: 'Pause indexing', click: () => actions.pause() }];
}

/** The parts of Electron the tray uses (a fake stands in for them in tests). */
export interface TrayElectron<M> {
  Tray: new (image: NativeImage) => TrayLike<M>;
  Menu: { buildFromTemplate(template: MenuItemConstructorOptions[]): M };
  nativeImage: { createFromPath(path: string): NativeImage };
}

/** The part of Electron's Tray the app uses. */
export interface TrayLike<M> {
  setToolTip(text: string): void;
  setContextMenu(menu: M): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

export interface AppTray {
  /** Shows a new state (paused, work left); the menu is rebuilt only when its items change. */
  update(state: Partial<TrayState>): void;
  destroy(): void;
}

/**
 * Puts Shoebox's icon in the tray: click (where the desktop reports one) shows the window, the menu
 * pauses, resumes and quits. Null when the icon cannot be loaded or the tray cannot be made; the
 * caller then treats the platform as having no tray.
 */
export function createAppTray<M>(
  electron: TrayElectron<M>,
  iconPath: string,
  actions: TrayActions,
  initial: TrayState,
  log: (line: string) => void = () => {},
): AppTray | null {
  let tray: TrayLike<M>;
  try {
    const image = electron.nativeImage.createFromPath(iconPath);
    if (image.isEmpty()) {
      log(`tray: no icon at ${iconPath}`);
      return null;
    }
    tray = new electron.Tray(image);
  } catch (e) {
    log(`tray: ${(e as Error).message}`);
    return null;
  }
  const state: TrayState = { ...initial };
  let menuPaused: boolean | null = null;
  let tooltip = '';
  const render = () => {
    if (menuPaused !== state.paused) {
      menuPaused = state.paused;
      tray.setContextMenu(electron.Menu.buildFromTemplate(trayMenuTemplate(state, actions)));
    }
    const t = trayTooltip(state);
    if (t !== tooltip) {
      tooltip = t;
      tray.setToolTip(t);
    }
  };
  tray.on('click', () => actions.show());
  render();
  let destroyed = false;
  return {
    update(next) {
      if (destroyed) return;
      Object.assign(state, next);
      render();
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      tray.destroy();
    },
  };
}
