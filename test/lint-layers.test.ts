// The layer rules of DESIGN.md hold: lint rejects electron in the engine and node in the renderer.
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: root });

async function restricted(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer lint rules', () => {
  it('keeps electron out of the engine, the CLI and the server', async () => {
    for (const file of ['src/main/core/x.ts', 'src/main/core/scan/x.ts', 'src/main/cli/x.ts', 'src/main/server/x.ts']) {
      expect(await restricted(file, "import { app } from 'electron';\nexport const a = app;\n"), file).toHaveLength(1);
    }
    expect(await restricted('src/main/core/x.ts', "import { createWindow } from '../app/window.ts';\nexport const w = createWindow;\n")).toHaveLength(1);
  });

  it('lets the shell import electron and the engine', async () => {
    expect(await restricted('src/main/app/x.ts', "import { app } from 'electron';\nimport { Library } from '../core/library.ts';\nexport const a = [app, Library];\n")).toEqual([]);
  });

  it('keeps the renderer and the contract free of node and the main process', async () => {
    expect(await restricted('src/renderer/src/x.ts', "import fs from 'node:fs';\nexport const f = fs;\n")).toHaveLength(1);
    expect(await restricted('src/renderer/src/x.ts', "import { Library } from '../../main/core/library.ts';\nexport const l = Library;\n")).toHaveLength(1);
    expect(await restricted('src/shared/x.ts', "import { Library } from '../main/core/library.ts';\nexport const l = Library;\n")).toHaveLength(1);
  });
});
