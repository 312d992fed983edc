// CLI model management: `models list | download <id> | import <id> <folder> | verify <id>`.
import { resolveHubEndpoint } from '../core/models/hub.ts';
import type { ModelProgress } from '../core/models/progress.ts';
import { MODEL_SETTINGS, type ModelTask } from '../core/models/spec.ts';
import { formatDuration } from './progress-bar.ts';
import { ProgressBar } from './progress-bar.ts';
import { modelStore, UsageError, withReader, type Context } from './context.ts';

function bytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)} kB`;
  return `${n} B`;
}

function progressReporter(ctx: Context, verb: string): (e: ModelProgress) => void {
  const bar = new ProgressBar(ctx.io.err, !ctx.quiet);
  return (e) => {
    const o = e.overall;
    if (e.status === 'progress' || e.status === 'verify' || e.status === 'download') {
      const pct = o.total > 0 ? ` ${((o.loaded / o.total) * 100).toFixed(0)}%` : '';
      bar.update(`${verb} ${e.model}${pct}  ${bytes(o.loaded)}/${bytes(o.total)}  ${bytes(o.rate)}/s  ETA ${formatDuration(o.etaSeconds)}  ${e.file}`);
    } else if (e.status === 'done') {
      bar.update(`${e.skipped ? 'already there' : verb === 'verifying' ? 'checked' : 'done'}: ${e.file}`, true);
    } else if (e.status === 'ready' || e.status === 'error') {
      bar.done();
    }
  };
}

/** The model settings (clip_model, caption_model, ocr_model), read without the engine lock. */
function modelSettings(ctx: Context): Partial<Record<ModelTask, string>> {
  return withReader(ctx, (r) => Object.fromEntries(TASKS.map((t) => [t, r.catalog.setting(MODEL_SETTINGS[t])]))) ?? {};
}

const TASKS = Object.keys(MODEL_SETTINGS) as ModelTask[];

function endpointSetting(ctx: Context): string | undefined {
  return withReader(ctx, (r) => r.catalog.setting('hub_endpoint')) ?? undefined;
}

export async function modelsCommand(ctx: Context, args: string[], json: boolean): Promise<number> {
  const [sub, ...rest] = args;
  const store = modelStore(ctx);
  switch (sub ?? 'list') {
    case 'list': {
      // The active model of each task: the manifest's choice, else the setting, else the default.
      const settings = modelSettings(ctx);
      const active = new Set<string>();
      for (const task of TASKS) {
        try {
          active.add(store.active(task, settings[task]).id);
        } catch (e) {
          ctx.io.err.write(`shoebox: ${(e as Error).message}\n`);
        }
      }
      const rows = store.specs().map((s) => {
        const st = store.state(s);
        const size = s.files.reduce((n, f) => n + (f.size ?? 0), 0);
        return { id: s.id, task: s.task, title: s.title, repo: s.repo, revision: s.revision, active: active.has(s.id), installed: st.installed, missing: st.missing, partial: st.partial, bytes: size, folder: store.location(s), notes: s.notes ?? null };
      });
      if (json) {
        ctx.io.out.write(JSON.stringify({ modelsDir: store.modelsDir, models: rows }, null, 2) + '\n');
        return 0;
      }
      ctx.io.out.write(`models folder: ${store.modelsDir}\n`);
      for (const r of rows) {
        const state = r.installed ? 'installed' : r.partial.length ? 'partly downloaded' : 'not installed';
        ctx.io.out.write(`${r.active ? '*' : ' '} ${r.id.padEnd(24)} ${r.task.padEnd(8)} ${state.padEnd(18)} ${r.bytes ? bytes(r.bytes).padStart(9) : '        ?'}  ${r.title}\n`);
      }
      ctx.io.out.write('(* active)  download: shoebox models download <id>   import: shoebox models import <id> <folder>\n');
      return 0;
    }
    case 'download': {
      if (rest.length !== 1) throw new UsageError('models download takes one model id');
      const spec = store.spec(rest[0]!);
      const endpoint = resolveHubEndpoint(endpointSetting(ctx));
      ctx.io.err.write(`downloading ${spec.id} (${spec.repo}@${spec.revision.slice(0, 12)}) from ${endpoint}\n`);
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      try {
        const r = await store.download(spec, { endpoint, signal: controller.signal, onProgress: progressReporter(ctx, 'downloading') });
        ctx.io.out.write(`${spec.id} is installed in ${store.folder(spec)} (${r.downloaded.length} downloaded, ${r.skipped.length} already there, ${bytes(r.bytes)} transferred)\n`);
        return 0;
      } finally {
        process.off('SIGINT', onSignal);
      }
    }
    case 'import': {
      if (rest.length !== 2) throw new UsageError('models import takes a model id and a folder');
      const spec = store.spec(rest[0]!);
      const r = await store.importFolder(spec, rest[1]!, progressReporter(ctx, 'importing'));
      ctx.io.out.write(`imported ${r.imported.length} files of ${spec.id} into ${store.folder(spec)}\n`);
      if (r.unchecked.length) ctx.io.out.write(`accepted without a pinned hash: ${r.unchecked.join(', ')}\n`);
      if (r.missing.length) {
        ctx.io.err.write(`still missing: ${r.missing.join(', ')} (\`shoebox models download ${spec.id}\` fetches them)\n`);
        return 1;
      }
      return 0;
    }
    case 'verify': {
      if (rest.length !== 1) throw new UsageError('models verify takes one model id');
      const spec = store.spec(rest[0]!);
      const r = await store.verify(spec, progressReporter(ctx, 'verifying'));
      if (json) ctx.io.out.write(JSON.stringify({ model: spec.id, ...r }, null, 2) + '\n');
      else if (r.ok) ctx.io.out.write(`${spec.id}: every file is present and matches its size and sha256\n`);
      else for (const p of r.problems) ctx.io.out.write(`${spec.id}: ${p.path}: ${p.problem}\n`);
      return r.ok ? 0 : 1;
    }
    default:
      throw new UsageError(`unknown models command '${sub}': use list, download, import or verify`);
  }
}
