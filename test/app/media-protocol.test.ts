// The app's shoebox-media:// protocol over a real library: catalogued photos' thumbnails, previews
// and originals are served; nothing else is, however the URL is written (traversal, encodings,
// absolute paths, queries, uncatalogued ids, a photo swapped for a symlink to a secret).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Library } from '../../src/main/core/library.ts';
import { libraryMedia, type MediaResolver } from '../../src/main/core/handlers/media.ts';
import { createMediaHandler, MEDIA_SCHEME, MEDIA_SCHEME_PRIVILEGES, parseMediaUrl, type MediaRequest } from '../../src/main/app/media-protocol.ts';
import { CONTENT_SECURITY_POLICY } from '../../src/main/app/window-options.ts';
import { MEDIA_SCHEME as RENDERER_SCHEME, createIpcClient } from '../../src/renderer/src/lib/ipc-client.ts';
import type { ShoeboxBridge } from '../../src/shared/bridge.ts';
import { makeJpeg, tempDir } from '../helpers/photos.ts';

let lib: Library;
let root: string;
let photos: string;
let resolve: MediaResolver;
let handler: (request: MediaRequest) => Promise<Response>;
const SECRET = 'the secret beside the library';
const logged: string[] = [];

/** A request as Electron hands it over, with the URL exactly as written (no URL normalisation). */
function raw(url: string, o: { method?: string; headers?: Record<string, string> } = {}): MediaRequest {
  const headers = new Headers(o.headers);
  return { url, method: o.method ?? 'GET', headers };
}

async function get(url: string, o: { method?: string; headers?: Record<string, string> } = {}) {
  const res = await handler(raw(url, o));
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}

beforeAll(async () => {
  root = tempDir();
  photos = path.join(root, 'Photos');
  await makeJpeg(path.join(photos, 'red.jpg'), { width: 160, height: 120, color: { r: 210, g: 30, b: 30 }, seed: 1 });
  await makeJpeg(path.join(photos, 'blue.jpg'), { width: 160, height: 120, color: { r: 30, g: 40, b: 210 }, seed: 2 });
  await makeJpeg(path.join(photos, 'green.jpg'), { width: 160, height: 120, color: { r: 30, g: 200, b: 40 }, seed: 3 });
  await makeJpeg(path.join(photos, 'grey.jpg'), { width: 160, height: 120, color: { r: 120, g: 120, b: 120 }, seed: 4 });
  fs.writeFileSync(path.join(root, 'secret.txt'), SECRET);
  // No model: the thumbnail stage runs, the model stages wait.
  lib = Library.open({ dataDir: path.join(root, 'data'), modelsDir: path.join(root, 'models') });
  await lib.addFolder(photos);
  await lib.index();
  resolve = libraryMedia(lib);
  handler = createMediaHandler(resolve, (line) => logged.push(line));
}, 120_000);

afterAll(async () => {
  await lib?.close();
});

const idOf = (name: string) => lib.catalog.photoByPath(path.join(photos, name))!.id;

describe('shoebox-media: the scheme', () => {
  it('is the scheme the window builds image URLs with, and the one its CSP allows images from', () => {
    expect(MEDIA_SCHEME).toBe(RENDERER_SCHEME);
    const client = createIpcClient({} as ShoeboxBridge);
    expect(parseMediaUrl(client.imageUrl(12, 'thumb'))).toEqual({ kind: 'thumb', id: 12 });
    expect(parseMediaUrl(client.imageUrl(3, 'original'))).toEqual({ kind: 'original', id: 3 });
    const imgSrc = CONTENT_SECURITY_POLICY.split(';').find((d) => d.trim().startsWith('img-src'))!;
    expect(imgSrc.trim().split(/\s+/)).toContain(`${MEDIA_SCHEME}:`);
  });

  it('is registered standard and secure, with fetch and streams, and never bypasses the CSP', () => {
    expect(MEDIA_SCHEME_PRIVILEGES).toEqual({ standard: true, secure: true, supportFetchAPI: true, stream: true });
    expect(MEDIA_SCHEME_PRIVILEGES).not.toHaveProperty('bypassCSP');
  });

  it('parses only shoebox-media://<thumb|preview|original>/<id>', () => {
    expect(parseMediaUrl('shoebox-media://preview/7')).toEqual({ kind: 'preview', id: 7 });
    for (const url of [
      'shoebox-media://thumb/0',
      'shoebox-media://thumb/01',
      'shoebox-media://thumb/-1',
      'shoebox-media://thumb/1.0',
      'shoebox-media://thumb/1e3',
      'shoebox-media://thumb/99999999999999999',
      'shoebox-media://thumb/',
      'shoebox-media://thumb',
      'shoebox-media://Thumb/1',
      'shoebox-media://huge/1',
      'shoebox-media://thumb/1/',
      'shoebox-media://thumb/1/2',
      'shoebox-media://thumb/1?x=1',
      'shoebox-media://thumb/1#x',
      'shoebox-media://thumb:80/1',
      'shoebox-media://me@thumb/1',
      'shoebox-media://thumb/1\n',
      'shoebox-media:thumb/1',
      'SHOEBOX-MEDIA://thumb/1',
      'file:///thumb/1',
      'https://thumb/1',
    ]) {
      expect(parseMediaUrl(url), url).toBeNull();
    }
  });
});

