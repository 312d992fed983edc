// The tray with Electron faked: where there is a tray, what closing the last window does, the
// icon's menu (Show, Pause/Resume indexing, Quit) and tooltip, and a tray that cannot be made.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions, NativeImage } from 'electron';
import {
  createAppTray,
  dockMenuTemplate,
  tasksLeft,
  trayAvailable,
  trayMenuTemplate,
  trayTooltip,
  whenAllWindowsClosed,
  type TrayActions,
  type TrayElectron,
} from '../../src/main/app/tray.ts';

const root = path.resolve(import.meta.dirname, '../..');

interface FakeMenu {
  template: MenuItemConstructorOptions[];
}

function fakeElectron(o: { emptyIcon?: boolean; trayThrows?: boolean } = {}) {
  const trays: FakeTray[] = [];
  const loaded: string[] = [];
  class FakeTray {
    tooltip = '';
    menu: FakeMenu | null = null;
    menus = 0;
    destroyed = false;
    readonly listeners = new Map<string, () => void>();
    constructor(readonly image: NativeImage) {
      if (o.trayThrows) throw new Error('no status area');
      trays.push(this);
    }
    setToolTip(text: string) {
      this.tooltip = text;
    }
    setContextMenu(menu: FakeMenu) {
      this.menu = menu;
      this.menus++;
    }
    on(event: 'click', listener: () => void) {
      this.listeners.set(event, listener);
      return this;
    }
    destroy() {
      this.destroyed = true;
    }
  }
  const electron: TrayElectron<FakeMenu> = {
    Tray: FakeTray,
    Menu: { buildFromTemplate: (template) => ({ template }) },
    nativeImage: {
      createFromPath: (p) => {
        loaded.push(p);
        return { isEmpty: () => !!o.emptyIcon } as NativeImage;
      },
    },
  };
  return { electron, trays, loaded };
}

function recorder() {
  const calls: string[] = [];
  const actions: TrayActions = {
    show: () => calls.push('show'),
    pause: () => calls.push('pause'),
    resume: () => calls.push('resume'),
    quit: () => calls.push('quit'),
  };
  return { calls, actions };
}

const labels = (t: MenuItemConstructorOptions[]) => t.map((i) => (i.type === 'separator' ? '—' : i.label));
const click = (t: MenuItemConstructorOptions[], label: string) => (t.find((i) => i.label === label)!.click as () => void)();

describe('trayAvailable', () => {
  it('Windows has a tray; macOS keeps the app in the Dock instead', () => {
    expect(trayAvailable('win32', {})).toBe(true);
    expect(trayAvailable('darwin', {})).toBe(false);
    expect(trayAvailable('darwin', { SHOEBOX_TRAY: 'on' })).toBe(false);
  });

  it('Linux desktops have one, except stock GNOME (Ubuntu’s GNOME ships the AppIndicator extension)', () => {
    for (const desktop of ['KDE', 'XFCE', 'X-Cinnamon', 'MATE', 'LXQt', 'Budgie:GNOME', 'ubuntu:GNOME', 'Unity', 'sway', undefined]) {
      expect(trayAvailable('linux', { XDG_CURRENT_DESKTOP: desktop }), String(desktop)).toBe(true);
    }
    expect(trayAvailable('linux', { XDG_CURRENT_DESKTOP: 'GNOME' })).toBe(false);
  });

  it('SHOEBOX_TRAY=on|off overrides the guess', () => {
    expect(trayAvailable('linux', { XDG_CURRENT_DESKTOP: 'GNOME', SHOEBOX_TRAY: 'on' })).toBe(true);
    expect(trayAvailable('linux', { XDG_CURRENT_DESKTOP: 'KDE', SHOEBOX_TRAY: 'off' })).toBe(false);
    expect(trayAvailable('win32', { SHOEBOX_TRAY: '0' })).toBe(false);
  });

  it('platforms it knows nothing about get none', () => {
    expect(trayAvailable('aix', {})).toBe(false);
  });
});

describe('whenAllWindowsClosed', () => {
  it('keeps indexing behind a tray, and in the Dock on macOS; quits where there is neither', () => {
    expect(whenAllWindowsClosed('win32', true)).toBe('stay');
    expect(whenAllWindowsClosed('linux', true)).toBe('stay');
    expect(whenAllWindowsClosed('darwin', false)).toBe('stay');
    expect(whenAllWindowsClosed('linux', false)).toBe('quit');
    expect(whenAllWindowsClosed('win32', false)).toBe('quit');
  });
});

