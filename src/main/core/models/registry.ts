// The models Shoebox knows without a manifest: hub repos at pinned revisions, with every file's size and sha256 we have.
import type { ModelSpec, ModelTask } from './spec.ts';

const CLIP_REPO = 'Xenova/clip-vit-base-patch32';
const CLIP_REVISION = 'd15189d7028b43f1d3e65039190477f6af591c2a';

/** The small files of the CLIP repo (configs and tokenizer), byte-identical to the hub's at CLIP_REVISION. */
const CLIP_SMALL_FILES = [
  { path: 'config.json', size: 4524, sha256: '493ef57ff783e42d1530c91b53469b7fdf8db8a9c1408e86998fcb7899a4f495' },
  { path: 'preprocessor_config.json', size: 520, sha256: '6f638fb9401a6d6296feff533ee7efe657b787c49f954f82f5906b36ef2a1b1f' },
  { path: 'tokenizer.json', size: 2224119, sha256: 'f7f3b7af117d467b58374797691a6438d3e6b9e9cef800dfd5dced7f697a90cd' },
  { path: 'tokenizer_config.json', size: 775, sha256: '60ba2912bc6344c94bc16bbdec27fa1209409167b6f2fdf3cfe9e65462ea3967' },
  { path: 'special_tokens_map.json', size: 472, sha256: 'c4864a9376a8401918425bed71fc14fc0e81f9b59ec45c1cf96cccb2df508eac' },
  { path: 'vocab.json', size: 862328, sha256: '5047b556ce86ccaf6aa22b3ffccfc52d391ea4accdab9c2f2407da5b742d4363' },
  { path: 'merges.txt', size: 524619, sha256: '9fd691f7c8039210e0fced15865466c65820d09b63988b0174bfe25de299051a' },
];

const FLORENCE_REPO = 'onnx-community/Florence-2-base-ft';
/**
 * A commit of the ONNX export that public download scripts pin. The shared model notes give no
 * sizes or hashes for Florence-2, so every file is checked against the sha256 and size the hub
 * reports for it at this revision (X-Linked-Etag for large files).
 */
const FLORENCE_REVISION = 'e88a44eaf3791a35eae0c5a47b3dbcd36e67eb6f';
/** The small files both captioners' repos have (configs and a GPT-2-style BPE tokenizer), unpinned. */
const CAPTIONER_SMALL_FILES = [
  { path: 'config.json' },
  { path: 'generation_config.json' },
  { path: 'preprocessor_config.json' },
  { path: 'tokenizer.json' },
  { path: 'tokenizer_config.json' },
  { path: 'special_tokens_map.json' },
  { path: 'vocab.json' },
  { path: 'merges.txt' },
];
const FLORENCE_TASKS = ['<CAPTION>', '<DETAILED_CAPTION>', '<MORE_DETAILED_CAPTION>'];
const FLORENCE_QUALITY = 'published COCO Karpathy test CIDEr 140.0 (BLIP ViT-B 133.3, ClipCap 113.1).';
const FLORENCE_PINS = 'No sizes or hashes are pinned here: each file is checked against what the hub reports at the pinned revision.';

const CLIP_RETRIEVAL =
  'Published zero-shot text→image retrieval of OpenAI CLIP ViT-B/32, R@1/5/10: Flickr30k 58.8/83.6/90.0, COCO 5k 30.4/55.9/66.9.';

