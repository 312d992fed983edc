// The `shoebox` command line: the headless front door to the same engine the app runs.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { resolveDataDir } from '../core/paths.ts';
import { UsageError, type Context, type Io } from './context.ts';
import { addCommand, indexCommand, listCommand, removeCommand, statusCommand } from './library-commands.ts';
import { searchCommand, similarCommand } from './search-commands.ts';
import { modelsCommand } from './models-commands.ts';
import { settingsCommand } from './settings-commands.ts';
import { captionCommand, exportCommand } from './annotate-commands.ts';
import { markCommand, suggestionsCommand, tagsCommand, undoCommand, type TaggingFlags } from './tagging-commands.ts';
import { serveCommand } from './serve-command.ts';
import { backupCommand, backupsCommand, repairCommand } from './backup-commands.ts';
import { exportUserDataCommand, importCommand } from './user-data-commands.ts';
import { placeCommand, type PlaceFlags } from './place-commands.ts';
import { textCommand } from './text-command.ts';
import { duplicatesCommand, type DuplicatesFlags } from './duplicates-command.ts';
import { facesCommand, peopleCommand } from './people-command.ts';
import { errorMessage } from '../../shared/error-message.ts';
import { isDiskFull } from '../core/faults.ts';

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
  list [--json] [--folder F] [--tag T] [--rating N] [--label COLOUR] [--from DATE] [--to DATE]
                           photos with id, path, date taken, size, caption, your tags,
                           suggested tags, rating and label (--json: and the text read in them)

