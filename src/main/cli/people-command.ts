// `shoebox people` and `shoebox faces`: the people the faces were grouped into (core/people), each with its faces,
// naming, merging and splitting them; and the faces found in one photo. Listing reads the catalog read-only (beside a
// running app). A change opens the library; when another Shoebox holds it (the app, `watch`, `serve`), it is made on
// the catalog directly (SQLite serializes the writers), as the CLI's tag and caption edits are: that engine's grouping
// sees the change at its next grouping (People: SQLite's data_version), the sidecars that name the people are queued
// for its xmp stage, and its window shows the change when the People view is read again.
import { Faces, type FaceBox, type FaceRow, type PersonRow } from '../core/catalog/faces.ts';
import type { Catalog } from '../core/catalog/catalog.ts';
import { People } from '../core/people/people.ts';
import { peoplePhotos } from '../core/annotate/sidecar-sync.ts';
import { UsageError, withLibraryOrCatalog, withReader, type Context } from './context.ts';
import { notInLibrary, photoRef } from './selection.ts';

export const PEOPLE_USAGE = `Usage:
  shoebox people [--json]  the people, the most faces first: id, name (or unnamed), how many
                           faces, hidden; each face's id, photo and box
  shoebox people name <person> <name>
                           name a person (its faces become yours: no regrouping moves them)
  shoebox people merge <person> <into>
                           every face of the first person goes to the second
  shoebox people split <person> <face>...
                           those faces of the person go to a new person of their own
  shoebox people cover <person> <face>
                           that face of the person shows them in People (it becomes yours)
  shoebox faces <photo> [--json]
                           the faces found in a photo: id, box, score, person (or the named
                           person it may be: "Mia?", answered in the window's People)
A person is its id or its name; a face is its id (from \`shoebox people\` or \`shoebox faces\`).
`;

const NO_LIBRARY = (ctx: Context) => new Error(`no library at ${ctx.dataDir}: add a folder and index it first`);

function boxText(b: FaceBox): string {
  return `${Math.round(b.width)}x${Math.round(b.height)} at ${Math.round(b.x)},${Math.round(b.y)}`;
}

function roundBox(b: FaceBox): FaceBox {
  return { x: Math.round(b.x), y: Math.round(b.y), width: Math.round(b.width), height: Math.round(b.height) };
}

/** The person an argument names: an id, else a name (case-insensitive), which must be one person's. */
export function personRef(faces: Faces, arg: string): number {
  if (/^\d+$/.test(arg)) {
    if (!faces.person(Number(arg))) throw new Error(`there is no person ${arg}`);
    return Number(arg);
  }
  const key = arg.normalize('NFC').trim().toLowerCase();
  const named = faces.people().filter((p) => p.name !== null && p.name.toLowerCase() === key);
  if (named.length === 0) throw new Error(`no person is named ${JSON.stringify(arg)}`);
  if (named.length > 1) throw new Error(`${named.length} people are named ${JSON.stringify(arg)}: give an id (${named.map((p) => p.id).join(', ')})`);
  return named[0]!.id;
}

function faceRef(arg: string): number {
  if (!/^[1-9]\d*$/.test(arg)) throw new UsageError(`a face is a number (from \`shoebox people\` or \`shoebox faces\`); not ${JSON.stringify(arg)}`, PEOPLE_USAGE);
  return Number(arg);
}

