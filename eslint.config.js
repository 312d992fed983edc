// Lint rules, including the layer rules of docs/ARCHITECTURE.md ("Design"): the engine never imports
// electron or a front door, and inside the engine a folder imports only the layers below it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import svelteParser from 'svelte-eslint-parser';
import globals from 'globals';

const node = globals.node;
const browser = globals.browser;


const noElectron = { name: 'electron', message: 'The engine, CLI and server stay runnable under plain Node: only src/main/app may import electron (docs/ARCHITECTURE.md, layers).' };
const restrict = (files, groups) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { paths: [noElectron], patterns: groups }] },
});
const layer = (files, paths, patterns, message) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { paths, patterns: patterns.map((group) => ({ group, message })) }],
  },
});

// The engine's layers, bottom first: the table in docs/ARCHITECTURE.md. A layer may import the
// layers below it, never a sibling in its own layer nor anything above. The leaf files at the top
// of core import nothing else of the engine and anyone may import them. Every other file at the top
// of core (library.ts and the pieces it is split into) is the library layer, under handlers.
const leaves = ['hash.ts', 'paths.ts', 'random.ts', 'lock.ts', 'native.ts', 'emitter.ts', 'faults.ts'];
const LIBRARY = 'library';
const coreLayers = [
  ['media', 'models', 'places', 'trash'],
  ['catalog', 'ml'],
  ['settings.ts', 'scan', 'annotate', 'search', 'duplicates', 'people'],
  ['pipeline'],
  ['captions'],
  [LIBRARY],
  ['handlers'],
];
// models/source.ts joins the catalog's settings to the model store for ml: library-level glue
// that lives in models for now, so it is held to the library layer's rule.
const libraryGlue = ['src/main/core/models/source.ts'];
const topFiles = (names) => names.map((n) => `src/main/core/${n}`);
const unitFiles = (unit) =>
  unit === LIBRARY ? ['src/main/core/*.ts', ...libraryGlue] : unit.endsWith('.ts') ? topFiles([unit]) : [`src/main/core/${unit}/**`];
const unitIgnores = (unit) => (unit === LIBRARY ? topFiles([...leaves, ...coreLayers.flat().filter((u) => u.endsWith('.ts'))]) : unit === 'models' ? libraryGlue : []);
// What an import of a unit looks like, from a file in a folder of core ('../catalog/db.ts') or at
// its top ('./catalog/db.ts'). The library layer is every top-level file but the leaves and settings.
const unitPatterns = (unit, fromTop) => {
  const dir = fromTop ? './' : '../';
  if (unit === LIBRARY) return [`${dir}*.ts`, ...[...leaves, 'settings.ts'].map((f) => `!${dir}${f}`)];
  if (unit.endsWith('.ts')) return [`${dir}${unit}`];
  return [`**/${unit}/**`];
};
const layerName = (u) => (u === LIBRARY ? 'the library layer (core/*.ts)' : `core/${u}`);

// Flat config replaces a rule's options for a file rather than merging them, so every rule for
// the engine repeats the shell's and the front doors' restrictions.
const shell = { group: ['electron/*', '**/app/**', '**/renderer/**', '**/preload/**'], message: 'The engine, CLI and server must not import the Electron shell, the preload or the renderer.' };
const frontDoors = { group: ['**/cli/**', '**/server/**'], message: 'The engine drives no front door: nothing in src/main/core imports the CLI or the server.' };
const engineRules = () => {
  const rules = [restrict(['src/main/core/**'], [shell, frontDoors])];
  coreLayers.forEach((units, i) => {
    for (const unit of units) {
      const banned = [...units.filter((u) => u !== unit), ...coreLayers.slice(i + 1).flat()];
      const below = coreLayers.slice(0, i).flat();
      const groups = [shell, frontDoors];
      if (banned.length) {
        groups.push({
          // The library layer's pattern first: its exceptions (`!../settings.ts`) must not undo a later ban.
          group: [...banned.filter((u) => u === LIBRARY), ...banned.filter((u) => u !== LIBRARY)].flatMap((u) => unitPatterns(u, unit.endsWith('.ts') || unit === LIBRARY)),
          message: `Engine layers: ${layerName(unit)} may import ${[...below.map(layerName), 'the leaf files of core'].join(', ')}; not ${banned.map(layerName).join(', ')} (docs/ARCHITECTURE.md, layers).`,
        });
      }
      const ignores = unitIgnores(unit);
      rules.push({ ...restrict(unitFiles(unit), groups), ...(ignores.length ? { ignores } : {}) });
    }
  });
  rules.push(
    restrict(topFiles(leaves), [
      shell,
      frontDoors,
      { group: [...coreLayers.flat().filter((u) => u !== LIBRARY).flatMap((u) => unitPatterns(u, true)), './*.ts', ...leaves.map((f) => `!./${f}`)], message: `Engine layers: a leaf file at the top of src/main/core (${leaves.join(', ')}) imports nothing else of the engine (docs/ARCHITECTURE.md, layers).` },
    ]),
  );
  return rules;
};

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'test-results/', '.bench/', '.electron-native/', '.scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: node },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/renderer/**/*.svelte', 'src/renderer/**/*.svelte.ts'],
    languageOptions: { parser: svelteParser, parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] }, globals: browser },
  },
  { files: ['src/renderer/**/*.ts'], languageOptions: { globals: browser } },
  // The engine and the two headless front doors: no electron, no renderer.
  restrict(['src/main/cli/**'], [shell]),
  restrict(['src/main/server/**'], [shell, { group: ['**/cli/**'], message: 'The server is a front door of its own: it drives the engine and never imports the CLI.' }]),
  // The engine drives no front door, and inside it each layer imports only the layers below it.
  ...engineRules(),
  // The contract: plain types and functions only.
  layer(['src/shared/**'], [noElectron], [['node:*', '**/main/**', '**/renderer/**', '**/preload/**']], 'src/shared holds the contract and plain data types: it imports only itself and valibot (the argument schemas).'),
  // The window talks only through the contract.
  layer(['src/renderer/**'], [noElectron], [['node:*', '**/main/**', '**/preload/**']], 'The renderer talks to the engine only through the contract in src/shared.'),
  layer(['src/preload/**'], [], [['node:*', '**/main/**', '**/renderer/**']], 'The preload exposes the contract and nothing more.'),
);
