// bench:people-start — what an engine start costs the people grouping before its first grouping
// ([Note: people graph saved] in core/people/graph-store.ts), on a real catalog of --faces placed synthetic faces
// (--people people, descriptors drawn around random centres): People.prepare building the graph from every
// descriptor (what each start did before the graph was saved), the save, and People.prepare reading the saved graph
// back; then what the People view reads at each change (the people, their covers, their suggestions' counts). Needs
// nothing outside the repo. Last line: one JSON object.
// Usage: npm run bench:people-start [-- --faces 100000] [--people 2000]
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/main/core/catalog/db.ts';
import { Faces } from '../src/main/core/catalog/faces.ts';
import { GraphStore } from '../src/main/core/people/graph-store.ts';
import { GROUPING_DEFAULTS } from '../src/main/core/people/grouping.ts';
import { People } from '../src/main/core/people/people.ts';
import { mulberry32 } from '../src/main/core/random.ts';

const { values } = parseArgs({ options: { faces: { type: 'string', default: '100000' }, people: { type: 'string', default: '2000' } } });
const N = Number(values.faces);
const P = Number(values.people);
const dir = path.resolve('.bench', 'people-start');
fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(dir, { recursive: true });
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const seconds = (t: number) => (performance.now() - t) / 1000;

const db = openDatabase(path.join(dir, 'catalog.sqlite'));
const faces = new Faces(db);
const rand = mulberry32(5);
const gauss = () => Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand());
const centres = Array.from({ length: P }, () => Float32Array.from({ length: 128 }, () => gauss() * 0.0625));
const t0 = performance.now();
db.exec("INSERT INTO folders (id, path, added_at) VALUES (1, '/p', 0)");
db.transaction(() => {
  const photo = db.prepare('INSERT INTO photos (id, folder_id, path, filename, size, mtime_ms, added_at, updated_at) VALUES (?, 1, ?, ?, 1, 0, 0, 0)');
  const people = Array.from({ length: P }, () => faces.createPerson('user')); // 'user': putPhoto drops empty automatic people
  for (let i = 1; i <= N; i++) {
    photo.run(i, `/p/${i}.jpg`, `${i}.jpg`);
    const p = Math.floor(rand() * P);
    const d = Float32Array.from(centres[p]!, (v) => v + gauss() * (0.3 / 16));
    const [id] = faces.putPhoto(i, 'v1', `f${i}`, [{ box: { x: 10, y: 10, width: 100, height: 100 }, score: 0.9, landmarks: [], descriptor: d }]);
    faces.assign(id!, people[p]!, 'auto');
  }
})();
console.log(`catalog: ${N} placed faces of ${P} people in ${seconds(t0).toFixed(1)} s`);

const cpuSeconds = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1e6;

// Before: a start built the graph from every descriptor.
let t = performance.now();
let c = process.cpuUsage();
const store = new GraphStore(path.join(dir, 'index', 'faces'));
const built = new People(faces, GROUPING_DEFAULTS, store);
await built.prepare('v1');
if (built.lastLoad !== 'no saved graph') throw new Error(`a graph was found before any was saved: ${built.lastLoad}`);
const buildSeconds = seconds(t);
const buildCpu = cpuSeconds(process.cpuUsage(c));
console.log(`start without a saved graph (built from every descriptor): ${buildSeconds.toFixed(1)} s (${buildCpu.toFixed(1)} s of CPU)`);

// The save (at close, or after a grouping every few minutes).
t = performance.now();
built.save();
const saveSeconds = seconds(t);
const mb = (f: string) => fs.statSync(f).size / 1e6;
console.log(`save: ${saveSeconds.toFixed(2)} s, ${mb(store.hnswFile).toFixed(0)} MB graph + ${mb(store.metaFile).toFixed(0)} MB faces and descriptors`);

// After: a start reads the saved graph back.
t = performance.now();
c = process.cpuUsage();
const read = new People(faces, GROUPING_DEFAULTS, store);
await read.prepare('v1');
const readSeconds = seconds(t);
const readCpu = cpuSeconds(process.cpuUsage(c));
if (read.lastLoad !== 'saved') throw new Error(`the saved graph was not used: ${read.lastLoad}`);
console.log(`start with the saved graph: ${readSeconds.toFixed(2)} s (${readCpu.toFixed(2)} s of CPU), ${(buildSeconds / readSeconds).toFixed(0)}× faster`);
const g = read.group('v1');
if (g.grouped !== 0) throw new Error(`after reading the saved graph, ${g.grouped} faces were grouped again`);

// What the People view reads at each change to people (the window's `people` method): every person with their count,
// their cover face and their suggestions' count. The median of 5.
const medianMs = (f: () => unknown) => {
  f();
  const ms = Array.from({ length: 5 }, () => {
    const at = performance.now();
    f();
    return performance.now() - at;
  }).sort((a, b) => a - b);
  return ms[2]!;
};
const listMs = { people: medianMs(() => faces.people()), covers: medianMs(() => faces.covers()), suggestions: medianMs(() => faces.suggestionCounts()) };
if (faces.covers().size !== P) throw new Error(`covers for ${faces.covers().size} people, not ${P}`);
console.log(`the People list: people ${listMs.people.toFixed(1)} ms, covers ${listMs.covers.toFixed(1)} ms, suggestion counts ${listMs.suggestions.toFixed(1)} ms (medians of 5)`);

db.close();
fs.rmSync(dir, { recursive: true, force: true });
const r1 = (x: number) => Math.round(x * 10) / 10;
console.log(JSON.stringify({ faces: N, people: P, buildSeconds: r3(buildSeconds), buildCpuSeconds: r3(buildCpu), saveSeconds: r3(saveSeconds), readSeconds: r3(readSeconds), readCpuSeconds: r3(readCpu), listMs: { people: r1(listMs.people), covers: r1(listMs.covers), suggestions: r1(listMs.suggestions) } }));
