// Inside the ML worker: reading the text in a photo with a PaddleOCR-style model on the worker's ONNX Runtime
// sessions: detect, classify each line's orientation, recognize, decode.
//
// [Note: OCR pipeline]
// PaddleOCR's own system (tools/infer/predict_system.py), written here rather than taken from a package:
// @gutenye/ocr-node would bring a second onnxruntime-node and a second sharp (it pins sharp ^0.33), and
// @gutenye/ocr-common OpenCV in WebAssembly; Immich, which took a library for this, had to own the code
// anyway when it changed under it. The steps, with PaddleOCR's defaults:
// 1. Detection. The photo (about 960 px on its long side, from the thumbnail stage's decode) is resized to
//    multiples of 32, BGR, normalized with ImageNet's mean and std, and the DB detector gives a text probability
//    per pixel.
// 2. Boxes (ocr-geometry.ts). Pixels over 0.3, 8-connected regions, each region's least-area rectangle
//    (rotating calipers over its convex hull), kept when its mean probability is at least 0.6, then grown by
//    area × 1.5 / perimeter on every side (DB's unclip), in reading order.
// 3. A photo without a box stops here: the detector is its whole cost.
// 4. Each box is cut out of the image rectified (sampled through its corners, upright, turned a quarter when it
//    is 1.5 times taller than wide), 48 px high. The classifier sees it squeezed into 48×192 and says whether it
//    is upside down (over 0.9: it is turned half a turn).
// 5. The recognizer reads the lines in batches of similar aspect, 48 px high and as wide as the widest of the
//    batch (at least 320), padded with zeros; greedy CTC decoding over the dictionary (blank first, a space
//    last) gives the text and the mean probability of its characters, its confidence. Lines under 0.5, or with
//    no letter or digit, are dropped, and so is a line of one character under 0.8 (keepLine): on real photos
//    (bench:ocr's flickr8k-200 pass) textures were read as lone letters at 0.53-0.62 ("M" on a dog's vest, "A" on
//    a kayak, 大 on a stage's wall), while the signs' words were read at 0.85-0.99.
// 6. Spaces. The bundled Chinese and English recognizer often reads "wine shop" as "wineshop" (spaces are rare in
//    its training text); a space goes back between two characters the decoding placed either side of a word gap
//    of the line's pixels (ocr-tensors.ts wordGaps: inkless columns at least 0.2 of the text's height wide and 3
//    times the line's median gap, so a monospaced font's letters are not split). Search finds a word inside a
//    run of letters anyway ([Note: text in photos search] in catalog/photo-text.ts).
// The thresholds of step 6 were chosen on generated photos (npm run bench:ocr); the rest are PaddleOCR's.
// Boxes are returned in the input image's pixels; the stage scales them to the photo's upright size.
import { dbBoxes, quadSize, readingOrder, type Quad } from './ocr-geometry.ts';
import { ctcDecode, detectionInput, detectionSize, lineCrop, parseDictionary, wordGaps, withWordSpaces, writeLine, type RgbImage } from './ocr-tensors.ts';
import type { ProviderReport } from './providers.ts';

/** Which OCR model to run, as the worker loads it (on first use, and again after a restart). */
export interface OcrModelRef {
  /** The model's version ([Note: OCR version] in pipeline/ocr-stage.ts): the sessions' cache key. */
  key: string;
  /** Absolute paths of its files. */
  detection: string;
  classifier: string | null;
  recognition: string;
  dictionary: string;
  /** The long side of the detector's input. */
  detectionLimit: number;
}

export interface OcrImage {
  /** Packed RGB, 8 bits per channel; transferred, not copied. */
  data: ArrayBuffer;
  width: number;
  height: number;
}

export interface OcrOptions {
  /** Lines whose confidence is under this are dropped (PaddleOCR's drop_score 0.5). */
  minConfidence: number;
}

export const OCR_DEFAULTS: OcrOptions = { minConfidence: 0.5 };

/** How sure a line of a single character must be to be kept (step 5 of [Note: OCR pipeline]). */
export const LONE_CHARACTER_MIN_CONFIDENCE = 0.8;

/** Whether a read line is kept: sure enough, with a letter or a digit, and a lone character surer still. */
export function keepLine(text: string, confidence: number, opts: OcrOptions = OCR_DEFAULTS): boolean {
  if (confidence < opts.minConfidence || !/[\p{L}\p{N}]/u.test(text)) return false;
  return [...text].length > 1 || confidence >= LONE_CHARACTER_MIN_CONFIDENCE;
}

export interface OcrLine {
  text: string;
  /** The mean probability of its characters, 0–1. */
  confidence: number;
  /** Its corners in the input image's pixels: top-left, top-right, bottom-right, bottom-left as read. */
  box: Quad;
}

export interface OcrOutput {
  lines: OcrLine[];
  /** Boxes the detector found; lines the recognizer read (0 for a photo without text). */
  boxes: number;
  recognized: number;
  /** Milliseconds spent detecting (the detector and its boxes) and recognizing (classifier, recognizer, decoding). */
  ms: { detect: number; recognize: number };
  /** Why this image could not be read (the others of its request were). */
  error?: string;
}

/** The worker's sessions, as the runner uses them: loaded by name from a file, run on one float input. */
export interface OcrSessions {
  ensure(name: string, file: string): Promise<ProviderReport>;
  run(name: string, input: Float32Array, dims: number[]): Promise<{ data: Float32Array; dims: number[] }>;
}