export async function peopleCommand(ctx: Context, args: string[], json: boolean): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== undefined && json) throw new UsageError(`--json does not apply to 'people ${sub}'`, PEOPLE_USAGE);
  switch (sub) {
    case undefined:
      return list(ctx, json);
    case 'name':
      if (rest.length !== 2) throw new UsageError('people name takes a person and a name: shoebox people name <person> <name>', PEOPLE_USAGE);
      return change(ctx, (lib) => {
        const id = personRef(lib.faces, rest[0]!);
        lib.people.name(id, rest[1]!);
        lib.peopleChanged([id]);
        return `Person ${id} is now “${lib.faces.person(id)!.name}”.`;
      });
    case 'merge':
      if (rest.length !== 2) throw new UsageError('people merge takes two people: shoebox people merge <person> <into>', PEOPLE_USAGE);
      return change(ctx, (lib) => {
        const from = personRef(lib.faces, rest[0]!);
        const into = personRef(lib.faces, rest[1]!);
        const moved = lib.faces.person(from)!.faces;
        lib.people.merge(from, into);
        lib.peopleChanged([into]);
        const p = lib.faces.person(into)!;
        return `Merged person ${from} into ${into}${p.name ? ` (“${p.name}”)` : ''}: ${moved} face${moved === 1 ? '' : 's'} moved, ${p.faces} in all.`;
      });
    case 'split': {
      if (rest.length < 2) throw new UsageError('people split takes a person and one face or more: shoebox people split <person> <face>...', PEOPLE_USAGE);
      const faceIds = [...new Set(rest.slice(1).map(faceRef))];
      return change(ctx, (lib) => {
        const from = personRef(lib.faces, rest[0]!);
        for (const f of faceIds) {
          const face = lib.faces.face(f);
          if (!face) throw new Error(`there is no face ${f}`);
          if (face.personId !== from) throw new Error(`face ${f} is not person ${from}'s`);
        }
        if (faceIds.length === lib.faces.person(from)!.faces) throw new Error(`those are every face of person ${from}: nothing would be left to split from`);
        // One transaction: the first face makes the new person, the others join it.
        const to = lib.faces.transaction(() => {
          const person = lib.people.moveFace(faceIds[0]!, 'new');
          for (const f of faceIds.slice(1)) lib.people.moveFace(f, person);
          return person;
        });
        lib.peopleChanged([from, to]);
        return `Split ${faceIds.length} face${faceIds.length === 1 ? '' : 's'} from person ${from} into a new person ${to}.`;
      });
    }
    case 'cover': {
      if (rest.length !== 2) throw new UsageError('people cover takes a person and one of their faces: shoebox people cover <person> <face>', PEOPLE_USAGE);
      const faceId = faceRef(rest[1]!);
      return change(ctx, (lib) => {
        const id = personRef(lib.faces, rest[0]!);
        if (!lib.faces.face(faceId)) throw new Error(`there is no face ${faceId}`);
        lib.people.setCover(id, faceId);
        return `Face ${faceId} now shows person ${id} in People.`;
      });
    }
    default:
      throw new UsageError(`unknown people command '${sub}'`, PEOPLE_USAGE);
  }
}

/** What a change works on: the faces, the people, and what queues the sidecars naming the people it changed. */
interface PeopleHandle {
  faces: Faces;
  people: People;
  peopleChanged(ids: readonly number[]): void;
}

/**
 * Runs a change on the library, or, when another Shoebox has it open, on its catalog directly (see the file header);
 * the note on stderr says which.
 */
async function change(ctx: Context, fn: (lib: PeopleHandle) => string): Promise<number> {
  const out = await withLibraryOrCatalog(
    ctx,
    (lib) => fn(lib),
    ({ db, repos }, locked) => {
      const faces = new Faces(db);
      const said = fn({
        faces,
        people: new People(faces),
        peopleChanged: (ids) => repos.queue.requeuePhotos(peoplePhotos(repos.annotations, ids), ['xmp']),
      });
      ctx.io.err.write(`shoebox: Shoebox (pid ${locked.pid}) has this library open: the change is in the catalog; it regroups with it at its next grouping, and its People view shows it when read again\n`);
      return said;
    },
  );
  ctx.io.out.write(`${out}\n`);
  return 0;
}

interface ListedFace {
  id: number;
  photo: number;
  path: string | null;
  box: FaceBox;
}

