// What a model is to Shoebox: a hub repo at a pinned revision, its files with sizes and hashes, and
// how to run it. A model's folder keeps the hub's layout (config.json, preprocessor_config.json,
// tokenizer files, onnx/*.onnx), so downloads, imported folders and test fixtures load alike.

export type ModelTask = 'clip' | 'caption';

export interface ModelFile {
  /** Path inside the model folder, with forward slashes, e.g. 'onnx/vision_model_quantized.onnx'. */
  path: string;
  /** Size in bytes, when pinned. */
  size?: number;
  /** Lower-case hex SHA-256, when pinned. Without a pin, the download checks the hash the hub reports. */
  sha256?: string;
}

export interface ClipRuntime {
  /** ONNX file of the image encoder: input pixel_values [N,3,H,W] → image_embeds [N,dim]. */
  vision: string;
  /** ONNX file of the text encoder: input input_ids [N,L] (int64) → text_embeds [N,dim]. */
  text: string;
  /** Embedding dimension. */
  dim: number;
  /** Token sequence length the text encoder takes (77 for CLIP). */
  maxTokens: number;
}

export interface ModelSpec {
  /** Shoebox's id for the model, stable across versions: e.g. 'clip-vit-b32-q8'. */
  id: string;
  task: ModelTask;
  /** Shown in model pickers. */
  title: string;
  /** Hub repo, e.g. 'Xenova/clip-vit-base-patch32'. */
  repo: string;
  /** Pinned hub revision (a commit sha, or 'main' only for fixtures). */
  revision: string;
  files: ModelFile[];
  clip?: ClipRuntime;
  /** One line on quality or size, for docs and pickers. */
  notes?: string;
}

/**
 * A models folder may hold `shoebox-models.json`: extra model specs (test fixtures, a user's own
 * models) and which model is active per task. `npm run fixtures:models -- <dir>` writes one.
 */
export interface ModelsManifest {
  models: ModelSpec[];
  active?: Partial<Record<ModelTask, string>>;
}

export const MANIFEST_FILE = 'shoebox-models.json';
