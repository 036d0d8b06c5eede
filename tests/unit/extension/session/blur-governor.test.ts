import { describe, expect, it } from 'vitest';
import {
  BLUR_GIVE_UP_AFTER_MS,
  BLUR_HOLD_MS,
  BLUR_UPGRADE_AFTER_MS,
  BLUR_WARMUP_MS,
  BlurGovernor,
  CAP_HEADROOM,
  type BlurLevel,
  type BlurVerdict,
  blurLevels,
} from '../../../../extension/session/blur-governor.ts';

const CAMERA_FPS = 30;

/**
 * A page in simulated time: each frame's work takes `cost(level)` ms, and the
 * next frame starts when both the work and the level's frame interval are done.
 * Returns every verdict other than `keep`, with its time.
 */
function run(gov: BlurGovernor, cost: (level: BlurLevel, now: number) => number, from: number, until: number) {
  const verdicts: { at: number; verdict: BlurVerdict }[] = [];
  let now = from;
  let frames = 0;
  while (now < until) {
    const work = cost(gov.level, now);
    now += Math.max(1000 / gov.level.frameRate, work);
    gov.frameDone(now, work);
    frames += 1;
    const verdict = gov.judge(now);
    if (verdict.kind !== 'keep') verdicts.push({ at: now, verdict });
    if (verdict.kind === 'giveUp') break;
  }
  return { verdicts, end: now, frames };
}

/** A machine on which one frame's work at full level takes `fullMs`, and each level down takes less. */
const machine = (fullMs: number) => (level: BlurLevel) => (fullMs * (0.4 + 0.6 / level.segmentEvery) * level.segmentationWidth) / 256;

describe('blurLevels', () => {
  it('goes from every frame segmented at full size down to half the camera’s frame rate, and never below', () => {
    const levels = blurLevels(CAMERA_FPS);
    expect(levels[0]).toEqual({ frameRate: 30, segmentEvery: 1, segmentationWidth: 256 });
    expect(Math.min(...levels.map((l) => l.frameRate))).toBe(15);
    for (const [i, level] of levels.entries()) {
      const next = levels[i + 1];
      if (!next) continue;
      // Each step down does less: fewer frames, rarer or smaller segmentation, never more of any.
      expect(next.frameRate).toBeLessThanOrEqual(level.frameRate);
      expect(next.segmentEvery).toBeGreaterThanOrEqual(level.segmentEvery);
      expect(next.segmentationWidth).toBeLessThanOrEqual(level.segmentationWidth);
      expect(next).not.toEqual(level);
    }
  });
});

