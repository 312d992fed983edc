// Unit tests for the Indexing panel's figures: stage rows, waiting stages, "all indexed".
import { describe, expect, it } from 'vitest';
import type { MlStatus } from '../../src/shared/types.ts';
import { activePending, allIndexed, catalogDamageNote, diskFullNote, fraction, stageRows, waitingReason, withoutCommands } from '../../src/renderer/src/lib/indexing.ts';

const ml = (over: Partial<MlStatus> = {}): MlStatus => ({
  clipModel: 'clip-vit-b32-q8',
  clipInstalled: true,
  embedded: 0,
  previousModel: null,
  provider: null,
  providerSetting: 'auto',
  modelsDir: '/models',
  captionModel: 'florence-2-base',
  captionInstalled: true,
  captionsOn: true,
  captioned: 0,
  lowConfidence: 0,
  captionThreshold: null,
  xmp: false,
  ...over,
});

describe('indexing figures', () => {
  it('merges status counts with the runs in progress', () => {
    const rows = stageRows(
      [
        { stage: 'thumb', done: 10, pending: 5, failed: 1 },
        { stage: 'embed', done: 0, pending: 15, failed: 0 },
      ],
      [{ stage: 'thumb', done: 3, total: 8, failed: 0, rate: 2.5, etaSeconds: 2 }],
      ml(),
    );
    expect(rows[0]).toMatchObject({ stage: 'thumb', pending: 5, run: { done: 3, total: 8, rate: 2.5, etaSeconds: 2 }, waiting: null });
    expect(rows[1]!.run).toBeNull();
    expect(activePending(rows)).toBe(20);
    expect(allIndexed(rows)).toBe(false);
  });

  it('does not count tasks that wait for a model or a setting', () => {
    const rows = stageRows(
      [
        { stage: 'thumb', done: 10, pending: 0, failed: 0 },
        { stage: 'embed', done: 0, pending: 10, failed: 0 },
        { stage: 'caption', done: 0, pending: 10, failed: 0 },
        { stage: 'xmp', done: 0, pending: 10, failed: 0 },
      ],
      [],
      ml({ clipInstalled: false }),
    );
    expect(rows.map((r) => r.waiting)).toEqual([null, 'waits for the search model (clip-vit-b32-q8)', 'waits for the search model (clip-vit-b32-q8)', 'XMP sidecars are off']);
    expect(activePending(rows)).toBe(0);
    expect(allIndexed(rows)).toBe(true);
  });

  it('explains why captions wait', () => {
    expect(waitingReason('caption', ml({ captionsOn: false }))).toBe('captions are off');
    expect(waitingReason('caption', ml({ captionInstalled: false }))).toBe('waits for the caption model (florence-2-base)');
    expect(waitingReason('caption', ml())).toBeNull();
    expect(waitingReason('thumb', ml({ clipInstalled: false }))).toBeNull();
    expect(waitingReason('embed', null)).toBeNull();
  });

  it('is not done while a run is in progress, and adds stages only progress knows', () => {
    const rows = stageRows([], [{ stage: 'meta', done: 1, total: 4, failed: 0, rate: 1, etaSeconds: 3 }], null);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.pending).toBe(3);
    expect(allIndexed(rows)).toBe(false);
    expect(allIndexed(stageRows([], [{ stage: 'meta', done: 4, total: 4, failed: 0, rate: 1, etaSeconds: 0 }], null))).toBe(true);
  });

  it("takes status's own waiting reason and drops a stale run of a stage that now waits", () => {
    const rows = stageRows(
      [{ stage: 'xmp', done: 0, pending: 10, failed: 0, waiting: 'XMP sidecars are turned off' }],
      [{ stage: 'xmp', done: 0, total: 10, failed: 0, rate: 0, etaSeconds: null }],
      ml({ xmp: true }),
    );
    expect(rows[0]!.waiting).toBe('XMP sidecars are turned off');
    expect(rows[0]!.run).toBeNull();
    expect(allIndexed(rows)).toBe(true);
  });

  it("words the engine's reasons for the window: its own phrasing first, command lines dropped", () => {
    const rows = stageRows(
      [
        { stage: 'xmp', done: 0, pending: 3, failed: 0, waiting: 'XMP sidecars are off (shoebox settings set xmp on)' },
        {
          stage: 'embed',
          done: 0,
          pending: 3,
          failed: 0,
          waiting:
            'the CLIP model clip-vit-b32-q8 is not installed (2 files missing). Download it with `shoebox models download clip-vit-b32-q8`, or import a folder you already have with `shoebox models import clip-vit-b32-q8 <folder>`',
        },
        { stage: 'future', done: 0, pending: 3, failed: 0, waiting: 'the widget model is not installed (1 file missing). Download it with `shoebox models download w`' },
      ],
      [],
      ml({ clipInstalled: false }),
    );
    expect(rows.map((r) => r.waiting)).toEqual([
      'XMP sidecars are off',
      'waits for the search model (clip-vit-b32-q8)',
      'the widget model is not installed (1 file missing)',
    ]);
    expect(withoutCommands('captioning is turned off (shoebox settings set captions on)')).toBe('captioning is turned off');
    expect(withoutCommands('no CLIP model is configured')).toBe('no CLIP model is configured');
  });

  it('computes a share done', () => {
    expect(fraction(1, 4)).toBe(0.25);
    expect(fraction(0, 0)).toBe(0);
    expect(fraction(5, 4)).toBe(1);
  });
});

describe('a full disk', () => {
  it('says which disk is full and that indexing goes on by itself, and nothing when it is not', () => {
    expect(diskFullNote(null)).toBeNull();
    expect(diskFullNote(undefined)).toBeNull();
    expect(diskFullNote({ message: 'the disk holding /home/ann/.config/Shoebox is full', path: '/home/ann/.config/Shoebox', since: '2026-12-01T12:00:00Z', freeBytes: 0 })).toBe(
      'The disk holding /home/ann/.config/Shoebox is full. Indexing has stopped and goes on by itself once there is space again; what is indexed stays searchable.',
    );
  });
});

describe('a damaged catalog', () => {
  it('says that changes are no longer saved, with the engine’s words; nothing while it is whole or being checked', () => {
    expect(catalogDamageNote(undefined)).toBeNull();
    expect(catalogDamageNote({ checking: true, damage: null })).toBeNull();
    expect(catalogDamageNote({ checking: false, damage: 'the catalog /c.sqlite is damaged: database disk image is malformed. Run `shoebox repair`.' })).toBe(
      'Shoebox has stopped saving changes: your photos stay browsable and searchable, but edits are refused. The catalog /c.sqlite is damaged: database disk image is malformed. Run `shoebox repair`.',
    );
  });
});
