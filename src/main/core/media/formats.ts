// Which files are photos: extensions we catalog, and names we never touch (hidden, temporary).

/** Formats sharp decodes here. HEIC/HEIF only where the installed libvips has a decoder for it. */
export const DECODABLE = new Set(['jpeg', 'png', 'webp', 'avif', 'tiff', 'gif', 'heif']);

/**
 * Camera RAW extensions. Shown from their largest embedded JPEG preview (raw.ts): Canon CR2/CR3/CRW,
 * Nikon NEF/NRW, Sony ARW/SR2, Fujifilm RAF, Olympus ORF, Panasonic RW2, Pentax PEF, Adobe DNG,
 * Samsung SRW, Minolta MRW, Sigma X3F, Phase One IIQ, Hasselblad 3FR, Epson ERF.
 */
const RAW_EXTENSIONS: readonly string[] = ['cr2', 'cr3', 'crw', 'nef', 'nrw', 'arw', 'sr2', 'raf', 'orf', 'rw2', 'pef', 'dng', 'srw', 'mrw', 'x3f', 'iiq', '3fr', 'erf'];
const RAW = new Set(RAW_EXTENSIONS);

/** Extension → format name. Files with these extensions are catalogued; the rest are skipped. */
const EXTENSIONS: Record<string, string> = {
  jpg: 'jpeg',
  jpeg: 'jpeg',
  jpe: 'jpeg',
  jfif: 'jpeg',
  png: 'png',
  webp: 'webp',
  avif: 'avif',
  tif: 'tiff',
  tiff: 'tiff',
  gif: 'gif',
  heic: 'heif',
  heif: 'heif',
  hif: 'heif',
  bmp: 'bmp',
  jxl: 'jxl',
  ...Object.fromEntries(RAW_EXTENSIONS.map((e) => [e, 'raw'])),
};

/** Video containers: a Live Photo's or motion photo's video belongs to its photo; other videos are skipped and counted. */
const VIDEO_EXTENSIONS: readonly string[] = ['mov', 'mp4', 'm4v', '3gp', 'avi', 'mts', 'm2ts', 'mkv', 'webm'];
const VIDEO = new Set(VIDEO_EXTENSIONS);

export function isRawName(name: string): boolean {
  return RAW.has(extensionOf(name));
}

/** A video file (not hidden or temporary). */
export function isVideoName(name: string): boolean {
  return !isIgnoredName(name) && VIDEO.has(extensionOf(name));
}

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

export function formatForName(name: string): string | undefined {
  return EXTENSIONS[extensionOf(name)];
}

const TEMP_SUFFIXES = ['.tmp', '.temp', '.part', '.partial', '.crdownload', '.download', '.swp', '~'];

/** Hidden and temporary names: dotfiles, Office/Word lock files, partial downloads, editor backups. */
export function isIgnoredName(name: string): boolean {
  if (name.startsWith('.') || name.startsWith('~$')) return true;
  const lower = name.toLowerCase();
  return TEMP_SUFFIXES.some((s) => lower.endsWith(s));
}

/** Directories a scan never descends into. */
export function isIgnoredDir(name: string): boolean {
  return name.startsWith('.') || name === '@eaDir' || name === '$RECYCLE.BIN' || name === 'System Volume Information' || name === 'node_modules';
}

function isPhotoName(name: string): boolean {
  return !isIgnoredName(name) && formatForName(name) !== undefined;
}

/** Names a scan looks at: photos, and videos (which may belong to a photo: [Note: file pairs]). */
export function isScannedName(name: string): boolean {
  return isPhotoName(name) || isVideoName(name);
}
