// Camera boilerplate is not the user's caption; real descriptions, in any language, are.
import { describe, expect, it } from 'vitest';
import { isBoilerplate } from '../../src/main/core/media/boilerplate.ts';

describe('camera boilerplate', () => {
  it.each([
    ['OLYMPUS DIGITAL CAMERA         '],
    ['SONY DSC'],
    ['SANYO DIGITAL CAMERA'],
    ['KODAK Digital Still Camera'],
    ['MINOLTA DIGITAL CAMERA'],
    ['KONICA MINOLTA DIGITAL CAMERA'],
    ['JENOPTIK DIGITAL CAMERA'],
    ['SAMSUNG CAMERA PICTURES'],
    ['<KENOX S630 / Samsung S630>'],
    ['<KENOX S1050 / Samsung S1050>'],
    ['<Digimax i50 MP3, Samsung #1 MP3>'],
    ['<Digimax i5, Samsung #1>'],
    ['Exif_JPEG_PICTURE'],
    ['LEAD Technologies Inc. V1.01'],
    ['DCIM\\100OLYMP'],
    ['rhdr'], // Huawei's scene codes
    ['  '],
    ['\u0000\u0000\u0000'],
    ['\t\n'],
    ['...'],
    [''],
  ])('%j is not a caption', (text) => {
    expect(isBoilerplate(text)).toBe(true);
  });

  it('a description that only repeats the make or model is not a caption', () => {
    const canon = { make: 'Canon', model: 'Canon PowerShot A95' };
    expect(isBoilerplate('Canon PowerShot A95', canon)).toBe(true);
    expect(isBoilerplate('  canon  powershot a95 ', canon)).toBe(true);
    expect(isBoilerplate('Canon', canon)).toBe(true);
    const nikon = { make: 'NIKON CORPORATION', model: 'NIKON D70' };
    expect(isBoilerplate('NIKON D70', nikon)).toBe(true);
    expect(isBoilerplate('NIKON CORPORATION NIKON D70', nikon)).toBe(true);
    const fuji = { make: 'FUJIFILM', model: 'X100V' };
    expect(isBoilerplate('FUJIFILM X100V', fuji)).toBe(true);
    // Only this photo's camera: on another camera's photo "X100V" may be what it shows.
    expect(isBoilerplate('X100V', { make: 'Canon', model: 'EOS R5' })).toBe(false);
    expect(isBoilerplate('My new Canon PowerShot A95', canon)).toBe(false);
  });

  it.each([
    ['Mia’s first swim, Brighton'],
    ['Picnic at the Lac d’Annecy, été'],
    ['富士山の夕焼け'], // Japanese
    ['Отпуск в Крыму'], // Russian
    ['عيد ميلاد سعيد'], // Arabic
    ['Grand-mère à Noël 1987'],
    ['2019'],
    ['Digital camera museum, Tokyo'],
    ['My new digital camera'],
    ['Samsung Galaxy launch party'],
    ['Image of the week'],
  ])('%j is kept', (text) => {
    expect(isBoilerplate(text, { make: 'SAMSUNG', model: 'SM-G991B' })).toBe(false);
  });
});
