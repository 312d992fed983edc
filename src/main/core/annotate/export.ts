// `shoebox export`: every present photo's path, caption (with source, score and provenance) and
// tags with scores, as CSV (one row per photo) or JSON (one object per photo).
import type { Repositories } from '../catalog/repositories.ts';
import type { CaptionRecord, PhotoPlace, TagRecord } from '../../../shared/types.ts';

export interface ExportRow {
  path: string;
  takenAt: string | null;
  caption: CaptionRecord | null;
  /** The automatic caption too when the user's replaced it. */
  autoCaption: CaptionRecord | null;
  tags: Pick<TagRecord, 'tag' | 'source' | 'score'>[];
  /** Where it was taken: the user's place, else the one from GPS; null when neither. */
  place: PhotoPlace | null;
}

export function* exportRows({ catalog, annotations, places }: Pick<Repositories, 'catalog' | 'annotations' | 'places'>): Generator<ExportRow> {
  for (const p of catalog.presentPhotosByPath()) {
    const captions = annotations.captions(p.id);
    yield {
      path: p.path,
      takenAt: p.taken_at,
      caption: captions[0] ?? null,
      autoCaption: captions.find((c) => c.source === 'auto') ?? null,
      tags: annotations
        .tags(p.id)
        .filter((t) => !t.hidden)
        .map((t) => ({ tag: t.tag, source: t.source, score: t.score })),
      place: places.shown(p.id),
    };
  }
}

/** RFC 4180 quoting: fields with a comma, quote or line break are quoted, quotes doubled. */
export function csvField(v: string | number | boolean | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export const CSV_COLUMNS = [
  'path',
  'taken_at',
  'caption',
  'caption_source',
  'caption_score',
  'low_confidence',
  'caption_model',
  'caption_revision',
  'caption_task',
  'caption_created_at',
  'auto_caption',
  'tags',
  'tag_scores',
] as const;

export function csvLine(r: ExportRow): string {
  const c = r.caption;
  const auto = r.autoCaption;
  const fields = [
    r.path,
    r.takenAt,
    c?.text ?? null,
    c?.source ?? null,
    auto?.score ?? null,
    auto ? auto.lowConfidence : null,
    auto?.modelId ?? null,
    auto?.revision ?? null,
    auto?.task ?? null,
    c?.createdAt ?? null,
    auto?.text ?? null,
    r.tags.map((t) => t.tag).join('; '),
    r.tags.map((t) => (t.score === null ? `${t.tag}=user` : `${t.tag}=${t.score}`)).join('; '),
  ];
  return fields.map(csvField).join(',');
}
