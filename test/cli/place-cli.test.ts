// `shoebox place` and the places in `list --json` and `export`, on generated photos with GPS, in process.
import path from 'node:path';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Library } from '../../src/main/core/library.ts';
import { shoebox } from '../helpers/cli.ts';
import { makeJpeg, tempDir } from '../helpers/photos.ts';

describe('shoebox place', () => {
  it('finds places by name, sets and clears one on photos, lists the library places; list --json and export carry them', async () => {
    const dir = tempDir();
    const photos = path.join(dir, 'photos');
    const lisbon = await makeJpeg(path.join(photos, 'lisbon.jpg'), { gps: { lat: 38.7223, lon: -9.1393 }, seed: 1 });
    const none = await makeJpeg(path.join(photos, 'none.jpg'), { seed: 2 });
    const data = path.join(dir, 'data');
    const lib = Library.open({ dataDir: data });
    await lib.addFolder(photos);
    await lib.index();
    await lib.close();
    const sb = (...args: string[]) => shoebox(['--data', data, ...args]);

    const find = await sb('place', 'find', 'München', '--json');
    expect(find.code).toBe(0);
    expect(JSON.parse(find.out)[0]).toMatchObject({ id: 'city:2867714', kind: 'city', city: 'Munich', country: 'Germany' });
    expect((await sb('place', 'find', 'Lisboa')).out).toMatch(/^city:2267057\tcity\tLisbon, Lisbon, Portugal\t/);
    expect((await sb('place', 'find', 'Xqzzy')).code).toBe(1);

    const set = await sb('place', 'set', 'Kyoto', none, '--json');
    expect(set.code).toBe(0);
    expect(JSON.parse(set.out)).toMatchObject({ photos: 1, summary: 'Set the place of 1 photo to “Kyoto, Japan”' });

    const list = JSON.parse((await sb('list', '--json')).out) as { path: string; place: unknown }[];
    expect(list.find((p) => p.path === none)!.place).toMatchObject({ city: 'Kyoto', countryCode: 'JP', source: 'user' });
    expect(list.find((p) => p.path === lisbon)!.place).toMatchObject({ city: 'Lisbon', countryCode: 'PT', source: 'auto' });

    const places = await sb('place', 'list');
    expect(places.out).toMatch(/1 {2}Japan \(JP\)\n\s+1 {4}Kyoto\n\s+1 {6}Kyoto\n/);
    expect(places.out).toMatch(/1 {2}Portugal \(PT\)/);

    const csv = path.join(dir, 'photos.csv');
    expect((await sb('export', '--format', 'csv', '--output', csv)).code).toBe(0);
    const lines = fs.readFileSync(csv, 'utf8').trim().split('\n');
    expect(lines[0]).toMatch(/,city,region,country,country_code,place_source,text_in_photo$/);
    expect(lines.find((l) => l.startsWith(none))).toMatch(/,Kyoto,Kyoto,Japan,JP,user,$/); // then the text in the photo: none
    expect(lines.find((l) => l.startsWith(lisbon))).toMatch(/,Lisbon,Lisbon,Portugal,PT,auto,$/);

    const clear = await sb('place', 'clear', none);
    expect(clear.out).toMatch(/Cleared the place of 1 photo/);
    expect((await sb('place', 'set', 'city:1', none)).code).toBe(1);
    expect((await sb('place', 'set')).code).toBe(2);
  });
});
