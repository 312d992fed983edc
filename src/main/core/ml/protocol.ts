// Messages between the engine and its ML worker thread.
import type { ProviderReport, ProviderSetting } from './providers.ts';
import type { CaptionImage, CaptionModelRef, CaptionOutput, CaptionRequestOptions } from './caption-runner.ts';
import type { OcrImage, OcrModelRef, OcrOutput } from './ocr-runner.ts';
import type { FaceImage, FaceModelRef, FaceOptions, FaceOutput } from './face-runner.ts';

export interface TensorData {
  type: 'float32' | 'int64';
  /** Transferred, not copied. */
  data: ArrayBuffer;
  dims: number[];
}

export type WorkerRequest =
  | { id: number; op: 'load'; name: string; file: string; provider: ProviderSetting; threads: number }
  | { id: number; op: 'run'; name: string; feeds: Record<string, TensorData>; output?: string }
  | { id: number; op: 'caption'; model: CaptionModelRef; images: CaptionImage[]; options: CaptionRequestOptions; provider: ProviderSetting; threads: number }
  | { id: number; op: 'ocr'; model: OcrModelRef; images: OcrImage[]; provider: ProviderSetting; threads: number }
  | { id: number; op: 'faces'; model: FaceModelRef; images: FaceImage[]; options: FaceOptions; provider: ProviderSetting; threads: number }
  | { id: number; op: 'unloadCaptioners' }
  | { id: number; op: 'crash' }
  | { id: number; op: 'crashOnNextRun' };

export type WorkerResponse =
  | { id: number; ok: true; report: ProviderReport }
  | { id: number; ok: true; tensor: TensorData }
  | { id: number; ok: true; captions: CaptionOutput[]; report: ProviderReport }
  | { id: number; ok: true; ocr: OcrOutput[]; report: ProviderReport }
  | { id: number; ok: true; faces: FaceOutput[]; report: ProviderReport }
  | { id: number; ok: false; error: string };
