import { describe, expect, it } from 'vitest';
import { effectsText } from '../../../../extension/call/effects-text.ts';
import type { EffectsNotice } from '../../../../extension/session/call-session.ts';

// Every notice, at run time. The check below makes a new notice missing here a type error.
const NOTICES = ['noiseSuppressionFailed', 'blurTooSlow', 'blurCanvasBlocked', 'blurFailed'] as const satisfies readonly EffectsNotice[];
type Unlisted = Exclude<EffectsNotice, (typeof NOTICES)[number]>;
const allListed: [Unlisted] extends [never] ? true : Unlisted = true;

describe('effectsText', () => {
  it('lists every notice in this test', () => {
    expect(allListed).toBe(true);
  });

  it.each(NOTICES)('explains %s in words', (notice) => {
    const text = effectsText(notice);
    expect(text.length).toBeGreaterThan(40);
    expect(text).not.toContain(notice);
  });

  it.each(['blurTooSlow', 'blurFailed', 'blurCanvasBlocked'] as const)(
    'says that after %s the camera is off, and how to go out unblurred',
    (notice) => {
      expect(effectsText(notice)).toContain('Your camera is off, so your room stays hidden');
      expect(effectsText(notice)).toContain('turn it on to go out unblurred');
    },
  );
});
