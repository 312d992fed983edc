// `shoebox place`: places by name from the offline data, a hand-set place on photos (or cleared), and the
// library's places with counts ([Note: nearest-place rule] in core/places/geocoder.ts).
import { UsageError, type Context } from './context.ts';
import { withSession, runEdit } from './edit-session.ts';
import { hasSelection, resolvePhotos, selectPhotos, describeSelection, type SelectionFlags } from './selection.ts';
import { geocoder } from '../core/places/geocoder.ts';
import type { CountryPlaces, PlaceMatch } from '../../shared/types.ts';

export const PLACE_USAGE = `Usage:
  shoebox place find <text> [--limit N] [--json]
                           places whose name (English, local or another) is or starts with the text
  shoebox place set <place> <photo>... [--dry-run] [--json]
                           sets your place on photos (paths or ids, or --search/--folder/--from/--to/
                           --camera/--tag/--rating/--label to pick them): <place> is an id from
                           \`place find\` (city:2267057, region:PT.14, country:PT) or a name, which
                           takes the first place found ("Lisboa" is Lisbon, Portugal); undoable
  shoebox place clear <photo>... [--dry-run] [--json]
                           removes your place (the one from GPS shows again)
  shoebox place list [--json]
                           the library's places, country → region → city, with photo counts
`;

export interface PlaceFlags extends SelectionFlags {
  json?: boolean;
  'dry-run'?: boolean;
}

function describe(m: PlaceMatch): string {
  return [m.city, m.region, m.country].filter((x): x is string => !!x).join(', ');
}

/** The place a `place set` argument names: an id of the data, else the first place its name finds. */
function placeFor(text: string): PlaceMatch {
  const byId = /^(city|region|country):/.test(text) ? geocoder.place(text) : null;
  if (byId) return byId;
  const [first] = geocoder.find(text, 1);
  if (!first) throw new Error(`no place named ${JSON.stringify(text)} in the places data (try \`shoebox place find ${text.split(/\s+/)[0]}\`)`);
  return first;
}

export async function placeCommand(ctx: Context, args: string[], flags: PlaceFlags): Promise<number> {
  const [sub, ...rest] = args;
  const { io } = ctx;
  switch (sub) {
    case 'find': {
      const text = rest.join(' ').trim();
      if (!text) throw new UsageError('place find needs the text of a name', PLACE_USAGE);
      const found = geocoder.find(text, flags.limit ? Number(flags.limit) : 20);
      if (flags.json) io.out.write(`${JSON.stringify(found.map(({ cityId: _c, regionCode: _r, ...m }) => m), null, 2)}\n`);
      else for (const m of found) io.out.write(`${m.id}\t${m.kind}\t${describe(m)}${m.population ? `\t${m.population.toLocaleString('en-US')} people` : ''}\n`);
      if (found.length === 0) io.err.write(`shoebox: no place named ${JSON.stringify(text)}\n`);
      return found.length ? 0 : 1;
    }
    case 'set':
    case 'clear': {
      const clear = sub === 'clear';
      const name = clear ? undefined : rest[0];
      const photos = clear ? rest : rest.slice(1);
      if (!clear && !name) throw new UsageError('place set needs the place, then the photos', PLACE_USAGE);
      const place = name === undefined ? null : placeFor(name);
      return withSession(ctx, async (s) => {
        let ids: number[];
        if (hasSelection(flags)) {
          if (photos.length) throw new UsageError(`name photos or pick them with ${describeSelection(flags)}, not both`, PLACE_USAGE);
          ids = await selectPhotos(ctx, flags, PLACE_USAGE);
          if (ids.length === 0) throw new Error(`no photos match ${describeSelection(flags)}`);
        } else {
          if (photos.length === 0) throw new UsageError(`place ${sub} needs photos (paths or ids), or --search or a filter to pick them`, PLACE_USAGE);
          ids = resolvePhotos(s.repos, photos);
        }
        return runEdit(ctx, s, { json: flags.json ?? false, dryRun: flags['dry-run'] ?? false, selected: ids }, (e, p) =>
          e.editPhotos(ids, { place: place?.id ?? null }, p),
        );
      });
    }
    case 'list': {
      if (rest.length) throw new UsageError('place list takes no arguments', PLACE_USAGE);
      const places: CountryPlaces[] = await withSession(ctx, (s) => s.repos.places.inLibrary());
      if (flags.json) {
        io.out.write(`${JSON.stringify(places, null, 2)}\n`);
        return 0;
      }
      io.out.write(' photos  place\n');
      for (const c of places) {
        io.out.write(`${String(c.photos).padStart(7)}  ${c.name} (${c.countryCode})\n`);
        for (const r of c.regions) {
          io.out.write(`${String(r.photos).padStart(7)}    ${r.region ?? '(region unknown)'}\n`);
          for (const city of r.cities) io.out.write(`${String(city.photos).padStart(7)}      ${city.name}\n`);
        }
      }
      return 0;
    }
    default:
      throw new UsageError(sub ? `unknown place command '${sub}'` : 'place needs find, set, clear or list', PLACE_USAGE);
  }
}
