// Unit tests for the window's security settings: web preferences, CSP and the navigation policy.
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, isAppUrl, isExternalLink, windowOptions, withCsp } from '../../src/main/app/window-options.ts';

function directives(policy: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out.set(name, values);
  }
  return out;
}

describe('windowOptions', () => {
  it('isolates the page from Node and sandboxes it', () => {
    const { webPreferences } = windowOptions('/app/out/preload/index.cjs');
    expect(webPreferences.contextIsolation).toBe(true);
    expect(webPreferences.sandbox).toBe(true);
    expect(webPreferences.nodeIntegration).toBe(false);
    expect(webPreferences.nodeIntegrationInWorker).toBe(false);
    expect(webPreferences.webSecurity).toBe(true);
    expect(webPreferences.webviewTag).toBe(false);
  });

  it('uses the preload path it is given', () => {
    expect(windowOptions('/x/index.cjs').webPreferences.preload).toBe('/x/index.cjs');
  });
});

describe('CONTENT_SECURITY_POLICY', () => {
  const csp = directives(CONTENT_SECURITY_POLICY);

  it("defaults to 'self'", () => {
    expect(csp.get('default-src')).toEqual(["'self'"]);
  });

  it('never allows eval, and scripts only from the app', () => {
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
    expect(csp.get('script-src')).toEqual(["'self'"]);
  });

  it('allows images from the app, data: and the shoebox-media: protocol', () => {
    expect(csp.get('img-src')).toEqual(["'self'", 'data:', 'shoebox-media:']);
  });

  it('blocks plugins', () => {
    expect(csp.get('object-src')).toEqual(["'none'"]);
  });
});

describe('withCsp', () => {
  it('replaces a CSP header whatever its case and keeps the others', () => {
    const headers = withCsp({ 'content-security-policy': ["default-src *"], 'Content-Type': 'text/html' });
    expect(headers).toEqual({
      'Content-Type': ['text/html'],
      'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
    });
  });

  it('adds the header when there are none', () => {
    expect(withCsp(undefined)).toEqual({ 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
  });
});

describe('isAppUrl', () => {
  const dev = 'http://localhost:5173';
  const file = 'file:///opt/Shoebox/out/renderer/index.html';

  it('allows the dev server origin and nothing else', () => {
    expect(isAppUrl('http://localhost:5173/', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5173/index.html#/search', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isAppUrl('https://localhost:5173/', dev)).toBe(false);
    expect(isAppUrl('https://example.com/', dev)).toBe(false);
  });

  it('allows only the built index.html', () => {
    expect(isAppUrl(file, file)).toBe(true);
    expect(isAppUrl(`${file}#/photo/3`, file)).toBe(true);
    expect(isAppUrl('file:///opt/Shoebox/out/renderer/other.html', file)).toBe(false);
    expect(isAppUrl('file:///etc/passwd', file)).toBe(false);
    expect(isAppUrl('https://example.com/', file)).toBe(false);
  });

  it('refuses other schemes and malformed URLs', () => {
    expect(isAppUrl('javascript:alert(1)', dev)).toBe(false);
    expect(isAppUrl('data:text/html,hi', file)).toBe(false);
    expect(isAppUrl('not a url', dev)).toBe(false);
    expect(isAppUrl(dev, 'not a url')).toBe(false);
  });
});

describe('isExternalLink', () => {
  it('lets only https OpenStreetMap links out to the browser', () => {
    expect(isExternalLink('https://www.openstreetmap.org/?mlat=1&mlon=2#map=15/1/2')).toBe(true);
    expect(isExternalLink('https://openstreetmap.org/')).toBe(true);
    for (const url of ['http://www.openstreetmap.org/', 'https://www.openstreetmap.org:8443/', 'https://u:p@www.openstreetmap.org/', 'https://www.openstreetmap.org.evil.example/', 'https://evil.example/?www.openstreetmap.org', 'javascript:alert(1)', 'not a url', 'file:///etc/passwd']) {
      expect(isExternalLink(url), url).toBe(false);
    }
  });
});
