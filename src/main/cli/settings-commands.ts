// CLI settings: `settings`, `settings get <key>`, `settings set <key> <value>` (the app's store too).
import { openDatabase } from '../core/catalog/db.ts';
import { openCatalog } from '../core/catalog/repositories.ts';
import { dataPaths } from '../core/paths.ts';
import { SETTINGS, settingDef } from '../core/settings.ts';
import { storeSetting } from '../core/setting-change.ts';
import { STAGE_NAMES } from '../core/pipeline/stages.ts';
import { modelStore, UsageError, withLibraryOrCatalog, type Context } from './context.ts';
import { errorMessage } from '../../shared/error-message.ts';

export async function settingsCommand(ctx: Context, args: string[], json: boolean): Promise<number> {
  const [sub, key, ...rest] = args;
  if (sub === 'set') {
    if (!key || rest.length !== 1) throw new UsageError('settings set takes a key and a value');
    const value = await setSetting(ctx, key, rest[0]!);
    ctx.io.out.write(`${key} = ${value}${settingDef(key).onRestart ? ' (takes effect when Shoebox next starts)' : ''}\n`);
    return 0;
  }
  // Reading settings does not need the engine lock.
  const db = openDatabase(dataPaths(ctx.dataDir).catalog);
  try {
    const { catalog } = openCatalog(db, () => STAGE_NAMES);
    const value = (k: string) => catalog.setting(k) ?? settingDef(k).default;
    switch (sub ?? 'list') {
      case 'list': {
        const all = Object.fromEntries(Object.keys(SETTINGS).map((k) => [k, value(k)]));
        if (json) ctx.io.out.write(JSON.stringify(all, null, 2) + '\n');
        else for (const [k, v] of Object.entries(all)) ctx.io.out.write(`${k} = ${v}\n    ${SETTINGS[k]!.description}\n`);
        return 0;
      }
      case 'get':
        if (!key || rest.length) throw new UsageError('settings get takes one key');
        ctx.io.out.write(`${value(key)}\n`);
        return 0;
      default:
        throw new UsageError(`unknown settings command '${sub}': use get or set`);
    }
  } finally {
    db.close();
  }
}

/**
 * Changes a setting as the window does (Library.setSetting: validated, stored, its reactions run
 * and awaited). When another process holds the engine lock (the app, `watch`, `serve`), the value
 * is validated and stored without the reactions, as before (SQLite serializes the writers): that
 * engine follows a new model choice when it next opens the library, and applies a new caption
 * threshold after its next work.
 */
async function setSetting(ctx: Context, key: string, value: string): Promise<string> {
  return withLibraryOrCatalog(
    ctx,
    async (lib) => {
      const change = lib.setSetting(key, value);
      await change.captionCheck?.catch((e: unknown) => ctx.io.err.write(`shoebox: caption check failed: ${errorMessage(e)}\n`));
      return change.value;
    },
    ({ repos }) => storeSetting(repos.catalog, modelStore(ctx), key, value),
  );
}
