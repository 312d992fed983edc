// Which files are photos: extensions we catalog, and names we never touch (hidden, temporary).

/** Formats sharp decodes here. HEIC/HEIF only where the installed libvips has a decoder for it. */
export const DECODABLE = new Set(['jpeg', 'png', 'webp', 'avif', 'tiff', 'gif', 'heif']);

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
  // Catalogued so the user sees them, but reported as unsupported until a decoder exists.
  bmp: 'bmp',
  jxl: 'jxl',
  dng: 'raw',
  cr2: 'raw',
  cr3: 'raw',
  nef: 'raw',
  arw: 'raw',
  orf: 'raw',
  rw2: 'raw',
  raf: 'raw',
};

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

export function isPhotoName(name: string): boolean {
  return !isIgnoredName(name) && formatForName(name) !== undefined;
}
