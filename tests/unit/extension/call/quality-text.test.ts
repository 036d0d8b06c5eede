import { describe, expect, it } from 'vitest';
import { NOT_SHOWN } from '../../../../protocol/data.ts';
import { askedText, limitText, slowPathText } from '../../../../extension/call/quality-text.ts';
import type { LinkQuality } from '../../../../extension/session/quality.ts';

const link = (patch: Partial<LinkQuality>): LinkQuality => ({
  asked: undefined,
  camera: { encoding: { active: true, maxBitrate: 110_000, scaleResolutionDownBy: 4, maxFramerate: 15 }, height: 180 },
  screen: undefined,
  level: 0,
  reason: undefined,
  showing: undefined,
  ...patch,
});

describe('askedText', () => {
  it('says what a receiver shows, the screen only where it shows one', () => {
    expect(askedText(undefined)).toBe('—');
    expect(askedText({ camera: { width: 160, height: 90 }, screen: NOT_SHOWN, dropped: 0 })).toBe('160×90');
    expect(askedText({ camera: NOT_SHOWN, screen: NOT_SHOWN, dropped: 0 })).toBe('not shown');
    expect(askedText({ camera: NOT_SHOWN, screen: { width: 1280, height: 720 }, dropped: 0.25 })).toBe(
      'not shown · screen 1280×720 · drops 25 %',
    );
  });
});

describe('limitText', () => {
  it('gives the caps on our camera, or no video, and why a link stepped down', () => {
    expect(limitText(undefined)).toBe('—');
    expect(limitText(link({}))).toBe('180p · 15 fps · 110 kbps');
    expect(
      limitText(
        link({ camera: { encoding: { active: false, maxBitrate: 60_000, scaleResolutionDownBy: 1, maxFramerate: 15 }, height: 0 } }),
      ),
    ).toBe('no video');
    expect(limitText(link({ level: 2, reason: 'cpu' }))).toBe('180p · 15 fps · 110 kbps · eased 2× (encoder busy)');
  });
});

describe('slowPathText', () => {
  it('names whom the short path gives our video at lower quality', () => {
    expect(slowPathText(['Bo'])).toBe('The connection to Bo is slow, so Bo sees your video at lower quality.');
    expect(slowPathText(['Bo', 'Cy'])).toBe('The connections to Bo and Cy are slow, so they see your video at lower quality.');
    expect(slowPathText(['Bo', 'Cy', 'Di'])).toBe('The connections to Bo, Cy and Di are slow, so they see your video at lower quality.');
  });
});
