// Unit tests for the Settings view's controls: which control each setting gets, the order, on/off values.
import { describe, expect, it } from 'vitest';
import type { ModelInfo, SettingInfo } from '../../src/shared/contract.ts';
import { FACES_OFF, controlFor, isOn, settingLabel, sortSettings } from '../../src/renderer/src/lib/settings-ui.ts';

const setting = (key: string, value = ''): SettingInfo => ({ key, value, default: '', description: '', onRestart: false });
const model = (id: string, task: ModelInfo['task'], installed = true): ModelInfo => ({ id, task, title: id.toUpperCase(), notes: null, active: false, installed, bytes: 0 });

describe('settings controls', () => {
  it('gives switches, choices, numbers and text', () => {
    expect(controlFor(setting('xmp', 'off'), []).kind).toBe('switch');
    expect(controlFor(setting('captions', 'on'), []).kind).toBe('switch');
    expect(controlFor(setting('caption_task', 'caption'), [])).toMatchObject({ kind: 'choice', label: 'Caption kind' });
    expect(controlFor(setting('threads', '0'), [])).toMatchObject({ kind: 'number', min: 0, max: 256 });
    expect(controlFor(setting('hub_endpoint', 'https://huggingface.co'), [])).toMatchObject({ kind: 'text', label: 'Model hub (mirror)' });
    expect(controlFor(setting('something_new', 'x'), [])).toMatchObject({ kind: 'text', label: 'Something new' });
  });

  it('offers the models of the right task, and keeps an unknown current value', () => {
    const models = [model('clip-a', 'clip'), model('clip-b', 'clip', false), model('cap-a', 'caption')];
    const c = controlFor(setting('clip_model', 'clip-a'), models);
    expect(c.kind === 'choice' && c.options).toEqual([
      { value: 'clip-a', label: 'CLIP-A' },
      { value: 'clip-b', label: 'CLIP-B (not installed)' },
    ]);
    const odd = controlFor(setting('caption_model', 'gone'), models);
    expect(odd.kind === 'choice' && odd.options.map((o) => o.value)).toEqual(['gone', 'cap-a']);
    expect(controlFor(setting('clip_model', 'x'), []).kind).toBe('text');
    // The OCR model: the bundled one and the recognizers for other scripts, nothing of another task.
    const ocr = controlFor(setting('ocr_model', 'ppocr-v4-ch'), [...models, model('ppocr-v4-ch', 'ocr'), model('ppocr-latin', 'ocr', false)]);
    expect(ocr).toMatchObject({ kind: 'choice', label: 'Text reading model' });
    expect(ocr.kind === 'choice' && ocr.options.map((o) => o.label)).toEqual(['PPOCR-V4-CH', 'PPOCR-LATIN (not installed)']);
  });

  it('gives reading text in photos and writing it to XMP switches with their own names, beside the caption settings', () => {
    expect(controlFor(setting('ocr', 'on'), [])).toEqual({ kind: 'switch', label: 'Read text in photos' });
    expect(controlFor(setting('xmp_text', 'off'), [])).toEqual({ kind: 'switch', label: 'Text read in photos in XMP' });
    expect(sortSettings([setting('xmp_text'), setting('xmp'), setting('ocr_model'), setting('captions'), setting('ocr')]).map((s) => s.key)).toEqual(['captions', 'ocr', 'ocr_model', 'xmp', 'xmp_text']);
  });

  it('gives face recognition a switch that asks before turning off, saying it deletes every face descriptor, after the text settings', () => {
    const c = controlFor(setting('faces', 'on'), []);
    expect(c).toEqual({ kind: 'switch', label: 'Face recognition', confirmOff: FACES_OFF });
    expect(FACES_OFF).toMatch(/deletes every face descriptor/);
    expect(sortSettings([setting('xmp'), setting('faces'), setting('ocr_model')]).map((s) => s.key)).toEqual(['ocr_model', 'faces', 'xmp']);
  });

  it('sorts known settings first, in the view order', () => {
    expect(sortSettings([setting('zzz'), setting('xmp'), setting('threads'), setting('aaa')]).map((s) => s.key)).toEqual(['threads', 'xmp', 'aaa', 'zzz']);
    expect(settingLabel('clip_model')).toBe('Search model');
  });

  it('reads on/off values the way the engine does', () => {
    expect(isOn('on')).toBe(true);
    expect(isOn('True')).toBe(true);
    expect(isOn('off')).toBe(false);
    expect(isOn('0')).toBe(false);
  });
});
