// The text read in photos (the ocr stage's results, migration 10): stored per photo with its model version, and
// found again by search, word by word, with one OCR error forgiven in longer words.
//
// [Note: text in photos search]
// A query's words are matched against the photo's text in two indexes beside photos_fts:
// - photo_text_fts (unicode61, diacritics removed: case- and accent-insensitive, as photos_fts): the word itself,
//   or a word it begins ("wine" finds "wines"), counts 1;
// - photo_text_trigram (trigrams of the folded text): a word of 4 letters or more inside a longer one counts 0.9
//   (the bundled recognizer often reads "wine shop" as "wineshop": ml/ocr-tensors.ts withWordSpaces puts most
//   spaces back, not all);
// - photo_text_trigram again for a word of 5 letters or more not found so: one letter
//   read wrong, missing or extra ("hortons" in "HORT0NS", "HORTNS", "HORTONNS") counts 0.8. One edit leaves one
//   half of the word intact (halves of 3 letters or more from 6 letters; a 5-letter word's two overlapping
//   triples miss only an edit of its middle letter, looked for with LIKE), so the halves find the candidates
//   through the index and an edit distance of at most 1 to one of their words keeps them.
// A photo's score is the mean over the query's words of what each found (1, 0.8 or 0), its line the first that
// holds a found word.
import type { Db } from './db.ts';

export interface StoredTextLine {
  text: string;
  /** 0–1. */
  confidence: number;
  /** Four corners in the photo's upright pixels: top-left, top-right, bottom-right, bottom-left as read. */
  box: [number, number][];
}

export interface PhotoTextRow {
  /** The version it was read with ([Note: OCR version] in ml/service.ts). */
  model: string;
  lines: StoredTextLine[];
  /** When it was read (ms since the epoch). */
  readAt: number;
}

export interface TextMatch {
  /** 0–1: the share of the query's words the photo's text holds (a word with one error counts 0.8). */
  score: number;
  /** The first line holding a word of the query. */
  line: string;
}

/** Lower case, without diacritics (NFKD, combining marks removed): how the trigram index and the checks see text. */
export function foldText(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
}

/** The words of a text, folded. */
export function foldedWords(text: string): string[] {
  return foldText(text).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/** Whether two words are at most one edit apart (a letter changed, added or removed). */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  const [s, l] = a.length <= b.length ? [a, b] : [b, a];
  let i = 0;
  while (i < s.length && s[i] === l[i]) i++;
  if (s.length === l.length) return s.slice(i + 1) === l.slice(i + 1);
  return s.slice(i) === l.slice(i + 1);
}

const EXACT = 1;
const GLUED = 0.9;
const ONE_EDIT = 0.8;
/** Words this long or longer are found inside a longer word too ("museum" in "TICKETMUSEUM"). */
export const GLUED_MIN_LENGTH = 4;
/** Words this long or longer are forgiven one OCR error. */
export const FUZZY_MIN_LENGTH = 5;
/** Candidates one index lookup reads, at most. */
const CANDIDATES = 2000;

const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;

export class PhotoText {
  constructor(private readonly db: Db) {}

  /** Stores what was read in a photo (replacing what was), with the version it was read with. */
  put(photoId: number, model: string, lines: readonly StoredTextLine[], now = Date.now()): void {
    const text = lines.map((l) => l.text).join('\n');
    this.db
      .prepare(
        `INSERT INTO photo_text (photo_id, model, lines, text, folded, created_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(photo_id) DO UPDATE SET model = excluded.model, lines = excluded.lines, text = excluded.text, folded = excluded.folded, created_at = excluded.created_at`,
      )
      .run(photoId, model, JSON.stringify(lines), text, foldText(text), now);
  }

  /** What was read in a photo, or null when it was never read. */
  get(photoId: number): PhotoTextRow | null {
    const row = this.db.prepare('SELECT model, lines, created_at FROM photo_text WHERE photo_id = ?').get(photoId) as { model: string; lines: string; created_at: number } | undefined;
    return row ? { model: row.model, lines: JSON.parse(row.lines) as StoredTextLine[], readAt: row.created_at } : null;
  }

  /** Whether the photo's text was read with this version. */
  isCurrent(photoId: number, model: string): boolean {
    return this.db.prepare('SELECT 1 FROM photo_text WHERE photo_id = ? AND model = ?').get(photoId, model) !== undefined;
  }

  /** The photos read with another version than this one. */
  staleIds(model: string): number[] {
    return this.db.prepare('SELECT photo_id FROM photo_text WHERE model <> ?').pluck().all(model) as number[];
  }

  /** The photos whose text was read and holds something. */
  idsWithText(): number[] {
    return this.db.prepare("SELECT photo_id FROM photo_text WHERE text <> ''").pluck().all() as number[];
  }

