// Plain data types shared by the engine, the front doors (CLI, HTTP, IPC) and the renderer.

/** A pipeline stage name. The stage registry in src/main/core/pipeline/stages.ts owns the list. */
export type StageName = string;

export type TaskState = 'pending' | 'done' | 'failed';

export interface StageProgress {
  stage: StageName;
  /** Tasks finished (done or failed for good) since the current run began. */
  done: number;
  /** Tasks in the current run: done + still to do. */
  total: number;
  failed: number;
  /** Tasks per second, smoothed. */
  rate: number;
  /** Seconds left at the current rate; null when unknown. */
  etaSeconds: number | null;
}

export interface FolderInfo {
  id: number;
  path: string;
  online: boolean;
  photos: number;
  lastScanAt: number | null;
}

export interface StageCounts {
  stage: StageName;
  done: number;
  pending: number;
  failed: number;
}

export interface FailedPhoto {
  id: number;
  path: string;
  stage: StageName;
  error: string;
  attempts: number;
}

export interface ScanIssue {
  path: string;
  reason: string;
}

export interface LibraryStatus {
  photos: number;
  offline: number;
  folders: FolderInfo[];
  stages: StageCounts[];
  failed: FailedPhoto[];
  scanIssues: ScanIssue[];
}

export interface PhotoSummary {
  id: number;
  path: string;
  folder: string;
  takenAt: string | null;
  width: number | null;
  height: number | null;
  offline: boolean;
  caption: string | null;
  tags: string[];
}

export interface PhotoDetails extends PhotoSummary {
  size: number;
  mtimeMs: number;
  fingerprint: string | null;
  format: string | null;
  orientation: number | null;
  cameraMake: string | null;
  cameraModel: string | null;
  lens: string | null;
  gps: { lat: number; lon: number; alt: number | null } | null;
}
