// Descriptions that cameras, phones and scanners write by themselves: not the user's caption.
//
// Where the entries come from (each list read, not guessed):
//   - PhotoPrism, internal/meta/sanitize.go (UnwantedDescriptions): "OLYMPUS DIGITAL CAMERA",
//     "SAMSUNG", "SAMSUNG CAMERA PICTURES", "<Digimax i5, Samsung #1>", "SONY DSC", "Scanner"
//     (KODAK Slide N Scan), "Created by Imlib", "iClarified", "binary comment", "default",
//     "Exif_JPEG_PICTURE", "DVC 10.1 HDMI", "charset=Ascii", and the scene-mode codes Huawei phones
//     write ("rhdr", "hdrpl", "mde", "btfhdr", …), and a DCIM path;
//   - iNaturalist, app/models/local_photo.rb (BRANDED_DESCRIPTIONS): "MOULTRIE DIGITAL GAME CAMERA",
//     "<KENOX S1050 / Samsung S1050>", "KODAK Digital Still Camera", "DIGITAL CAMERA",
//     "MINOLTA DIGITAL CAMERA";
//   - KPhotoAlbum, Settings/SettingsData.cpp (the default of commentsToStrip): "Exif_JPEG_PICTURE",
//     "OLYMPUS DIGITAL CAMERA", "JENOPTIK DIGITAL CAMERA";
//   - real files of this project's issue: "SANYO DIGITAL CAMERA", "<Digimax i50 MP3, Samsung #1 MP3>",
//     "<KENOX S630 / Samsung S630>";
//   - the list Shoebox had before (xmp.ts): "KONICA MINOLTA DIGITAL CAMERA", "SAMSUNG DIGITAL CAMERA",
//     "LEAD Technologies Inc. V1.01", "DCIM", "untitled", "image", "picture".
//
// Besides the list: text made only of whitespace, NULs or punctuation; "<…>" wrapped around a
// Samsung model ("<KENOX S630 / Samsung S630>", "<Digimax i50 MP3, Samsung #1 MP3>"): the form
// Samsung's compact cameras write; "<maker> DIGITAL CAMERA" and "<maker> DIGITAL STILL CAMERA" for
// the makers below; and a description that only repeats the photo's own make or model.

/** Whole descriptions, compared lower-cased with whitespace collapsed. */
export const BOILERPLATE_DESCRIPTIONS: ReadonlySet<string> = new Set(
  [
    // Cameras
    'OLYMPUS DIGITAL CAMERA',
    'SONY DSC',
    'SANYO DIGITAL CAMERA',
    'MINOLTA DIGITAL CAMERA',
    'KONICA MINOLTA DIGITAL CAMERA',
    'JENOPTIK DIGITAL CAMERA',
    'MOULTRIE DIGITAL GAME CAMERA',
    'KODAK Digital Still Camera',
    'SAMSUNG',
    'SAMSUNG DIGITAL CAMERA',
    'SAMSUNG CAMERA PICTURES',
    'DIGITAL CAMERA',
    'DVC 10.1 HDMI',
    'Scanner',
    // Software and placeholders
    'Exif_JPEG_PICTURE',
    'LEAD Technologies Inc. V1.01',
    'Created by Imlib',
    'iClarified',
    'binary comment',
    'charset=Ascii',
    'default',
    'DCIM',
    'untitled',
    'image',
    'picture',
    // Huawei phones' scene-mode codes
    'rhdr', 'hdrpl', 'oznorWO', 'frontbhdp', 'fbt', 'rbt', 'ptr', 'fbthdr', 'btr', 'mon', 'nor', 'dav', 'mde', 'mde_soft',
    'edf', 'btfmdn', 'btf', 'btfhdr', 'frem', 'oznor', 'rpt', 'burst', 'sdr_HDRB', 'cof', 'qrf', 'fshbty',
  ].map((s) => normalize(s)),
);

/** Makers whose cameras write "<MAKER> DIGITAL CAMERA" (the ones in the lists above, by their first word). */
export const DIGITAL_CAMERA_MAKERS: readonly string[] = ['olympus', 'sanyo', 'minolta', 'konica minolta', 'jenoptik', 'samsung', 'kodak', 'moultrie'];

/** Patterns of whole descriptions cameras write. */
export const BOILERPLATE_PATTERNS: readonly RegExp[] = [
  // Samsung compacts: "<KENOX S630 / Samsung S630>", "<Digimax i5, Samsung #1>", "<Digimax i50 MP3, Samsung #1 MP3>".
  /^<[^<>]*\bsamsung\b[^<>]*>$/i,
  // "<maker> DIGITAL [STILL|GAME] CAMERA"
  new RegExp(`^(?:${DIGITAL_CAMERA_MAKERS.join('|')}) digital (?:still |game )?camera$`, 'i'),
  // A DCIM folder path ("DCIM\\100OLYMP", "DCIM/100CANON").
  /^dcim(?:[\\/]\S*)?$/i,
];

function normalize(text: string): string {
  // eslint-disable-next-line no-control-regex -- NUL padding from fixed-size EXIF fields
  return text.replace(/\u0000/g, '').replace(/\s+/g, ' ').trim().toLowerCase();
}

/**
 * Whether a description is something the camera wrote, not the user: empty or whitespace, a text
 * in the lists above, or one that only repeats the photo's make or model ("Canon PowerShot A95",
 * "NIKON"). Real descriptions, in any language, are not.
 */
export function isBoilerplate(text: string, camera: { make?: string | null; model?: string | null } = {}): boolean {
  const t = normalize(text);
  if (!/[\p{L}\p{N}]/u.test(t)) return true;
  if (BOILERPLATE_DESCRIPTIONS.has(t)) return true;
  if (BOILERPLATE_PATTERNS.some((p) => p.test(t))) return true;
  const make = normalize(camera.make ?? '');
  const model = normalize(camera.model ?? '');
  const repeats = new Set([make, model, `${make} ${model}`.trim(), firstWord(make) && model ? `${firstWord(make)} ${model}` : '']);
  repeats.delete('');
  return repeats.has(t);
}

/** "nikon corporation" → "nikon": the make as models and descriptions spell it. */
function firstWord(make: string): string {
  return make.split(' ')[0] ?? '';
}
