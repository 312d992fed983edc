// The layer rules of docs/ARCHITECTURE.md hold: lint rejects electron in the engine, node in the
// renderer, a front door imported by the engine, and an engine layer importing one above it.
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

  it('keeps the front doors out of the engine, and the CLI out of the server', async () => {
    for (const file of ['src/main/core/x.ts', 'src/main/core/library.ts', 'src/main/core/media/x.ts', 'src/main/core/handlers/x.ts', 'src/main/core/unknown/x.ts']) {
      const up = file.split('/').length - 4;
      const to = '../'.repeat(up + 1);
      expect(await restricted(file, `import { main } from '${to}cli/main.ts';\nexport const m = main;\n`), file).toHaveLength(1);
      expect(await restricted(file, `import { serve } from '${to}server/serve.ts';\nexport const s = serve;\n`), file).toHaveLength(1);
    }
    expect(await restricted('src/main/server/x.ts', "import { main } from '../cli/main.ts';\nexport const m = main;\n")).toHaveLength(1);
    expect(await restricted('src/main/cli/x.ts', "import { serve } from '../server/serve.ts';\nimport { Library } from '../core/library.ts';\nexport const s = [serve, Library];\n")).toEqual([]);
  });

  // Each layer of the engine, bottom first, with an import from one layer below (allowed when there
  // is one) and imports of a sibling and of the layer above (rejected).
  const imports: Record<string, { file: string; from: string }> = {
    media: { file: 'src/main/core/media/x.ts', from: '../media/open.ts' },
    models: { file: 'src/main/core/models/x.ts', from: '../models/store.ts' },
    places: { file: 'src/main/core/places/x.ts', from: '../places/geocoder.ts' },
    catalog: { file: 'src/main/core/catalog/x.ts', from: '../catalog/catalog.ts' },
    ml: { file: 'src/main/core/ml/x.ts', from: '../ml/service.ts' },
    settings: { file: 'src/main/core/settings.ts', from: './settings.ts' },
    scan: { file: 'src/main/core/scan/x.ts', from: '../scan/scanner.ts' },
    annotate: { file: 'src/main/core/annotate/x.ts', from: '../annotate/editor.ts' },
    search: { file: 'src/main/core/search/x.ts', from: '../search/search.ts' },
    pipeline: { file: 'src/main/core/pipeline/x.ts', from: '../pipeline/stages.ts' },
    captions: { file: 'src/main/core/captions/x.ts', from: '../captions/calibration.ts' },
    library: { file: 'src/main/core/library.ts', from: './library.ts' },
    handlers: { file: 'src/main/core/handlers/x.ts', from: '../handlers/methods.ts' },
  };
  const layers = [['media', 'models', 'places'], ['catalog', 'ml'], ['settings', 'scan', 'annotate', 'search'], ['pipeline'], ['captions'], ['library'], ['handlers']];
  // The specifier `target` as written from `file`: '../x/y.ts' from a folder of core, './x/y.ts' from its top.
  const from = (file: string, target: string): string => {
    const atTop = file.split('/').length === 4;
    const spec = imports[target]!.from;
    if (atTop) return spec.startsWith('../') ? `./${spec.slice(3)}` : spec;
    return spec.startsWith('./') ? `../${spec.slice(2)}` : spec;
  };
  const code = (spec: string) => `import * as m from '${spec}';\nexport const x = m;\n`;

  it('holds every engine layer to the layers below it', async () => {
    for (const [i, units] of layers.entries()) {
      for (const unit of units) {
        const { file } = imports[unit]!;
        for (const below of layers.slice(0, i).flat()) {
          expect(await restricted(file, code(from(file, below))), `${unit} imports ${below}`).toEqual([]);
        }
        for (const banned of [...units.filter((u) => u !== unit), ...(layers[i + 1] ?? [])]) {
          const messages = await restricted(file, code(from(file, banned)));
          expect(messages, `${unit} imports ${banned}`).toHaveLength(1);
          expect(messages[0]).toMatch(/Engine layers: /);
        }
      }
    }
  });

  it('rejects the imports the issue named: media of library.ts, catalog of pipeline, models of media', async () => {
    expect(await restricted('src/main/core/media/x.ts', code('../library.ts'))).toHaveLength(1);
    expect(await restricted('src/main/core/media/x.ts', code('../status.ts'))).toHaveLength(1);
    expect(await restricted('src/main/core/catalog/x.ts', code('../pipeline/pipeline.ts'))).toHaveLength(1);
    expect(await restricted('src/main/core/models/x.ts', code('../media/open.ts'))).toHaveLength(1);
    expect(await restricted('src/main/core/pipeline/x.ts', code('../handlers/methods.ts'))).toHaveLength(1);
  });

  it('keeps the leaf files at the top of core free of the engine, and lets everyone import them', async () => {
    for (const leaf of ['hash.ts', 'paths.ts', 'random.ts', 'lock.ts', 'native.ts', 'emitter.ts']) {
      expect(await restricted(`src/main/core/${leaf}`, code('./catalog/db.ts')), leaf).toHaveLength(1);
      expect(await restricted(`src/main/core/${leaf}`, code('./library.ts')), leaf).toHaveLength(1);
      expect(await restricted(`src/main/core/${leaf}`, code('./settings.ts')), leaf).toHaveLength(1);
      expect(await restricted('src/main/core/media/x.ts', code(`../${leaf}`)), leaf).toEqual([]);
    }
    // The pieces library.ts is split into are the library layer: they may import one another.
    expect(await restricted('src/main/core/status.ts', code('./library.ts'))).toEqual([]);
    expect(await restricted('src/main/core/status.ts', code('./handlers/methods.ts'))).toHaveLength(1);
  });
});