describe('the tray menu and tooltip', () => {
  it('offers Show, Pause or Resume indexing, and Quit, each calling its action', () => {
    const { calls, actions } = recorder();
    const running = trayMenuTemplate({ paused: false, left: 0 }, actions);
    expect(labels(running)).toEqual(['Show Shoebox', '—', 'Pause indexing', '—', 'Quit Shoebox']);
    const paused = trayMenuTemplate({ paused: true, left: 0 }, actions);
    expect(labels(paused)).toEqual(['Show Shoebox', '—', 'Resume indexing', '—', 'Quit Shoebox']);
    click(running, 'Show Shoebox');
    click(running, 'Pause indexing');
    click(paused, 'Resume indexing');
    click(running, 'Quit Shoebox');
    expect(calls).toEqual(['show', 'pause', 'resume', 'quit']);
    expect(labels(dockMenuTemplate({ paused: true, left: 0 }, actions))).toEqual(['Resume indexing']);
  });

  it('says whether indexing is paused or how much is left', () => {
    expect(trayTooltip({ paused: false, left: 0 })).toBe('Shoebox');
    expect(trayTooltip({ paused: false, left: 1234 })).toBe('Shoebox: indexing (1,234 tasks left)');
    expect(trayTooltip({ paused: true, left: 1234 })).toBe('Shoebox: indexing paused');
    const stage = { rate: 0, etaSeconds: null, failed: 0 };
    expect(tasksLeft([{ stage: 'thumb', done: 5, total: 10, ...stage }, { stage: 'embed', done: 0, total: 3, ...stage }])).toBe(8);
    expect(tasksLeft([])).toBe(0);
  });
});

describe('createAppTray', () => {
  it('shows the icon with its menu and tooltip; a click shows the window', () => {
    const { electron, trays, loaded } = fakeElectron();
    const { calls, actions } = recorder();
    const tray = createAppTray(electron, '/app/resources/tray.png', actions, { paused: false, left: 0 });
    expect(tray).not.toBeNull();
    expect(loaded).toEqual(['/app/resources/tray.png']);
    expect(trays).toHaveLength(1);
    const t = trays[0]!;
    expect(t.tooltip).toBe('Shoebox');
    expect(labels(t.menu!.template)).toContain('Pause indexing');
    t.listeners.get('click')!();
    click(t.menu!.template, 'Pause indexing');
    expect(calls).toEqual(['show', 'pause']);
  });

  it('follows pause and progress, rebuilding the menu only when its items change', () => {
    const { electron, trays } = fakeElectron();
    const tray = createAppTray(electron, 'tray.png', recorder().actions, { paused: false, left: 0 })!;
    const t = trays[0]!;
    expect(t.menus).toBe(1);
    tray.update({ left: 40 });
    expect(t.tooltip).toBe('Shoebox: indexing (40 tasks left)');
    expect(t.menus).toBe(1);
    tray.update({ paused: true });
    expect(t.menus).toBe(2);
    expect(labels(t.menu!.template)).toContain('Resume indexing');
    expect(t.tooltip).toBe('Shoebox: indexing paused');
    tray.update({ paused: false, left: 0 });
    expect(labels(t.menu!.template)).toContain('Pause indexing');
    expect(t.tooltip).toBe('Shoebox');
    tray.destroy();
    expect(t.destroyed).toBe(true);
    tray.update({ paused: true }); // after destroy: ignored
    expect(t.menus).toBe(3);
  });

  it('is null (so the app quits on close) when the icon is missing or the tray cannot be made', () => {
    const lines: string[] = [];
    const noIcon = fakeElectron({ emptyIcon: true });
    expect(createAppTray(noIcon.electron, '/nowhere/tray.png', recorder().actions, { paused: false, left: 0 }, (l) => lines.push(l))).toBeNull();
    expect(noIcon.trays).toHaveLength(0);
    const throws = fakeElectron({ trayThrows: true });
    expect(createAppTray(throws.electron, 'tray.png', recorder().actions, { paused: false, left: 0 }, (l) => lines.push(l))).toBeNull();
    expect(lines).toEqual(['tray: no icon at /nowhere/tray.png', 'tray: no status area']);
  });

  it('the icon the app loads is in the repository, with its @2x variant', async () => {
    const sharp = (await import('sharp')).default;
    expect(await sharp(path.join(root, 'resources', 'tray.png')).metadata()).toMatchObject({ width: 16, height: 16, format: 'png' });
    expect(await sharp(path.join(root, 'resources', 'tray@2x.png')).metadata()).toMatchObject({ width: 32, height: 32, format: 'png' });
  });
});
