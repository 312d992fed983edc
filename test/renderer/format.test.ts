// Unit tests for how the window writes sizes, rates, times, dates, names, scores and map links.
import { describe, expect, it } from 'vitest';
import {
  clampScore,
  errorMessage,
  fileName,
  formatByteRate,
  formatBytes,
  formatCamera,
  formatCount,
  formatDateSource,
  formatDimensions,
  formatEta,
  formatLanguages,
  formatRate,
  formatTakenAt,
  formatTimeZone,
  revealLabel,
  osmUrl,
  photoLabel,
  photoNoun,
} from '../../src/renderer/src/lib/format.ts';

describe('format', () => {
  it('names the languages an OCR model reads', () => {
    expect(formatLanguages(['zh', 'en'])).toBe('Chinese, English');
    expect(formatLanguages(['ko', 'la'])).toBe('Korean, Latin');
    expect(formatLanguages(['not a code!'])).toBe('not a code!');
  });

  it('writes counts and sizes', () => {
    expect(formatCount(100000)).toBe('100,000');
    expect(photoNoun(1)).toBe('photo');
    expect(photoNoun(0)).toBe('photos');
    expect(photoNoun(2)).toBe('photos');
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(980)).toBe('980 B');
    expect(formatBytes(1234)).toBe('1.2 KB');
    expect(formatBytes(151_000_000)).toBe('151 MB');
    expect(formatBytes(2_000_000_000)).toBe('2 GB');
    expect(formatBytes(-1)).toBe('—');
  });

  it('writes rates and time left', () => {
    expect(formatRate(12.54)).toBe('12.5/s');
    expect(formatRate(250)).toBe('250/s');
    expect(formatRate(3.2, ' MB')).toBe('3.2 MB/s');
    expect(formatRate(0)).toBe('—');
    expect(formatByteRate(850_000)).toBe('850 KB/s');
    expect(formatByteRate(12_500_000)).toBe('12.5 MB/s');
    expect(formatByteRate(0)).toBe('—');
    expect(formatByteRate(Number.NaN)).toBe('—');
    expect(formatEta(null)).toBe('—');
    expect(formatEta(0.2)).toBe('1 s left');
    expect(formatEta(45)).toBe('45 s left');
    expect(formatEta(720)).toBe('12 min left');
    expect(formatEta(7500)).toBe('2 h 5 min left');
    expect(formatEta(7200)).toBe('2 h left');
  });

  it('writes a date taken as the camera recorded it, whatever the zone', () => {
    expect(formatTakenAt('2024-03-05T14:03:09+01:00')).toBe('5 Mar 2024, 14:03');
    expect(formatTakenAt('2024-12-31')).toBe('31 Dec 2024');
    expect(formatTakenAt(null)).toBeNull();
    expect(formatTakenAt('someday')).toBe('someday');
    expect(formatTakenAt('2024-03-05T14:03:09.25-03:00')).toBe('5 Mar 2024, 14:03');
  });

  it('says the zone of a date taken and where the date came from', () => {
    // The zone the GPS position gave; else the offset the file recorded; else nothing.
    expect(formatTimeZone('2019-07-01T15:30:00', 'Europe/Lisbon')).toBe('Europe/Lisbon');
    expect(formatTimeZone('2019-07-01T15:30:00', 'America/Argentina/Buenos_Aires')).toBe('America/Argentina/Buenos Aires');
    expect(formatTimeZone('2019-07-01T15:30:00+01:00', 'Europe/Lisbon')).toBe('Europe/Lisbon');
    expect(formatTimeZone('2019-07-01T15:30:00', 'Etc/GMT+1')).toBe('UTC−01:00'); // at sea: POSIX's sign is reversed
    expect(formatTimeZone('2019-07-01T15:30:00', 'Etc/GMT-10')).toBe('UTC+10:00');
    expect(formatTimeZone('2019-07-01T15:30:00', 'Etc/GMT')).toBe('UTC');
    expect(formatTimeZone('2019-07-01T15:30:00+02:00', null)).toBe('UTC+02:00');
    expect(formatTimeZone('2019-07-01T15:30:00-05:30', null)).toBe('UTC−05:30');
    expect(formatTimeZone('2019-07-01T15:30:00', null)).toBeNull();
    expect(formatTimeZone('2019-07-01', null)).toBeNull();
    expect(formatTimeZone(null, null)).toBeNull();
    expect(formatDateSource('filename')).toBe('date from the file name');
    expect(formatDateSource('exif')).toBe('date from the camera (EXIF)');
    expect(formatDateSource('mtime')).toBe('date the file was last modified');
    expect(formatDateSource('gps')).toBe('date from the GPS clock');
    expect(formatDateSource(null)).toBeNull();
  });

  it('names a photo by its caption, else its file name', () => {
    expect(fileName('/home/me/Pictures/IMG_0042.jpg')).toBe('IMG_0042.jpg');
    expect(fileName('C:\\Users\\me\\a.png')).toBe('a.png');
    expect(photoLabel('  A dog on a beach ', '/x/y.jpg')).toBe('A dog on a beach');
    expect(photoLabel(null, '/x/y.jpg')).toBe('y.jpg');
    expect(photoLabel('   ', '/x/y.jpg')).toBe('y.jpg');
  });

  it('clamps scores to 0..1 for the bar', () => {
    expect(clampScore(0.31)).toBe(0.31);
    expect(clampScore(1.4)).toBe(1);
    expect(clampScore(-0.2)).toBe(0);
    expect(clampScore(Number.NaN)).toBe(0);
  });

  it('links to OpenStreetMap and writes camera and dimensions', () => {
    expect(osmUrl(51.5, -0.12)).toBe('https://www.openstreetmap.org/?mlat=51.500000&mlon=-0.120000#map=15/51.500000/-0.120000');
    expect(formatCamera('Canon', 'Canon EOS R5')).toBe('Canon EOS R5');
    expect(formatCamera('Apple', 'iPhone 15')).toBe('Apple iPhone 15');
    expect(formatCamera(null, null)).toBeNull();
    expect(formatDimensions(4000, 3000)).toBe('4000 × 3000');
    expect(formatDimensions(null, 3000)).toBeNull();
  });

  it('reads messages from anything thrown', () => {
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage({ code: 'invalid-argument', message: 'threads must be a whole number' })).toBe('threads must be a whole number');
    expect(errorMessage('plain')).toBe('plain');
  });
  it('names the file manager as the system does', () => {
    expect(revealLabel('MacIntel')).toBe('Show in Finder');
    expect(revealLabel('macOS')).toBe('Show in Finder');
    expect(revealLabel('Win32')).toBe('Show in File Explorer');
    expect(revealLabel('Linux x86_64')).toBe('Show in file manager');
    expect(revealLabel('')).toBe('Show in file manager');
  });
});
