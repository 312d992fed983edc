// CLI: writes the fixture models (tiny colour CLIP, tiny colour captioner, optionally a random ViT-B/32) and their manifest into a folder.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { MANIFEST_FILE, type ModelSpec } from '../src/main/core/models/spec.ts';
import { addToManifest, fixtureModelDir, writeFixtureModels } from '../test/fixtures/models/write-fixtures.ts';
import { writeRandomVitB32 } from '../test/fixtures/models/vit-b32.ts';

const USAGE = 'usage: tsx scripts/fixtures-models.ts <models-dir> [--vit-b32]';

function describe(spec: ModelSpec, dir: string): string {
  const bytes = spec.files.reduce((sum, f) => sum + (f.size ?? 0), 0);
  const lines = [`${spec.id}  ${dir}  (${spec.files.length} files, ${(bytes / 1e6).toFixed(1)} MB)`];
  for (const f of spec.files) lines.push(`  ${f.path}  ${f.size} B  sha256 ${f.sha256}`);
  return lines.join('\n');
}

async function main(argv: string[]): Promise<void> {
  const flags = argv.filter((a) => a.startsWith('--'));
  const positional = argv.filter((a) => !a.startsWith('--'));
  const unknown = flags.filter((f) => f !== '--vit-b32');
  if (positional.length !== 1 || unknown.length > 0) {
    console.error(USAGE);
    process.exitCode = 2;
    return;
  }
  const modelsDir = path.resolve(positional[0]!);
  await mkdir(modelsDir, { recursive: true });

  let manifest = await writeFixtureModels(modelsDir);
  for (const id of ['fixture-clip', 'fixture-caption']) {
    const fixture = manifest.models.find((m) => m.id === id)!;
    console.log(describe(fixture, fixtureModelDir(modelsDir, fixture)));
  }

  if (flags.includes('--vit-b32')) {
    const dir = path.join(modelsDir, 'shoebox-fixtures', 'vit-b32-random');
    const started = performance.now();
    const spec = await writeRandomVitB32(dir);
    manifest = await addToManifest(modelsDir, [spec]);
    console.log(describe(spec, dir));
    console.log(`  generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  console.log(`${path.join(modelsDir, MANIFEST_FILE)}: models ${manifest.models.map((m) => m.id).join(', ')}; active ${JSON.stringify(manifest.active)}`);
}

await main(process.argv.slice(2));
