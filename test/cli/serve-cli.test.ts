// `shoebox serve` as a user runs it: one URL line on stdout, the API behind its token, a clean stop on SIGTERM.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { writeFixtureModels } from '../fixtures/models/write-fixtures.ts';
import { makeJpeg, tempDir } from '../helpers/photos.ts';
import { shoebox, shoeboxStart } from '../helpers/cli.ts';

// The first test runs `serve` as a subprocess (the real command, stopped by a real SIGTERM); the rest
// run in-process through main(argv, io), where a signal is the process's SIGINT listeners being called.

const CLI = path.resolve(import.meta.dirname, '../../bin/shoebox.js');
const SERVING = /^Shoebox is serving (http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43})\n/;

/** A stand-in for the built window (SHOEBOX_RENDERER_DIR), so the test needs no `npm run build`. */
function fakeRenderer(): string {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Shoebox</title><div id="app"></div>');
  return dir;
}

/** `shoebox serve` as a subprocess. */
function serve(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL line in 60 s\nstdout: ${out}\nstderr: ${err}`)), 60_000);
    child.stdout.on('data', () => {
      const m = SERVING.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exit.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}) before serving\nstdout: ${out}\nstderr: ${err}`));
    });
  });
  return { child, url, exit, out: () => out, err: () => err };
}

describe('shoebox serve', () => {
  it('prints one URL line, serves the API with its token, indexes, and exits 0 on SIGTERM', async () => {
    const root = tempDir();
    const models = path.join(root, 'models');
    await writeFixtureModels(models);
    const photos = path.join(root, 'Photos');
    await makeJpeg(path.join(photos, 'a.jpg'), { seed: 1 });
    await makeJpeg(path.join(photos, 'b.jpg'), { seed: 2 });
    const data = path.join(root, 'data');
    expect((await shoebox(['--data', data, '--models', models, 'add', photos])).code).toBe(0);

    const s = serve(['--data', data, '--models', models, 'serve', '--port', '0'], { SHOEBOX_RENDERER_DIR: fakeRenderer() });
    try {
      const url = await s.url;
      const { origin, searchParams } = new URL(url);
      const token = searchParams.get('token')!;
      const status = (method: string, headers: Record<string, string>) => fetch(`${origin}/api/${method}`, { method: 'POST', headers });
      expect((await status('status', {})).status).toBe(401);
      const r = await status('status', { authorization: `Bearer ${token}` });
      expect(r.status).toBe(200);
      expect(await r.json()).toMatchObject({ ok: true, value: { folders: [{ path: photos }] } });
      // Indexing runs behind the server: the thumbnails appear.
      let thumbs = 0;
      for (let i = 0; i < 300 && thumbs < 2; i++) {
        const body = (await (await status('status', { authorization: `Bearer ${token}` })).json()) as { value: { stages: { stage: string; done: number }[] } };
        thumbs = body.value.stages.find((st) => st.stage === 'thumb')?.done ?? 0;
        if (thumbs < 2) await new Promise((res) => setTimeout(res, 100));
      }
      expect(thumbs).toBe(2);
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="app">');
    } finally {
      s.child.kill('SIGTERM');
    }
    const { code } = await s.exit;
    expect(code, s.err()).toBe(0);
    expect(s.out().split('\n').filter(Boolean)).toHaveLength(1);
    expect(s.err()).toMatch(/SIGTERM: stopping/);
    // The library lock was released: another command opens it.
    expect((await shoebox(['--data', data, '--models', models, 'add', photos])).code).toBe(0);
  });

  it('with --no-index serves without indexing; stops on SIGINT too', async () => {
    const root = tempDir();
    const photos = path.join(root, 'Photos');
    await makeJpeg(path.join(photos, 'a.jpg'), { seed: 3 });
    const data = path.join(root, 'data');
    expect((await shoebox(['--data', data, 'add', photos])).code).toBe(0);
    const s = shoeboxStart(['--data', data, 'serve', '--no-index', '--port', '0'], { SHOEBOX_RENDERER_DIR: fakeRenderer() });
    try {
      const url = new URL((await s.waitForOut(SERVING))[1]!);
      await new Promise((res) => setTimeout(res, 500));
      const r = await fetch(`${url.origin}/api/status?token=${url.searchParams.get('token')}`, { method: 'POST' });
      expect(await r.json()).toMatchObject({ ok: true, value: { photos: 0 } });
      expect(s.err()).toMatch(/--no-index/);
    } finally {
      // Ctrl-C: serve's SIGINT listener is called as for a real signal (a real one could end the test worker: on Windows, or if serve had no listener).
      process.emit('SIGINT', 'SIGINT');
    }
    expect((await s.done).code, s.err()).toBe(0);
  });

  it('over a catalog damaged inside a table: the check beside the first search stops it with the message, nothing written', async () => {
    const root = tempDir();
    const photos = path.join(root, 'Photos');
    await makeJpeg(path.join(photos, 'a.jpg'), { seed: 4 });
    const data = path.join(root, 'data');
    expect((await shoebox(['--data', data, 'add', photos])).code).toBe(0);
    expect((await shoebox(['--data', data, '--quiet', 'index'])).code).toBe(0);
    const file = path.join(data, 'catalog.sqlite');
    const db = new Database(file, { readonly: true });
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const page = db.prepare("SELECT pageno FROM dbstat WHERE name = 'photos' ORDER BY pageno DESC LIMIT 1").pluck().get() as number;
    db.close();
    for (const suffix of ['-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, crypto.randomBytes(pageSize), 0, pageSize, (page - 1) * pageSize);
    fs.closeSync(fd);
    const before = fs.readFileSync(file);
    const s = shoeboxStart(['--data', data, 'serve', '--port', '0'], { SHOEBOX_RENDERER_DIR: fakeRenderer() });
    const { code } = await s.done;
    expect(code, s.err()).toBe(1);
    expect(s.err()).toMatch(/the catalog .*catalog\.sqlite is damaged: the integrity check failed: .*Nothing was written to it\./);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('says to run npm run build when the window is not built, and rejects a bad port', async () => {
    const data = tempDir();
    const missing = await shoebox(['--data', data, 'serve'], { SHOEBOX_RENDERER_DIR: path.join(data, 'nowhere') });
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/npm run build/);
    expect(missing.out).toBe('');
    const port = await shoebox(['--data', data, 'serve', '--port', 'eighty']);
    expect(port.code).toBe(2);
    expect(port.err).toMatch(/--port must be a port number/);
    expect((await shoebox(['status', '--port', '1'])).code).toBe(2);
  });
});
