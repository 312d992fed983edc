#!/usr/bin/env node
// The `shoebox` command: runs the TypeScript CLI in src/main/cli through tsx's loader.
import { register } from 'tsx/esm/api';

// A closed pipe (`shoebox list | head`) ends the command quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

register();
const { main } = await import('../src/main/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
