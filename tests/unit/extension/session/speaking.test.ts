import { describe, expect, it } from 'vitest';
import {
  LEVEL_STEP,
  NOT_SPEAKING,
  SPEAKING_HOLD_MS,
  SPEAKING_OFF_LEVEL,
  SPEAKING_ON_LEVEL,
  nextSpeaking,
  quantizeLevel,
  sameActivity,
  type SpeakingState,
} from '../../../../extension/session/speaking.ts';

const BETWEEN = (SPEAKING_ON_LEVEL + SPEAKING_OFF_LEVEL) / 2;
const QUIET = SPEAKING_OFF_LEVEL / 2;
const LOUD = SPEAKING_ON_LEVEL * 3;

/** Feeds levels at the given times and returns every state along the way. */
function run(steps: [level: number, at: number][], from: SpeakingState = NOT_SPEAKING): SpeakingState[] {
  const out: SpeakingState[] = [];
  let s = from;
  for (const [level, at] of steps) {
    s = nextSpeaking(s, level, at);
    out.push(s);
  }
  return out;
}

describe('nextSpeaking', () => {
  it('starts speaking at the on level', () => {
    expect(nextSpeaking(NOT_SPEAKING, SPEAKING_ON_LEVEL, 0).speaking).toBe(true);
    expect(nextSpeaking(NOT_SPEAKING, LOUD, 0).speaking).toBe(true);
  });

  it('does not start speaking between the off and on levels (hysteresis)', () => {
    expect(nextSpeaking(NOT_SPEAKING, BETWEEN, 0).speaking).toBe(false);
    expect(nextSpeaking(NOT_SPEAKING, SPEAKING_ON_LEVEL - 1e-6, 0).speaking).toBe(false);
  });

  it('keeps speaking between the off and on levels, with no pause counted', () => {
    const states = run([
      [LOUD, 0],
      [BETWEEN, 100],
      [BETWEEN, 5_000],
    ]);
    expect(states.map((s) => s.speaking)).toEqual([true, true, true]);
    expect(states.at(-1)!.quietSince).toBeUndefined();
  });

  it('holds the highlight through a pause shorter than SPEAKING_HOLD_MS', () => {
    const states = run([
      [LOUD, 0],
      [QUIET, 1_000],
      [QUIET, 1_000 + SPEAKING_HOLD_MS - 1],
    ]);
    expect(states.map((s) => s.speaking)).toEqual([true, true, true]);
    expect(states[1]!.quietSince).toBe(1_000);
    expect(states[2]!.quietSince).toBe(1_000);
  });

  it('stops speaking once the quiet has lasted SPEAKING_HOLD_MS', () => {
    const states = run([
      [LOUD, 0],
      [QUIET, 1_000],
      [QUIET, 1_000 + SPEAKING_HOLD_MS],
    ]);
    expect(states.at(-1)).toEqual(NOT_SPEAKING);
  });

  it('counts the off level itself as quiet', () => {
    const states = run([
      [LOUD, 0],
      [SPEAKING_OFF_LEVEL, 10],
    ]);
    expect(states.at(-1)!.quietSince).toBe(10);
  });

  it('restarts the hold when a word comes during the pause', () => {
    const states = run([
      [LOUD, 0],
      [QUIET, 100],
      [LOUD, 500],
      [QUIET, 600],
      [QUIET, 600 + SPEAKING_HOLD_MS - 1],
    ]);
    expect(states.at(-1)).toEqual({ speaking: true, quietSince: 600 });
  });

  it('restarts the hold when the level rises above the off level without reaching the on level', () => {
    const states = run([
      [LOUD, 0],
      [QUIET, 100],
      [BETWEEN, 400],
      [QUIET, 500],
      [QUIET, 500 + SPEAKING_HOLD_MS - 1],
    ]);
    expect(states.every((s) => s.speaking)).toBe(true);
    expect(states.at(-1)!.quietSince).toBe(500);
  });

  it('stays silent through silence without changing state', () => {
    expect(nextSpeaking(NOT_SPEAKING, 0, 1_000)).toBe(NOT_SPEAKING);
  });
});

describe('the levels a page is told', () => {
  it('come in steps a meter can show, within 0..1', () => {
    expect(quantizeLevel(0)).toBe(0);
    expect(quantizeLevel(LEVEL_STEP * 0.4)).toBe(0);
    expect(quantizeLevel(LEVEL_STEP * 0.6)).toBe(LEVEL_STEP);
    expect(quantizeLevel(0.5)).toBe(0.5);
    expect(quantizeLevel(1.7)).toBe(1);
    expect(quantizeLevel(-1)).toBe(0);
  });

  it('count as the same only with the same people, levels and speakers', () => {
    const quiet = { levels: { a: 0, b: 0 }, speaking: { a: false, b: false } };
    expect(sameActivity(quiet, { levels: { a: 0, b: 0 }, speaking: { a: false, b: false } })).toBe(true);
    expect(sameActivity(quiet, { levels: { a: 0, b: LEVEL_STEP }, speaking: { a: false, b: false } })).toBe(false);
    expect(sameActivity(quiet, { levels: { a: 0, b: 0 }, speaking: { a: false, b: true } })).toBe(false);
    expect(sameActivity(quiet, { levels: { a: 0 }, speaking: { a: false } })).toBe(false);
    expect(sameActivity(quiet, { levels: { a: 0, c: 0 }, speaking: { a: false, c: false } })).toBe(false);
  });
});
