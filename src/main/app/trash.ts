// The app's trash: Electron's shell.trashItem puts files away (the system's own call: Finder's
// trash on macOS, the Recycle Bin on Windows, gio's trash on Linux), the engine's SystemTrash finds
// them again for undo. SHOEBOX_TRASH_DIR picks the folder trash here too (the e2e tests use it).
import type { Shell } from 'electron';
import { createTrash, type Trash } from '../core/trash/trash.ts';

export type TrashShell = Pick<Shell, 'trashItem'>;

export function createAppTrash(shell: TrashShell, env: NodeJS.ProcessEnv = process.env): Trash {
  return createTrash(env, { put: (file) => shell.trashItem(file) });
}