  /** The text of each of these photos that has some (lines joined by newlines). */
  texts(ids: readonly number[]): Map<number, string> {
    const out = new Map<number, string>();
    const stmt = this.db.prepare("SELECT photo_id, text FROM photo_text WHERE photo_id IN (SELECT value FROM json_each(?)) AND text <> ''");
    for (let i = 0; i < ids.length; i += 5000) {
      for (const r of stmt.all(JSON.stringify(ids.slice(i, i + 5000))) as { photo_id: number; text: string }[]) out.set(r.photo_id, r.text);
    }
    return out;
  }

  /** Photos read (with any version), and how many of them hold some text. */
  counts(): { read: number; withText: number } {
    const r = this.db.prepare("SELECT COUNT(*) AS read, COALESCE(SUM(text <> ''), 0) AS withText FROM photo_text").get() as { read: number; withText: number };
    return r;
  }

  /**
   * The photos whose text holds the query's words ([Note: text in photos search]), best first, at most `limit`.
   * `words` are the query's meaningful words (search drops its stopwords first).
   */
  match(words: readonly string[], limit: number): Map<number, TextMatch> {
    const folded = [...new Set(words.flatMap((w) => foldedWords(w)))].filter((w) => w.length > 1);
    const scores = new Map<number, number[]>();
    const found = new Map<number, Set<string>>();
    folded.forEach((word, wi) => {
      const hit = (id: number, score: number, as: string) => {
        let s = scores.get(id);
        if (!s) scores.set(id, (s = new Array<number>(folded.length).fill(0)));
        if (score > s[wi]!) s[wi] = score;
        let f = found.get(id);
        if (!f) found.set(id, (f = new Set()));
        f.add(as);
      };
      const exact = this.db
        .prepare('SELECT rowid AS id FROM photo_text_fts WHERE photo_text_fts MATCH ? ORDER BY rank LIMIT ?')
        .pluck()
        .all(word.length >= 3 ? `${quote(word)}*` : quote(word), CANDIDATES) as number[];
      const matched = new Set(exact);
      for (const id of exact) hit(id, EXACT, word);
      if (word.length >= GLUED_MIN_LENGTH) {
        // Inside a longer run of letters: words the recognizer read without the space between them.
        const inside = this.db.prepare('SELECT rowid AS id FROM photo_text_trigram WHERE photo_text_trigram MATCH ? LIMIT ?').pluck().all(quote(word), CANDIDATES) as number[];
        for (const id of inside) {
          if (matched.has(id)) continue;
          matched.add(id);
          hit(id, GLUED, word);
        }
      }
      if (word.length < FUZZY_MIN_LENGTH) return;
      for (const { id, folded: text } of this.fuzzyCandidates(word)) {
        if (matched.has(id)) continue;
        const near = foldedWords(text).find((w) => withinOneEdit(w, word));
        if (near) hit(id, ONE_EDIT, near);
      }
    });
    const ranked = [...scores.entries()]
      .map(([id, s]) => ({ id, score: s.reduce((a, b) => a + b, 0) / folded.length }))
      .sort((a, b) => b.score - a.score || a.id - b.id)
      .slice(0, limit);
    const out = new Map<number, TextMatch>();
    if (ranked.length === 0) return out;
    const texts = this.texts(ranked.map((r) => r.id));
    for (const r of ranked) {
      const lines = (texts.get(r.id) ?? '').split('\n');
      const want = found.get(r.id)!;
      const line = lines.find((l) => foldedWords(l).some((w) => [...want].some((f) => w === f || w.includes(f)))) ?? lines[0] ?? '';
      out.set(r.id, { score: r.score, line });
    }
    return out;
  }

  /** Photos whose folded text may hold `word` with one edit: through the trigram index, by the half the edit left intact. */
  private fuzzyCandidates(word: string): { id: number; folded: string }[] {
    const n = word.length;
    const pieces = n >= 6 ? [word.slice(0, Math.ceil(n / 2)), word.slice(Math.ceil(n / 2))] : [word.slice(0, 3), word.slice(n - 3)];
    const rows = this.db
      .prepare('SELECT rowid AS id, folded FROM photo_text_trigram WHERE photo_text_trigram MATCH ? LIMIT ?')
      .all(pieces.map(quote).join(' OR '), CANDIDATES) as { id: number; folded: string }[];
    if (n < 6) {
      // A five-letter word's middle letter changed or missing: neither triple is intact.
      const mid = Math.floor(n / 2);
      const like = (p: string) => `%${p.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const changed = `${like(word.slice(0, mid)).slice(0, -1)}_${like(word.slice(mid + 1)).slice(1)}`;
      const dropped = like(word.slice(0, mid) + word.slice(mid + 1));
      rows.push(
        ...(this.db.prepare("SELECT rowid AS id, folded FROM photo_text_trigram WHERE folded LIKE ? ESCAPE '\\' OR folded LIKE ? ESCAPE '\\' LIMIT ?").all(changed, dropped, CANDIDATES) as {
          id: number;
          folded: string;
        }[]),
      );
    }
    return rows;
  }
}