Search:
  search "<text>" [--limit K] [--json] [--folder F] [--from DATE] [--to DATE] [--camera C]
                           photos ranked by how well they match the words
                           (also --tag T, --rating N: at least N stars, --label COLOUR,
                           --person P: showing that person, by id or name, again for more);
                           dates, places, cameras and named people in the words are
                           filters ("Mia and Tom at the beach in Lisbon summer 2019 shot on
                           iPhone"); --literal: the words as typed
  similar <photo> [--limit K] [--json] [filters]
                           photos that look like the given one
  text <photo> [--json]    the text read in a photo (signs, receipts, screenshots), line by
                           line with confidences (and, with --json, boxes); search finds it

Captions:
  caption set <photo> "<text>"
                           your caption for a photo; no model run ever replaces it
  caption clear <photo>    remove your caption (the automatic one shows again)
  caption show <photo> [--json]
                           captions with model, CLIP check score and confidence; tags
  export [--format csv|json] [--output FILE]
                           path, caption, source, scores, tags (yours and suggested), rating,
                           label, place and the text read in it, of every photo

Your data, backed up (what only you made: your captions, tags, removed tags and rejected
suggestions, ratings and labels, keyed by each photo's content so it finds them after moves):
  export --user-data FILE  write it to FILE (JSON); a copy is kept in <data>/backups
  import --user-data FILE [--json]
                           put it back onto the photos of this library (a fresh index of the
                           same photos, moved or renamed); merges, never deletes: a caption you
                           typed in this library stays; one edit (\`shoebox undo\`); says what
                           matched, and which photos it found no photo for

Tags, ratings and undo (each edit is one undoable step; --dry-run shows the photos and
changes nothing; --json prints the result; they work while the app runs):
  tags add <photo>... <tag>...
  tags remove <photo>... <tag>...
                           photos by path or id, then the tags; commas separate tags unless
                           quoted ('"Smith, John", beach'), "|" separates levels
                           ("Places|Portugal|Porto"); put -- before tags that look like photos.
                           A removed suggestion is rejected and stays removed
  tags add|remove <tag>... --search "<text>" [--limit K]
  tags add|remove <tag>... [--folder F] [--from DATE] [--to DATE] [--camera C] [--tag T]
                           [--rating N] [--label COLOUR]
                           pick the photos instead of naming them: a search's first K hits
                           (20 by default, as \`search\` lists them), or every photo the
                           filters match (--rating N: at least N stars)
  tags list [--tree] [--json]
                           your tags with how many photos have each, and how many more it is
                           suggested for; --tree indents the levels, a parent counting every
                           photo with it or a tag under it
  tags rename <from> <to>  library-wide; to a path it moves ("Porto" → "Places|Portugal|Porto",
                           the tags under it follow); to an existing tag it merges the two
  tags merge <tag>... --into <tag>
                           every photo with any of them gets the one tag instead
  tags delete <tag>        remove it (and the tags under it) from every photo; asks nothing
  suggestions [--json]     suggested tags with photos, strong and likely
  suggestions <tag> [--accept|--reject] [--photos ID,...] [filters]
                           without --accept/--reject, the photos it is suggested for; --accept
                           makes it your tag on them, --reject hides it there for good (on all
                           of them, or those --photos or the filters name)
  rate <photo>... <0-5|reject>
  rate <photo>... --clear  stars (reject is -1); or the stars with --search or filters instead
                           of photos
  label <photo>... <Red|Yellow|Green|Blue|Purple>
  label <photo>... --clear Lightroom's colour labels; or with --search or filters
  place find <text>        places of the offline data by any name (English, local, other)
  place set <place> <photo>...
                           your place on photos without GPS (or over it): an id from place find
                           or a name; place clear <photo>... removes it; also --search or filters
  place list [--json]      the library's places, country → region → city, with photo counts
  undo [--dry-run]         undo the last edit, made here or in the window, and say what it was;
                           exits 1 when there is nothing to undo
  undo --list              the last 20 edits, newest first

  e.g. shoebox tags add ~/Pictures/Porto/IMG_0042.jpg 812 813 "Portugal 2019"
       shoebox tags add "Portugal 2019" --folder ~/Pictures/Porto --dry-run
       shoebox tags add '"Smith, John", Family|Mia' --search "kids on a beach" --limit 50
       shoebox tags rename Porto "Places|Portugal|Porto"
       shoebox suggestions beach --reject --photos 812,977 && shoebox suggestions beach --accept
       shoebox rate 4 --tag "Portugal 2019" --from 2019-07 --to 2019-07
       shoebox undo

Duplicates (exact copies, the same photo in other bytes, similar shots; these take the
library's lock: quit the app first, or use its Duplicates view):
  duplicates [--kind exact|same|similar] [--json]
                           groups with each photo's path, size, dimensions, format and date,
                           the suggested keeper (*) and why, and the space resolving frees
  duplicates resolve <group> --keep <photo>...
                           keep those (by path or id; the first gains the others' tags, caption,
                           GPS and place where it has none), the others go to the trash
                           (SHOEBOX_TRASH_DIR, else the system's); never deleted
  duplicates resolve --all-exact [--yes]
                           every exact copy group with its suggested keeper, in one step
                           (without --yes: only what it would do)
  duplicates undo [<resolution>]
                           put a resolution's photos back from the trash and undo what the
                           keeper gained (within 30 days, while they are in the trash)
  duplicates history [--json]
                           the resolutions, newest first

People (the faces found in photos, grouped; the changes take the library's lock: quit the
app first, or use its People view):
  people [--json]          the people, the most faces first: id, name (or unnamed), faces,
                           hidden; each face's id, photo and box
  people name <person> <name>
                           name a person (a person is an id or a name)
  people merge <person> <into>
                           every face of the first goes to the second
  people split <person> <face>...
                           those faces go to a new person of their own
  faces <photo> [--json]   the faces found in a photo: id, box, score, person

Models and settings:
  models list [--json]     the models, which is active, which are installed
  models download <id>     download from the Hugging Face hub (resumes, checks sha256)
  models import <id> <folder>
                           install from a folder you already have
  models verify <id>       check every file's size and sha256
  settings [get <key> | set <key> <value>]
                           e.g. captions on|off, caption_task, caption_model, xmp on|off,
                           hub_endpoint (mirror), clip_model, provider, threads (\`shoebox settings\` lists all)

Backups and repair (the catalog is backed up into <data>/backups before a schema upgrade,
after an index run that changed your data, and at least daily while the app or watch runs):
  backup [--json]          back the catalog up now (works while the app runs)
  backups [--json]         the backups kept: date, size, photos, your captions, your tags
  repair [--json]          a damaged catalog: put back the newest backup that passes the check
                           (the damaged file is kept beside it), reapply your data exported since,
                           scan the folders again, and say what may be lost

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
  'dry-run': { type: 'boolean' },
  search: { type: 'string' },
  tag: { type: 'string' },
  rating: { type: 'string' },
  label: { type: 'string' },
  tree: { type: 'boolean' },
  into: { type: 'string' },
  accept: { type: 'boolean' },
  reject: { type: 'boolean' },
  photos: { type: 'string' },
  clear: { type: 'boolean' },
  list: { type: 'boolean' },
  'user-data': { type: 'string' },
  literal: { type: 'boolean' },
  kind: { type: 'string' },
  keep: { type: 'string', multiple: true },
  'all-exact': { type: 'boolean' },
  yes: { type: 'boolean' },
  person: { type: 'string', multiple: true },
} as const;

const SEARCH_FLAGS = ['json', 'limit', 'folder', 'from', 'to', 'camera', 'tag', 'rating', 'label', 'person'];
const SELECT = ['search', 'folder', 'from', 'to', 'camera', 'tag', 'rating', 'label', 'limit'];
const EDIT = ['json', 'dry-run', 'quiet'];
const COMMAND_OPTIONS: Record<string, readonly string[]> = {
  add: [],
  remove: [],
  index: ['quiet'],
  watch: ['quiet'],
  status: ['json'],
  list: ['json', 'folder', 'tag', 'rating', 'label', 'from', 'to', 'camera'],
  search: [...SEARCH_FLAGS, 'literal'],
  similar: SEARCH_FLAGS,
  text: ['json'],
  models: ['json', 'quiet'],
  settings: ['json'],
  caption: ['json'],
  tags: [...EDIT, ...SELECT, 'tree', 'into'],
  suggestions: [...EDIT, 'folder', 'from', 'to', 'camera', 'tag', 'rating', 'label', 'accept', 'reject', 'photos'],
  rate: [...EDIT, ...SELECT, 'clear'],
  label: [...EDIT, ...SELECT, 'clear'],
  undo: [...EDIT, 'list'],
  place: [...EDIT, ...SELECT],
  export: ['format', 'output', 'user-data'],
  import: ['user-data', 'json'],
  serve: ['port', 'no-index'],
  backup: ['json'],
  backups: ['json'],
  repair: ['json'],
  duplicates: ['json', 'kind', 'keep', 'all-exact', 'yes'],
  people: ['json'],
  faces: ['json'],
};
const GLOBAL = new Set(['data', 'models', 'help']);

/** `rate <photo>... -1`: a "-1" after `rate` is the reject rating, not an option. */
function rejectAsWord(argv: string[]): string[] {
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return argv;
    if (!a.startsWith('-')) break;
    const name = a.replace(/^--?/, '').split('=')[0]!;
    const def = (OPTIONS as Record<string, { type: string }>)[name];
    if (def?.type === 'string' && !a.includes('=')) i++;
  }
  if (argv[i] !== 'rate') return argv;
  return argv.map((a, j) => (j > i && a === '-1' ? 'reject' : a));
}

export async function main(argv: string[], io: Io = { out: process.stdout, err: process.stderr }): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: rejectAsWord(argv), options: OPTIONS, allowPositionals: true, strict: true, tokens: true });
  } catch (e) {
    io.err.write(`shoebox: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals, tokens } = parsed;
  const [command, ...args] = positionals;
  // Arguments after `--` are never photos (`tags add 12 -- 2019`): the index in `args` where they start.
  const terminator = tokens.findIndex((t) => t.kind === 'option-terminator');
  const literalAt = terminator < 0 ? Infinity : Math.max(0, tokens.slice(0, terminator).filter((t) => t.kind === 'positional').length - 1);
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
        return listCommand(ctx, json, values);
      case 'search':
        return await searchCommand(ctx, args, values);
      case 'similar':
        return await similarCommand(ctx, args, values);
      case 'text':
        return textCommand(ctx, args, json);
      case 'models':
        return await modelsCommand(ctx, args, json);
      case 'settings':
        return await settingsCommand(ctx, args, json);
      case 'caption':
        return await captionCommand(ctx, args, json);
      case 'tags':
        return await tagsCommand(ctx, args, values as TaggingFlags, literalAt);
      case 'suggestions':
        return await suggestionsCommand(ctx, args, values as TaggingFlags);
      case 'rate':
      case 'label':
        return await markCommand(ctx, command, args, values as TaggingFlags, literalAt);
      case 'place':
        return await placeCommand(ctx, args, values as PlaceFlags);
      case 'undo':
        return await undoCommand(ctx, args, values as TaggingFlags);
      case 'export':
        if (values['user-data'] !== undefined) {
          if (values.format !== undefined || values.output !== undefined) throw new UsageError('--user-data writes its own format: give it without --format and --output');
          return exportUserDataCommand(ctx, args, values['user-data']);
        }
        return exportCommand(ctx, args, values.format, values.output);
      case 'import':
        return importCommand(ctx, args, values['user-data'], json);
      case 'backup':
        return await backupCommand(ctx, args, json);
      case 'backups':
        return backupsCommand(ctx, args, json);
      case 'repair':
        return await repairCommand(ctx, args, json);
      case 'serve':
        return await serveCommand(ctx, args, { port: values.port, noIndex: values['no-index'] });
      case 'people':
        return await peopleCommand(ctx, args, json);
      case 'faces':
        return facesCommand(ctx, args, json);
      case 'duplicates':
        return await duplicatesCommand(ctx, args, { json: values.json, kind: values.kind, keep: values.keep, 'all-exact': values['all-exact'], yes: values.yes } satisfies DuplicatesFlags);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err.write(`shoebox: ${e.message}\n\n${e.usage ?? USAGE}`);
      return 2;
    }
    io.err.write(
      isDiskFull(e) ? `shoebox: the disk holding ${ctx.dataDir} is full (${errorMessage(e)}): free some space and run it again\n` : `shoebox: ${errorMessage(e)}\n`,
    );
    return 1;
  }
  return 0;
}
