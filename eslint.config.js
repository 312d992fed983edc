// Lint rules, including the layer rules of DESIGN.md: the engine never imports electron.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import svelteParser from 'svelte-eslint-parser';
import globals from 'globals';

const node = globals.node;
const browser = globals.browser;


const noElectron = { name: 'electron', message: 'The engine, CLI and server stay runnable under plain Node: only src/main/app may import electron (DESIGN.md, layers).' };
const layer = (files, paths, patterns, message) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { paths, patterns: patterns.map((group) => ({ group, message })) }],
  },
});

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
  layer(['src/main/core/**', 'src/main/cli/**', 'src/main/server/**'], [noElectron], [['electron/*', '**/app/**', '**/renderer/**', '**/preload/**']], 'The engine, CLI and server must not import the Electron shell, the preload or the renderer.'),
  // The contract: plain types and functions only.
  layer(['src/shared/**'], [noElectron], [['node:*', '**/main/**', '**/renderer/**', '**/preload/**']], 'src/shared holds the contract and plain data types: it imports nothing but itself.'),
  // The window talks only through the contract.
  layer(['src/renderer/**'], [noElectron], [['node:*', '**/main/**', '**/preload/**']], 'The renderer talks to the engine only through the contract in src/shared.'),
  layer(['src/preload/**'], [], [['node:*', '**/main/**', '**/renderer/**']], 'The preload exposes the contract and nothing more.'),
);
