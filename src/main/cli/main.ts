// The `shoebox` command line: the headless front door to the same engine the app runs.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { resolveDataDir } from '../core/paths.ts';
import { UsageError, type Context, type Io } from './context.ts';
import { addCommand, indexCommand, listCommand, removeCommand, statusCommand } from './library-commands.ts';
import { searchCommand, similarCommand } from './search-commands.ts';
import { modelsCommand } from './models-commands.ts';
import { settingsCommand } from './settings-commands.ts';
import { captionCommand, exportCommand, tagsCommand } from './annotate-commands.ts';
import { serveCommand } from './serve-command.ts';
import { errorMessage } from '../../shared/error-message.ts';

export const USAGE = `Shoebox: search your own photo folders in plain words, privately.

Usage: shoebox [--data DIR] [--models DIR] <command> [options]

Library:
  add <folder>...          add folders to the library (then run index)
  remove <folder>          remove a folder and everything derived from its photos
  index                    scan every folder, then process all pending work; exits when done
  watch                    index, then keep watching the folders until interrupted (Ctrl-C)
  serve [--port P] [--no-index]
                           the window in a browser at http://127.0.0.1:P (prints the URL with its
                           access token); indexes and watches unless --no-index; Ctrl-C stops.
                           Needs \`npm run build\` (or SHOEBOX_RENDERER_DIR: a built renderer)
  status [--json]          photos, work per stage, models, execution provider, failed photos
  list [--json] [--folder F]
                           photos with id, path, date taken, size, caption and tags

Search:
  search "<text>" [--limit K] [--json] [--folder F] [--from DATE] [--to DATE] [--camera C]
                           photos ranked by how well they match the words
  similar <photo> [--limit K] [--json] [filters]
                           photos that look like the given one

Captions and tags:
  caption set <photo> "<text>"
                           your caption for a photo; no model run ever replaces it
  caption clear <photo>    remove your caption (the automatic one shows again)
  caption show <photo> [--json]
                           captions with model, CLIP check score and confidence; tags
  tags add <photo> <tag>...
  tags remove <photo> <tag>...
                           add or remove tags (a removed automatic tag stays removed)
  export [--format csv|json] [--output FILE]
                           path, caption, source, scores and tags of every photo

Models and settings:
  models list [--json]     the models, which is active, which are installed
  models download <id>     download from the Hugging Face hub (resumes, checks sha256)
  models import <id> <folder>
                           install from a folder you already have
  models verify <id>       check every file's size and sha256
  settings [get <key> | set <key> <value>]
                           e.g. captions on|off, caption_task, caption_model, xmp on|off,
                           hub_endpoint (mirror), clip_model, provider, threads (\`shoebox settings\` lists all)

Options:
  --data DIR               library data folder (catalog, index, thumbnails, models);
                           default: $SHOEBOX_DATA, else the app's per-user data folder
  --models DIR             models folder; default: $SHOEBOX_MODELS, else <data>/models.
                           A folder written by \`npm run fixtures:models\` makes its models active.
  --quiet                  no progress bar
  -h, --help               this help
`;

const OPTIONS = {
  data: { type: 'string' },
  models: { type: 'string' },
  json: { type: 'boolean' },
  folder: { type: 'string' },
  limit: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  camera: { type: 'string' },
  quiet: { type: 'boolean' },
  format: { type: 'string' },
  output: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  port: { type: 'string' },
  'no-index': { type: 'boolean' },
} as const;

const SEARCH_FLAGS = ['json', 'limit', 'folder', 'from', 'to', 'camera'];
const COMMAND_OPTIONS: Record<string, readonly string[]> = {
  add: [],
  remove: [],
  index: ['quiet'],
  watch: ['quiet'],
  status: ['json'],
  list: ['json', 'folder'],
  search: SEARCH_FLAGS,
  similar: SEARCH_FLAGS,
  models: ['json', 'quiet'],
  settings: ['json'],
  caption: ['json'],
  tags: ['json'],
  export: ['format', 'output'],
  serve: ['port', 'no-index'],
};
const GLOBAL = new Set(['data', 'models', 'help']);

export async function main(argv: string[], io: Io = { out: process.stdout, err: process.stderr }): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    io.err.write(`shoebox: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...args] = positionals;
  if (values.help || !command || command === 'help') {
    io.out.write(USAGE);
    return command || values.help ? 0 : 2;
  }
  const allowed = COMMAND_OPTIONS[command];
  if (!allowed) {
    io.err.write(`shoebox: unknown command '${command}'\n\n${USAGE}`);
    return 2;
  }
  for (const key of Object.keys(values)) {
    if (!GLOBAL.has(key) && !allowed.includes(key)) {
      io.err.write(`shoebox: --${key} does not apply to '${command}'\n`);
      return 2;
    }
  }
  const modelsFlag = values.models ?? process.env.SHOEBOX_MODELS;
  const ctx: Context = {
    io,
    dataDir: resolveDataDir(values.data),
    modelsDir: modelsFlag ? path.resolve(modelsFlag) : undefined,
    quiet: values.quiet ?? false,
  };
  const json = values.json ?? false;
  try {
    switch (command) {
      case 'add':
        return await addCommand(ctx, args);
      case 'remove':
        return await removeCommand(ctx, args);
      case 'index':
      case 'watch':
        return await indexCommand(ctx, args, command === 'watch');
      case 'status':
        return statusCommand(ctx, json);
      case 'list':
        return listCommand(ctx, json, values.folder);
      case 'search':
        return await searchCommand(ctx, args, values);
      case 'similar':
        return await similarCommand(ctx, args, values);
      case 'models':
        return await modelsCommand(ctx, args, json);
      case 'settings':
        return await settingsCommand(ctx, args, json);
      case 'caption':
        return await captionCommand(ctx, args, json);
      case 'tags':
        return await tagsCommand(ctx, args, json);
      case 'export':
        return exportCommand(ctx, args, values.format, values.output);
      case 'serve':
        return await serveCommand(ctx, args, { port: values.port, noIndex: values['no-index'] });
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err.write(`shoebox: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    io.err.write(`shoebox: ${errorMessage(e)}\n`);
    return 1;
  }
  return 0;
}