describe('shoebox-media: catalogued photos', () => {
  it('serves a catalogued photo’s thumbnail: its bytes, as JPEG, with the fingerprint as ETag', async () => {
    const photo = lib.catalog.photo(idOf('red.jpg'))!;
    const { res, body } = await get(`shoebox-media://thumb/${photo.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('etag')).toBe(`"${photo.fingerprint}"`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(body).toEqual(fs.readFileSync(lib.cache.targets(photo.fingerprint!).thumb));
    expect(Number(res.headers.get('content-length'))).toBe(body.length);
  });

  it('serves the preview and the original (for full view) with its type, byte ranges and HEAD', async () => {
    const id = idOf('blue.jpg');
    const photo = lib.catalog.photo(id)!;
    const preview = await get(`shoebox-media://preview/${id}`);
    expect(preview.res.status).toBe(200);
    expect(preview.body).toEqual(fs.readFileSync(lib.cache.targets(photo.fingerprint!).preview));

    const whole = fs.readFileSync(photo.path);
    const original = await get(`shoebox-media://original/${id}`);
    expect(original.res.status).toBe(200);
    expect(original.res.headers.get('content-type')).toBe('image/jpeg');
    expect(original.res.headers.get('accept-ranges')).toBe('bytes');
    expect(original.body).toEqual(whole);

    const part = await get(`shoebox-media://original/${id}`, { headers: { range: 'bytes=2-11' } });
    expect(part.res.status).toBe(206);
    expect(part.res.headers.get('content-range')).toBe(`bytes 2-11/${whole.length}`);
    expect(part.body).toEqual(whole.subarray(2, 12));
    const tail = await get(`shoebox-media://original/${id}`, { headers: { range: 'bytes=-5' } });
    expect(tail.body).toEqual(whole.subarray(whole.length - 5));
    expect((await get(`shoebox-media://original/${id}`, { headers: { range: `bytes=${whole.length}-` } })).res.status).toBe(416);

    const head = await get(`shoebox-media://original/${id}`, { method: 'HEAD' });
    expect(head.res.status).toBe(200);
    expect(Number(head.res.headers.get('content-length'))).toBe(whole.length);
    expect(head.body).toHaveLength(0);
  });

  it('works through a real Request, as Electron hands it over', async () => {
    const id = idOf('red.jpg');
    const res = await handler(new Request(`shoebox-media://thumb/${id}`));
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  });
});

describe('shoebox-media: confinement', () => {
  it('answers 404 for an id that is not catalogued, and for an image that is not there', async () => {
    for (const url of ['shoebox-media://thumb/99999', 'shoebox-media://preview/99999', 'shoebox-media://original/99999']) {
      const { res, body } = await get(url);
      expect(res.status, url).toBe(404);
      expect(body.toString()).toMatch(/^no (thumb|preview|original) for photo 99999/);
    }
    // A preview is made from the original when first asked for; with the original gone (an
    // unplugged drive) the thumbnail stands in; with neither, there is nothing to serve.
    const grey = lib.catalog.photo(idOf('grey.jpg'))!;
    const cached = lib.cache.targets(grey.fingerprint!);
    fs.rmSync(cached.preview, { force: true });
    expect((await get(`shoebox-media://preview/${grey.id}`)).res.status).toBe(200);
    expect(fs.existsSync(cached.preview)).toBe(true);
    fs.rmSync(cached.preview);
    fs.renameSync(grey.path, `${grey.path}.away`);
    try {
      const stand = await get(`shoebox-media://preview/${grey.id}`);
      expect(stand.res.status).toBe(200);
      expect(stand.body).toEqual(fs.readFileSync(cached.thumb));
      fs.rmSync(cached.thumb);
      expect((await get(`shoebox-media://preview/${grey.id}`)).res.status).toBe(404);
      expect((await get(`shoebox-media://thumb/${grey.id}`)).res.status).toBe(404);
    } finally {
      fs.renameSync(`${grey.path}.away`, grey.path);
    }
  });

  it('never serves a file named by the URL: traversal, encodings, absolute paths, queries (400, no bytes)', async () => {
    const catalog = path.relative(photos, lib.paths.catalog);
    const attempts = [
      'shoebox-media://thumb/../../data/catalog.sqlite',
      'shoebox-media://thumb/..%2f..%2fsecret.txt',
      'shoebox-media://thumb/%2e%2e%2f%2e%2e%2fsecret.txt',
      'shoebox-media://thumb/%2e%2e/%2e%2e/secret.txt',
      'shoebox-media://%2e%2e/%2e%2e/secret.txt',
      'shoebox-media://original/..%5c..%5csecret.txt',
      `shoebox-media://original/${catalog}`,
      `shoebox-media://original/${path.join(root, 'secret.txt')}`,
      `shoebox-media://original${path.join(root, 'secret.txt')}`,
      `shoebox-media:///${path.join(root, 'secret.txt')}`,
      'shoebox-media:///etc/passwd',
      'shoebox-media://original//etc/passwd',
      'shoebox-media://original/1/../../../../etc/passwd',
      'shoebox-media://original/1%2f..%2f..%2fetc%2fpasswd',
      'shoebox-media://original/1%00',
      'shoebox-media://original/1%00.jpg',
      `shoebox-media://original/1?path=${encodeURIComponent(path.join(root, 'secret.txt'))}`,
      'shoebox-media://original/1?../../secret.txt',
      'shoebox-media://thumb/1#/../../secret.txt',
      'shoebox-media://thumb/abc',
      'shoebox-media://thumb/%31',
      'shoebox-media://file/1',
      'shoebox-media://catalog/1',
      `file://${path.join(root, 'secret.txt')}`,
    ];
    for (const url of attempts) {
      const { res, body } = await get(url);
      expect(res.status, url).toBe(400);
      expect(body.toString(), url).not.toContain(SECRET);
      expect(res.headers.get('content-type'), url).toMatch(/^text\/plain/);
    }
    // The same URLs normalised as a fetch Request would (dots resolved, %2e decoded) serve nothing either.
    for (const url of attempts) {
      let req: Request;
      try {
        req = new Request(url);
      } catch {
        continue;
      }
      const res = await handler(req);
      const body = Buffer.from(await res.arrayBuffer()).toString();
      expect(body, url).not.toContain(SECRET);
      expect([200, 400, 404], url).toContain(res.status);
      if (res.status === 200) expect(res.headers.get('content-type'), url).toBe('image/jpeg');
    }
  });

  it('takes GET and HEAD only', async () => {
    const { res } = await get(`shoebox-media://thumb/${idOf('red.jpg')}`, { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });

  it('does not serve an original swapped for a symlink to something that is not a photo', async () => {
    const id = idOf('green.jpg');
    const file = path.join(photos, 'green.jpg');
    expect((await get(`shoebox-media://original/${id}`)).res.status).toBe(200);
    fs.rmSync(file);
    fs.symlinkSync(path.join(root, 'secret.txt'), file);
    const { res, body } = await get(`shoebox-media://original/${id}`);
    expect(res.status).toBe(404);
    expect(body.toString()).not.toContain(SECRET);
    expect(await resolve(id, 'original')).toBeNull();
    // A link to a photo elsewhere is a photo the scanner follows on purpose: it is served.
    const elsewhere = await makeJpeg(path.join(root, 'Elsewhere', 'linked.jpg'), { seed: 9 });
    fs.rmSync(file);
    fs.symlinkSync(elsewhere, file);
    const linked = await get(`shoebox-media://original/${id}`);
    expect(linked.res.status).toBe(200);
    expect(linked.body).toEqual(fs.readFileSync(elsewhere));
  });

  it('answers 500, and logs, when the catalog cannot be asked', async () => {
    const broken = createMediaHandler(
      () => {
        throw new Error('database is closed');
      },
      (line) => logged.push(line),
    );
    const res = await broken(raw('shoebox-media://thumb/1'));
    expect(res.status).toBe(500);
    expect(logged.at(-1)).toBe('media thumb 1: database is closed');
  });

  it('the resolver itself refuses ids and kinds a door should never pass', async () => {
    const id = idOf('red.jpg');
    expect(await resolve(id, 'thumb')).not.toBeNull();
    expect(await resolve(0, 'thumb')).toBeNull();
    expect(await resolve(-id, 'thumb')).toBeNull();
    expect(await resolve(id + 0.5, 'thumb')).toBeNull();
    expect(await resolve(id, 'catalog' as never)).toBeNull();
  });
});
