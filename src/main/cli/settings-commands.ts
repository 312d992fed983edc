// CLI settings: `settings`, `settings get <key>`, `settings set <key> <value>` (the app's store too).
import { openDatabase } from '../core/catalog/db.ts';
import { Catalog } from '../core/catalog/catalog.ts';
import { dataPaths } from '../core/paths.ts';
import { SETTINGS, settingDef } from '../core/settings.ts';
import { STAGE_NAMES } from '../core/pipeline/stages.ts';
import { modelStore, UsageError, type Context } from './context.ts';

export function settingsCommand(ctx: Context, args: string[], json: boolean): number {
  const [sub, key, ...rest] = args;
  // Settings live in the catalog; writing one does not need the engine lock (SQLite serializes writers).
  const db = openDatabase(dataPaths(ctx.dataDir).catalog);
  try {
    const catalog = new Catalog(db, () => STAGE_NAMES);
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
      case 'set': {
        if (!key || rest.length !== 1) throw new UsageError('settings set takes a key and a value');
        const def = settingDef(key);
        const specs = modelStore(ctx).specs();
        const ids = (task: string) => specs.filter((s) => s.task === task).map((s) => s.id);
        const parsed = def.parse(rest[0]!, { clipModels: ids('clip'), captionModels: ids('caption') });
        catalog.setSetting(key, parsed);
        ctx.io.out.write(`${key} = ${parsed}${def.onRestart ? ' (takes effect when Shoebox next starts)' : ''}\n`);
        return 0;
      }
      default:
        throw new UsageError(`unknown settings command '${sub}': use get or set`);
    }
  } finally {
    db.close();
  }
}
