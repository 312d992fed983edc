// The window's security settings as plain data (web preferences, CSP, navigation policy), kept free of electron so tests can check them.

/** The subset of Electron's BrowserWindowConstructorOptions that the app sets; structurally compatible with it. */
export interface AppWindowOptions {
  title: string;
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  show: boolean;
  autoHideMenuBar: boolean;
  webPreferences: {
    preload: string;
    contextIsolation: true;
    sandbox: true;
    nodeIntegration: false;
    nodeIntegrationInWorker: false;
    nodeIntegrationInSubFrames: false;
    webSecurity: true;
    allowRunningInsecureContent: false;
    webviewTag: false;
    spellcheck: false;
  };
}

/** Options for the main window. The window is shown on 'ready-to-show' so it never flashes blank. */
export function windowOptions(preload: string): AppWindowOptions {
  return {
    title: 'Shoebox',
    width: 1200,
    height: 800,
    minWidth: 640,
    minHeight: 420,
    show: false,
    autoHideMenuBar: true,
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  };
}

/**
 * The renderer's Content-Security-Policy. Images may come from the app, data: URLs and the
 * shoebox-media: protocol (thumbnails, previews and originals never cross IPC). Inline styles are
 * allowed because Svelte's dev server injects component CSS as <style> tags; scripts only ever
 * come from the app.
 * In dev, Chromium's CSP3 'self' also matches the dev server's same-origin HMR WebSocket.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data: shoebox-media:",
  "style-src 'self' 'unsafe-inline'",
  "script-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** Response headers with the CSP set, replacing any CSP header already there (whatever its case). */
export function withCsp(
  headers: Record<string, string[] | string> | undefined,
  policy: string = CONTENT_SECURITY_POLICY,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() === 'content-security-policy') continue;
    out[name] = Array.isArray(value) ? value : [value];
  }
  out['Content-Security-Policy'] = [policy];
  return out;
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * Whether the window may navigate to `target`: only to the app itself. With the dev server that
 * is any page of its origin; with the built app it is the one index.html file (any query or hash).
 */
export function isAppUrl(target: string, appUrl: string): boolean {
  const t = parse(target);
  const a = parse(appUrl);
  if (!t || !a) return false;
  if (a.protocol === 'file:') return t.protocol === 'file:' && t.host === a.host && t.pathname === a.pathname;
  if (a.protocol !== 'http:' && a.protocol !== 'https:') return false;
  return t.origin === a.origin;
}

/** Sites the window may open in the user's browser (never in the app): the photo view's map link. */
const EXTERNAL_HOSTS = new Set(['www.openstreetmap.org', 'openstreetmap.org']);

/**
 * Whether a link the window asks to open (target=_blank) goes to the system browser: https only,
 * default port, no credentials, a known host. Everything else is refused; the app never opens windows.
 */
export function isExternalLink(target: string): boolean {
  let u: URL;
  try {
    u = new URL(target);
  } catch {
    return false;
  }
  return u.protocol === 'https:' && u.port === '' && u.username === '' && u.password === '' && EXTERNAL_HOSTS.has(u.hostname);
}
