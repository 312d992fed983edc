// `shoebox serve`: the window in a browser — the library behind a token-guarded HTTP server on
// 127.0.0.1, indexing and watching as the app does, until Ctrl-C or SIGTERM.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Library } from '../core/library.ts';
import { createTrash } from '../core/trash/trash.ts';
import { createApi } from '../core/handlers/methods.ts';
import { libraryMedia, startServer } from '../server/serve.ts';
import { UsageError, type Context } from './context.ts';
import { errorMessage } from '../../shared/error-message.ts';

/** The package root (src/main/cli → ../../..), where `npm run build` leaves out/renderer. */
const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The built window: $SHOEBOX_RENDERER_DIR (tests, a build elsewhere), else <package>/out/renderer. */
export function rendererDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SHOEBOX_RENDERER_DIR ? path.resolve(env.SHOEBOX_RENDERER_DIR) : path.join(PACKAGE_ROOT, 'out', 'renderer');
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return 0;
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new UsageError(`--port must be a port number from 0 to 65535 (0 picks a free one), got '${text}'`);
  return Number(text);
}

export async function serveCommand(ctx: Context, args: string[], opts: { port?: string; noIndex?: boolean }): Promise<number> {
  if (args.length) throw new UsageError('serve takes no arguments');
  const port = parsePort(opts.port);
  const { io } = ctx;
  const dir = rendererDir();
  if (!fs.existsSync(path.join(dir, 'index.html'))) {
    io.err.write(
      `shoebox: the window is not built (${path.join(dir, 'index.html')} is missing): run \`npm run build\` first` +
        (process.env.SHOEBOX_RENDERER_DIR ? ' (or point SHOEBOX_RENDERER_DIR at a built renderer)' : '') +
        '\n',
    );
    return 1;
  }
  const log = (line: string): void => void io.err.write(`${line}\n`);

  // The catalog's check runs beside the first search, not in front of it ([Note: catalog damage]).
  const lib = Library.open({ dataDir: ctx.dataDir, modelsDir: ctx.modelsDir, checkInBackground: true, trash: createTrash(process.env) });
  const api = createApi(lib, { log: (m) => log(`shoebox: ${m}`) });
  let stopRequested: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (stopRequested = resolve));
  let stopping = false;
  let exitCode = 0;
  // Damage the check on open finds stops the command with its message, as a damaged catalog found by
  // the open itself does (nothing was written); damage found later leaves the library served read-only.
  lib.onDamage((e) => {
    if (lib.checkedOnOpen) {
      log(`shoebox: ${e.message} Serving it read-only until you stop.`);
      return;
    }
    log(`shoebox: ${e.message}`);
    exitCode = 1;
    if (stopping) return;
    stopping = true;
    stopRequested();
  });
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second Ctrl-C while shutting down: leave now.
      io.err.write(`${signal} again: exiting without waiting\n`);
      process.exit(130);
    }
    stopping = true;
    io.err.write(`${signal}: stopping; letting the work in flight finish…\n`);
    stopRequested();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let server: Awaited<ReturnType<typeof startServer>> | null = null;
  let watching: Promise<void> = Promise.resolve();
  try {
    server = await startServer({ handlers: api.handlers, events: api.events, media: libraryMedia(lib), rendererDir: dir, port, log: (l) => log(`shoebox: ${l}`) });
    // The one line on stdout, written before anything slow: scripts and tests wait for it.
    await new Promise<void>((resolve) => io.out.write(`Shoebox is serving ${server!.url}\n`, () => resolve()));
    log(`library: ${ctx.dataDir}`);
    // The first search's index and text encoder, loaded while the browser opens the page.
    void lib.warmUp().then((w) => {
      for (const e of w.errors) log(`shoebox: search not ready ahead: ${e}`);
    });
    if (opts.noIndex) {
      log('not indexing (--no-index): the library is served as it is');
    } else if (!stopping) {
      if (lib.catalog.folders().length === 0) log('the library has no folders yet: add one in the window');
      // As `watch` and the app do: scan the folders, then watch them; the work queue runs meanwhile.
      log('scanning the folders…');
      watching = lib
        .scan()
        .then(async (scans) => {
          log(`scan: ${scans.reduce((n, s) => n + s.seen, 0)} photos seen; indexing and watching the folders for changes`);
          if (stopping) return;
          await lib.watch((e) => {
            if (e.type === 'folder') log(`${e.path} is ${e.online ? 'back online' : 'offline'}`);
            if (e.type === 'error') log(`watch error: ${e.message}`);
          });
        })
        .catch((e: unknown) => log(`shoebox: indexing failed: ${errorMessage(e)}`));
    }
    log('press Ctrl-C to stop');
    await stopped;
    return exitCode;
  } finally {
    try {
      await server?.close();
      await watching;
      api.close();
      await lib.close();
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}