function listedFace(catalog: Catalog, f: FaceRow): ListedFace {
  return { id: f.id, photo: f.photoId, path: catalog.photo(f.photoId)?.path ?? null, box: roundBox(f.box) };
}

function list(ctx: Context, json: boolean): number {
  const people = withReader(ctx, (r) => {
    const faces = new Faces(r.db);
    return faces.people().map((p: PersonRow) => ({ id: p.id, name: p.name, faces: p.faces, hidden: p.hidden, list: faces.ofPerson(p.id).map((f) => listedFace(r.catalog, f)) }));
  });
  if (!people) throw NO_LIBRARY(ctx);
  if (json) {
    ctx.io.out.write(`${JSON.stringify(people.map((p) => ({ id: p.id, name: p.name, hidden: p.hidden, faceCount: p.faces, faces: p.list })), null, 2)}\n`);
    return 0;
  }
  if (people.length === 0) {
    ctx.io.out.write('No people yet: the faces stage finds faces as `shoebox index` runs (`shoebox status` shows how far it is).\n');
    return 0;
  }
  for (const p of people) {
    ctx.io.out.write(`${String(p.id).padStart(5)}  ${p.name ?? 'unnamed'}, ${p.faces} face${p.faces === 1 ? '' : 's'}${p.hidden ? ', hidden' : ''}\n`);
    for (const f of p.list) ctx.io.out.write(`         face ${f.id}  ${f.path ?? `photo ${f.photo}`}  ${boxText(f.box)}\n`);
  }
  return 0;
}

export function facesCommand(ctx: Context, args: string[], json: boolean): number {
  if (args.length !== 1) throw new UsageError('faces takes one photo (its path or id): shoebox faces <photo> [--json]', PEOPLE_USAGE);
  const arg = args[0]!;
  const found = withReader(ctx, (r) => {
    const id = photoRef(r, arg);
    if (id === undefined) return { missing: true as const };
    const faces = new Faces(r.db);
    const read = r.db.prepare('SELECT model, read_at FROM photo_faces WHERE photo_id = ?').get(id) as { model: string; read_at: number } | undefined;
    const rows = faces.forPhoto(id).map((f) => {
      const p = f.personId === null ? null : faces.person(f.personId);
      const s = faces.openSuggestion(f);
      const maybe = s === null ? null : faces.person(s);
      const suggested = maybe && maybe.name !== null && !maybe.hidden ? { id: maybe.id, name: maybe.name } : null;
      return { id: f.id, box: roundBox(f.box), score: +f.score.toFixed(3), notAFace: f.state === 'not_face', person: p ? { id: p.id, name: p.name } : null, suggested };
    });
    return { missing: false as const, path: r.catalog.photo(id)!.path, model: read?.model ?? null, readAt: read ? new Date(read.read_at).toISOString() : null, faces: rows };
  });
  if (found === null) throw NO_LIBRARY(ctx);
  if (found.missing) {
    ctx.io.err.write(`shoebox: ${notInLibrary(arg)}\n`);
    return 1;
  }
  if (json) {
    const { missing: _, ...out } = found;
    ctx.io.out.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  ctx.io.out.write(`${found.path}\n`);
  if (found.model === null) {
    ctx.io.out.write('  faces not read yet: run `shoebox index` (with the faces setting on)\n');
    return 0;
  }
  if (found.faces.length === 0) ctx.io.out.write('  no faces found\n');
  for (const f of found.faces) {
    const who = f.notAFace ? 'not a face' : f.person ? `person ${f.person.id} (${f.person.name ?? 'unnamed'})` : 'no person yet';
    const maybe = f.suggested && !f.person?.name ? `, maybe ${f.suggested.name}? (person ${f.suggested.id})` : '';
    ctx.io.out.write(`  face ${f.id}  ${boxText(f.box)}  score ${f.score.toFixed(2)}  ${who}${maybe}\n`);
  }
  return 0;
}
