// Makes the face models' ONNX files from the weights of the installed npm package @vladmandic/face-api
// ([Note: face model conversion] in src/main/core/ml/face-convert.ts), into a models folder in the registry's
// layout (<models>/vladmandic/face-api/onnx/*.onnx), each checked against the registry's pinned size and sha256.
// The app does the same on first use (MlService.ensureFaceModels); this does it ahead, or into another folder.
//
//   npm run convert:faces -- [<models-dir>]   (default: $SHOEBOX_MODELS, else <data folder>/models)
import fs from 'node:fs';
import path from 'node:path';
import { dataPaths, resolveDataDir } from '../src/main/core/paths.ts';
import { FACE_API_MODELS } from '../src/main/core/models/registry.ts';
import { ModelStore } from '../src/main/core/models/store.ts';
import { convertFaceModel } from '../src/main/core/ml/service.ts';

const args = process.argv.slice(2);
if (args.length > 1 || args.some((a) => a.startsWith('-'))) {
  console.error('usage: npm run convert:faces -- [<models-dir>]');
  process.exit(2);
}
const modelsDir = path.resolve(args[0] ?? process.env.SHOEBOX_MODELS ?? dataPaths(resolveDataDir(undefined)).models);
const store = new ModelStore(modelsDir);
const spec = FACE_API_MODELS;
const folder = store.folder(spec);
const started = performance.now();
try {
  convertFaceModel(spec, folder);
} catch (e) {
  console.error(`could not make ${spec.id}: ${(e as Error).message}`);
  process.exit(1);
}
const seconds = ((performance.now() - started) / 1000).toFixed(1);
const check = await store.verify(spec);
for (const f of spec.files) console.log(`  ${f.path}  ${fs.statSync(path.join(folder, ...f.path.split('/'))).size} B  sha256 ${f.sha256}`);
console.log(`${spec.id}: ${check.ok ? 'made and verified' : `made, but ${check.problems.map((p) => `${p.path}: ${p.problem}`).join('; ')}`} in ${folder} (${seconds} s)`);
if (!check.ok) process.exitCode = 1;