const CLS_WIDTH = 192;
const REC_HEIGHT = 48;
const REC_MIN_WIDTH = 320;
/** The widest recognizer input: a longer line is squeezed into it (about 40 characters' width). */
const REC_MAX_WIDTH = 48 * 40;
const REC_BATCH = 8;
/** A gap between words: inkless columns at least this share of the text's height wide. */
const WORD_GAP = 0.2;
const CLS_BATCH = 32;

const dictionaries = new Map<string, string[]>();

/** A model file that will not load: the model's problem, never a photo's. */
export class OcrLoadError extends Error {}

export class OcrRunner {
  constructor(
    private readonly sessions: OcrSessions,
    private readonly readText: (file: string) => string,
  ) {}

  private names(ref: OcrModelRef) {
    return { det: `ocr:${ref.key}:det`, cls: `ocr:${ref.key}:cls`, rec: `ocr:${ref.key}:rec` };
  }

  /** Loads the detector's session (once); returns where it runs. */
  load(ref: OcrModelRef): Promise<ProviderReport> {
    return this.sessions.ensure(this.names(ref).det, ref.detection);
  }

  /**
   * Loads the classifier's and the recognizer's sessions and the dictionary (once each): when the first box is
   * found, so that a library without text never loads them.
   */
  private async loadReaders(ref: OcrModelRef): Promise<void> {
    const n = this.names(ref);
    try {
      if (ref.classifier) await this.sessions.ensure(n.cls, ref.classifier);
      await this.sessions.ensure(n.rec, ref.recognition);
      if (!dictionaries.has(ref.dictionary)) dictionaries.set(ref.dictionary, parseDictionary(this.readText(ref.dictionary)));
    } catch (e) {
      throw new OcrLoadError(e instanceof Error ? e.message : String(e));
    }
  }

  async read(ref: OcrModelRef, image: RgbImage, opts: OcrOptions = OCR_DEFAULTS): Promise<OcrOutput> {
    await this.load(ref);
    const n = this.names(ref);
    const t0 = performance.now();
    const size = detectionSize(image.width, image.height, ref.detectionLimit);
    const map = await this.sessions.run(n.det, detectionInput(image, size.width, size.height), [1, 3, size.height, size.width]);
    const mh = map.dims[2] ?? size.height;
    const mw = map.dims[3] ?? size.width;
    const boxes = readingOrder(dbBoxes(map.data, mw, mh, image.width, image.height)).filter((b) => {
      const s = quadSize(b.quad);
      return s.width > 3 && s.height > 3;
    });
    const t1 = performance.now();
    if (boxes.length === 0) return { lines: [], boxes: 0, recognized: 0, ms: { detect: t1 - t0, recognize: 0 } };
    await this.loadReaders(ref);

    const turned = ref.classifier ? await this.orientations(n.cls, image, boxes.map((b) => b.quad)) : boxes.map(() => false);
    const crops = boxes.map((b, i) => lineCrop(b.quad, turned[i]!));
    const dictionary = dictionaries.get(ref.dictionary)!;
    const read: { text: string; confidence: number }[] = new Array(boxes.length);
    const byAspect = crops.map((_, i) => i).sort((a, b) => crops[a]!.width / crops[a]!.height - crops[b]!.width / crops[b]!.height);
    for (let s = 0; s < byAspect.length; s += REC_BATCH) {
      const batch = byAspect.slice(s, s + REC_BATCH);
      const widest = Math.max(...batch.map((i) => Math.ceil((REC_HEIGHT * crops[i]!.width) / crops[i]!.height)));
      const width = Math.min(REC_MAX_WIDTH, Math.max(REC_MIN_WIDTH, widest));
      const slot = 3 * REC_HEIGHT * width;
      const input = new Float32Array(batch.length * slot);
      const widths = batch.map((i, j) => writeLine(image, crops[i]!, input, j * slot, REC_HEIGHT, width));
      const out = await this.sessions.run(n.rec, input, [batch.length, 3, REC_HEIGHT, width]);
      const [, steps, classes] = out.dims as [number, number, number];
      batch.forEach((i, j) => {
        const decoded = ctcDecode(out.data, j * steps * classes, steps, classes, dictionary);
        const gaps = wordGaps(input, j * slot, REC_HEIGHT, width, widths[j]!, WORD_GAP);
        read[i] = { text: withWordSpaces(decoded, gaps, width / steps), confidence: decoded.confidence };
      });
    }
    const lines: OcrLine[] = [];
    boxes.forEach((b, i) => {
      const text = read[i]!.text.trim();
      if (keepLine(text, read[i]!.confidence, opts)) {
        lines.push({ text, confidence: read[i]!.confidence, box: b.quad });
      }
    });
    return { lines, boxes: boxes.length, recognized: boxes.length, ms: { detect: t1 - t0, recognize: performance.now() - t1 } };
  }

  /** Whether each line is upside down, by the classifier (label 180° over 0.9, PaddleOCR's cls_thresh). */
  private async orientations(session: string, image: RgbImage, quads: readonly Quad[]): Promise<boolean[]> {
    const out: boolean[] = [];
    const slot = 3 * REC_HEIGHT * CLS_WIDTH;
    for (let s = 0; s < quads.length; s += CLS_BATCH) {
      const batch = quads.slice(s, s + CLS_BATCH);
      const input = new Float32Array(batch.length * slot);
      batch.forEach((q, j) => writeLine(image, lineCrop(q, false), input, j * slot, REC_HEIGHT, CLS_WIDTH));
      const probs = await this.sessions.run(session, input, [batch.length, 3, REC_HEIGHT, CLS_WIDTH]);
      batch.forEach((_, j) => {
        const up = probs.data[j * 2]!;
        const down = probs.data[j * 2 + 1]!;
        out.push(down > up && down > 0.9);
      });
    }
    return out;
  }
}
