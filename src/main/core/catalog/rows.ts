// The catalog's row shapes, apart from the repositories so that each of them can name them.
export interface FolderRow {
  id: number;
  path: string;
  online: number;
  last_scan_at: number | null;
}

export interface KnownFile {
  id: number;
  size: number;
  mtime_ms: number;
  fingerprint: string | null;
  missing_since: number | null;
}

export interface PhotoRow {
  id: number;
  folder_id: number;
  path: string;
  filename: string;
  size: number;
  mtime_ms: number;
  fingerprint: string | null;
  format: string | null;
  width: number | null;
  height: number | null;
  orientation: number | null;
  taken_at: string | null;
  camera_make: string | null;
  camera_model: string | null;
  lens: string | null;
  gps_lat: number | null;
  gps_lon: number | null;
  gps_alt: number | null;
  damaged: string | null;
  taken_at_source: string | null;
  time_zone: string | null;
  added_at: number;
  updated_at: number;
  missing_since: number | null;
}

export interface NewFile {
  folderId: number;
  path: string;
  size: number;
  mtimeMs: number;
  /** Null when the file could not be read; the thumbnail stage retries and records why. */
  fingerprint: string | null;
}