export const BUILTIN_MODELS: ModelSpec[] = [
  {
    id: 'clip-vit-b32-q8',
    task: 'clip',
    title: 'CLIP ViT-B/32 (8-bit, 154 MB)',
    repo: CLIP_REPO,
    revision: CLIP_REVISION,
    files: [
      ...CLIP_SMALL_FILES,
      { path: 'onnx/vision_model_quantized.onnx', size: 89117001, sha256: '583fd1110a514667812fee7d684952aaf82a99b959760c8d7dca7e0ab9839299' },
      { path: 'onnx/text_model_quantized.onnx', size: 64504507, sha256: '73baab855d406190da9faa498cfedf65f15cf309f4cc7385b7b032e6d08e5c3a' },
    ],
    clip: { vision: 'onnx/vision_model_quantized.onnx', text: 'onnx/text_model_quantized.onnx', dim: 512, maxTokens: 77 },
    notes: `OpenAI CLIP ViT-B/32 quantized to 8 bits: small and fast on a CPU. ${CLIP_RETRIEVAL} (full-precision figures; the 8-bit model was not measured separately.)`,
  },
  {
    id: 'clip-vit-b32-fp32',
    task: 'clip',
    title: 'CLIP ViT-B/32 (full precision)',
    repo: CLIP_REPO,
    revision: CLIP_REVISION,
    files: [
      ...CLIP_SMALL_FILES,
      { path: 'onnx/vision_model.onnx', size: 351685709, sha256: 'fd6e1402a588279d1723c7534d4bcba5bc0b14b47dfab0e46f8c47b8270d7d40' },
      // No pin for the full-precision text encoder: the download checks the sha256 and size the hub reports.
      { path: 'onnx/text_model.onnx' },
    ],
    clip: { vision: 'onnx/vision_model.onnx', text: 'onnx/text_model.onnx', dim: 512, maxTokens: 77 },
    notes: `OpenAI CLIP ViT-B/32 in full precision: the reference quality, a larger download (image encoder 352 MB) and slower. ${CLIP_RETRIEVAL}`,
  },
  {
    id: 'florence-2-base-ft-q8',
    task: 'caption',
    title: 'Florence-2 base captioner (8-bit)',
    repo: FLORENCE_REPO,
    revision: FLORENCE_REVISION,
    files: [
      ...CAPTIONER_SMALL_FILES,
      { path: 'onnx/vision_encoder_quantized.onnx' },
      { path: 'onnx/embed_tokens_quantized.onnx' },
      { path: 'onnx/encoder_model_quantized.onnx' },
      { path: 'onnx/decoder_model_merged_quantized.onnx' },
    ],
    caption: { arch: 'florence2', dtype: 'q8', tasks: FLORENCE_TASKS },
    notes: `Microsoft Florence-2 base, fine-tuned, quantized to 8 bits; ${FLORENCE_QUALITY} ${FLORENCE_PINS}`,
  },
  {
    id: 'florence-2-base-ft-fp32',
    task: 'caption',
    title: 'Florence-2 base captioner (full precision)',
    repo: FLORENCE_REPO,
    revision: FLORENCE_REVISION,
    files: [
      ...CAPTIONER_SMALL_FILES,
      { path: 'onnx/vision_encoder.onnx' },
      { path: 'onnx/embed_tokens.onnx' },
      { path: 'onnx/encoder_model.onnx' },
      { path: 'onnx/decoder_model_merged.onnx' },
    ],
    caption: { arch: 'florence2', dtype: 'fp32', tasks: FLORENCE_TASKS },
    notes: `Microsoft Florence-2 base, fine-tuned, full precision (about 1 GB); ${FLORENCE_QUALITY} ${FLORENCE_PINS}`,
  },
  {
    id: 'caption-vit-gpt2-q8',
    task: 'caption',
    title: 'ViT-GPT2 image captioner (8-bit, light)',
    repo: 'Xenova/vit-gpt2-image-captioning',
    revision: 'main',
    files: [
      ...CAPTIONER_SMALL_FILES,
      { path: 'onnx/encoder_model_quantized.onnx', size: 87453213, sha256: '6f6e2e27c11303cf533682184543333e7ecb930a734197a0272a1e408aba2766' },
      { path: 'onnx/decoder_model_merged_quantized.onnx', size: 158599996, sha256: '1f3ec53b5fc3614c0b54ee786755a7ec3007841f57543f8e241499edfadfa98f' },
    ],
    caption: { arch: 'vision-encoder-decoder', dtype: 'q8', tasks: [] },
    notes:
      'ViT encoder with a GPT-2 decoder, quantized to 8 bits (encoder 87 MB, decoder 159 MB): the light choice, no task prompts. ' +
      "Its files were mirrored from the hub's main branch and no commit of that mirror is known: the two ONNX files are pinned, " +
      'the config and tokenizer files are checked only against what the hub reports.',
  },
];

/** The model used for each task when neither a models-folder manifest nor a setting picks one. */
export const DEFAULT_MODELS: Record<ModelTask, string> = {
  clip: 'clip-vit-b32-q8',
  caption: 'florence-2-base-ft-q8',
};