describe('BlurGovernor', () => {
  it('keeps the full level on a machine with room to spare', () => {
    const gov = new BlurGovernor({ cameraFrameRate: CAMERA_FPS, now: 0 });
    const { verdicts } = run(gov, machine(8), 0, 60_000);
    expect(verdicts).toEqual([]);
    expect(gov.levelIndex).toBe(0);
  });

  it('judges nothing during the warm-up, however slow the first frames are', () => {
    const gov = new BlurGovernor({ cameraFrameRate: CAMERA_FPS, now: 0 });
    const { verdicts } = run(gov, () => 400, 0, BLUR_WARMUP_MS - 400); // the last frame ends just inside it
    expect(verdicts).toEqual([]);
  });

  it('steps down one level at a time while the page falls behind, and settles on the first level that keeps up', () => {
    const gov = new BlurGovernor({ cameraFrameRate: CAMERA_FPS, now: 0 });
    // 40 ms of work a frame at full level: 30 fps is out of reach, a lower level is not.
    const { verdicts } = run(gov, machine(40), 0, 60_000);
    const levels = blurLevels(CAMERA_FPS);
    const indexOf = (level: BlurLevel) => levels.findIndex((l) => JSON.stringify(l) === JSON.stringify(level));
    const indices = verdicts.map(({ verdict }) => (verdict.kind === 'level' ? indexOf(verdict.level) : -1));
    expect(verdicts.every(({ verdict }) => verdict.kind === 'level')).toBe(true);
    expect(indices.length).toBeGreaterThan(0);
    // Down one step each time, with at least a window between steps.
    for (const [i, index] of indices.entries()) expect(index).toBe(i + 1);
    for (let i = 1; i < verdicts.length; i++) expect(verdicts[i]!.at - verdicts[i - 1]!.at).toBeGreaterThanOrEqual(2_000);
    // Where it settled, frames come out at that level's rate with the work inside its interval.
    const settled = gov.level;
    expect(machine(40)(settled)).toBeLessThan(0.7 * (1000 / settled.frameRate));
    expect(gov.levelIndex).toBeLessThan(blurLevels(CAMERA_FPS).length - 1);
  });

  it(`steps back up once the page has had room for ${BLUR_UPGRADE_AFTER_MS / 1000} s, and not sooner`, () => {
    const gov = new BlurGovernor({ cameraFrameRate: CAMERA_FPS, now: 0 });
    // Something else loads the page for 20 s (work triples), then stops.
    const busyUntil = 20_000;
    const cost = (level: BlurLevel, now: number) => machine(8)(level) * (now < busyUntil ? 6 : 1);
    const { verdicts } = run(gov, cost, 0, 80_000);
    const ups = verdicts.filter(({ at }) => at > busyUntil);
    expect(verdicts.some(({ at }) => at < busyUntil)).toBe(true);
    expect(ups.length).toBeGreaterThan(0);
    expect(ups[0]!.at - busyUntil).toBeGreaterThanOrEqual(BLUR_UPGRADE_AFTER_MS);
    expect(gov.levelIndex).toBe(0);
  });

  it(`gives up when even the lowest level cannot hold half the camera’s frame rate for ${BLUR_GIVE_UP_AFTER_MS / 1000} s`, () => {
    const gov = new BlurGovernor({ cameraFrameRate: CAMERA_FPS, now: 0 });
    const { verdicts, end } = run(gov, () => 150, 0, 120_000); // under 7 fps whatever the level
    const last = verdicts.at(-1);
    expect(last?.verdict).toEqual({ kind: 'giveUp' });
    expect(gov.levelIndex).toBe(blurLevels(CAMERA_FPS).length - 1);
    const reachedLowest = verdicts.at(-2)?.at ?? 0;
    expect(end - reachedLowest).toBeGreaterThanOrEqual(BLUR_GIVE_UP_AFTER_MS);
    expect(gov.judge(end + 1)).toEqual({ kind: 'giveUp' });
  });

  it('does not give up on a stall shorter than the give-up time at the lowest level', () => {
    const gov = new BlurGovernor({ cameraFrameRate: CAMERA_FPS, now: 0 });
    // Slow enough to reach the lowest level, then a 3 s stall, then fine at that level.
    const cost = (_level: BlurLevel, now: number) => (now < 30_000 ? 60 : now < 33_000 ? 300 : 20);
    const { verdicts } = run(gov, cost, 0, 60_000);
    expect(verdicts.some(({ verdict }) => verdict.kind === 'giveUp')).toBe(false);
  });

  it('ignores the throttled frames of a hidden tab, and warms up again when it is shown', () => {
    const gov = new BlurGovernor({ cameraFrameRate: CAMERA_FPS, now: 0 });
    run(gov, machine(8), 0, 10_000);
    gov.setPaused(true, 10_000);
    // Hidden: the browser lets a timer fire once a second.
    for (let t = 11_000; t < 60_000; t += 1_000) {
      gov.frameDone(t, 8);
      expect(gov.judge(t)).toEqual({ kind: 'keep' });
    }
    gov.setPaused(false, 60_000);
    expect(gov.judge(60_000 + BLUR_WARMUP_MS - 1)).toEqual({ kind: 'keep' });
    const { verdicts } = run(gov, machine(8), 60_000, 90_000);
    expect(verdicts).toEqual([]);
    expect(gov.levelIndex).toBe(0);
  });

  it('composites no more frames than the links send: capped at 15 fps, a 30 fps camera’s levels run from 15', () => {
    const gov = new BlurGovernor({ cameraFrameRate: CAMERA_FPS, frameRateCap: 15, now: 0 });
    // A little over the links' rate, so the encoders' rate limiters always have a frame to keep.
    expect(gov.level).toEqual({ ...blurLevels(CAMERA_FPS)[0], frameRate: 15 * CAP_HEADROOM });
    const { verdicts, frames } = run(gov, machine(8), 0, 20_000);
    expect(verdicts).toEqual([]);
    expect(Math.abs(frames - 20 * 15 * CAP_HEADROOM)).toBeLessThanOrEqual(1); // under 19 frames a second came out, not 30
    // A cap above the camera's rate changes nothing.
    expect(new BlurGovernor({ cameraFrameRate: CAMERA_FPS, frameRateCap: 60, now: 0 }).level).toEqual(blurLevels(CAMERA_FPS)[0]);
  });

  it('lets a frame take no more under a cap than at the camera’s rate: the same level, fewer frames, less work', () => {
    // 40 ms a frame at full level: behind at 30 fps (a 33 ms interval). At the capped rate it would fit
    // in the interval, but spending the cap's savings on a finer mask is not what the cap is for.
    const uncapped = new BlurGovernor({ cameraFrameRate: CAMERA_FPS, now: 0 });
    const capped = new BlurGovernor({ cameraFrameRate: CAMERA_FPS, frameRateCap: 10, now: 0 });
    const a = run(uncapped, machine(40), 0, 60_000);
    const b = run(capped, machine(40), 0, 60_000);
    expect(uncapped.levelIndex).toBeGreaterThan(0);
    expect(capped.levelIndex).toBe(uncapped.levelIndex);
    expect(capped.level.frameRate).toBe(10 * CAP_HEADROOM);
    expect(b.frames).toBeLessThan(a.frames * 0.7);
  });

  it('never steps a capped blur under the links’ rate while a level at that rate remains', () => {
    // Every level of a 30 fps camera runs at 15 fps or more: under a 10 fps cap all composite 12.5.
    const gov = new BlurGovernor({ cameraFrameRate: CAMERA_FPS, frameRateCap: 10, now: 0 });
    // 70 ms a frame: too much work at every level (judged at the camera's rate), yet 12.5 fps come out.
    const { verdicts } = run(gov, () => 70, 0, 40_000);
    const rates = verdicts.map(({ verdict }) => (verdict.kind === 'level' ? verdict.level.frameRate : verdict.kind));
    expect(rates.length).toBe(blurLevels(CAMERA_FPS).length - 1);
    expect(new Set(rates)).toEqual(new Set([10 * CAP_HEADROOM])); // walked down, every step at 12.5, never given up
  });

  it('follows a cap that changes mid-call at the same level, and judges the new rate only after a window', () => {
    const gov = new BlurGovernor({ cameraFrameRate: CAMERA_FPS, now: 0 });
    run(gov, machine(40), 0, 20_000);
    const stepped = gov.levelIndex;
    expect(stepped).toBeGreaterThan(0);
    // Everyone now gets 10 fps: fewer frames at the same level.
    gov.setFrameRateCap(10, 20_000);
    expect(gov.levelIndex).toBe(stepped);
    expect(gov.level).toEqual({ ...blurLevels(CAMERA_FPS)[stepped], frameRate: 10 * CAP_HEADROOM });
    // The frames of the old rate do not count against the new one, nor does the gap a change makes.
    expect(gov.judge(20_000 + BLUR_HOLD_MS - 1)).toEqual({ kind: 'keep' });
    expect(run(gov, machine(40), 20_000, 40_000).verdicts).toEqual([]);
    // Lifted again (someone enlarged our tile): the camera's rate at the level it holds.
    gov.setFrameRateCap(undefined, 40_000);
    expect(gov.level).toEqual(blurLevels(CAMERA_FPS)[stepped]);
    expect(run(gov, machine(40), 40_000, 60_000).verdicts).toEqual([]);
  });
});
