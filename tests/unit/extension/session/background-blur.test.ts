import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BackgroundBlur,
  BLUR_START_TIMEOUT_MS,
  type BlurStopReason,
  BlurUnavailable,
} from '../../../../extension/session/background-blur.ts';
import { FakeBlurEngine } from './call-fakes.ts';

/** A track as far as the blur looks at one: only its identity. */
const track = (label: string): MediaStreamTrack => ({ label }) as unknown as MediaStreamTrack; // only compared, never used

const settle = () => new Promise((r) => setTimeout(r, 0));

function blurWith(engines: (FakeBlurEngine | Error)[], enabled = true) {
  let loads = 0;
  const blur = new BackgroundBlur({
    enabled,
    load: async () => {
      const next = engines[loads++];
      if (!next) throw new Error('no more engines');
      if (next instanceof Error) throw next;
      return next;
    },
  });
  const stops: BlurStopReason[] = [];
  let changes = 0;
  blur.on('stopped', (r) => stops.push(r));
  blur.on('changed', () => changes++);
  return { blur, stops, changes: () => changes, loads: () => loads };
}

describe('BackgroundBlur', () => {
  it('hands the pipeline the frame-rate cap, one given while it loads included, and every later change', async () => {
    const engine = new FakeBlurEngine();
    const { blur } = blurWith([engine]);
    blur.capFrameRate(15); // a call of four: every link at 15 fps
    blur.output(track('camera'));
    await settle();
    expect(engine.frameRateCap).toBe(15);
    blur.capFrameRate(undefined); // alone again
    expect(engine.frameRateCap).toBeUndefined();
  });

  it('sends no picture while the blur loads and warms up, then the blurred one', async () => {
    const engine = new FakeBlurEngine();
    const { blur, changes } = blurWith([engine]);
    const camera = track('camera');
    expect(blur.output(camera)).toBeNull();
    await settle();
    expect(blur.output(camera)).toBeNull(); // loaded, no frame out yet
    expect(engine.camera).toBe(camera);
    const before = changes();
    engine.start();
    expect(changes()).toBe(before + 1);
    expect(blur.output(camera)).toBe(engine.output);
    expect(blur.active).toBe(true);
  });

  it('sends the camera itself while off, loads nothing, and rests the pipeline when switched off', async () => {
    const engine = new FakeBlurEngine();
    const { blur, loads } = blurWith([engine], false);
    const camera = track('camera');
    expect(blur.output(camera)).toBe(camera);
    expect(loads()).toBe(0);
    blur.setEnabled(true);
    blur.output(camera);
    await settle();
    blur.output(camera);
    engine.start();
    blur.setEnabled(false);
    expect(blur.output(camera)).toBe(camera);
    expect(engine.camera).toBeNull();
  });

  it('follows the camera: a camera turned off sends nothing and a new one feeds the pipeline', async () => {
    const engine = new FakeBlurEngine();
    const { blur } = blurWith([engine]);
    blur.output(track('camera'));
    await settle();
    expect(blur.output(null)).toBeNull();
    expect(engine.camera).toBeNull();
    const other = track('other camera');
    blur.output(other);
    expect(engine.camera).toBe(other);
  });

  it.each([
    ['tooSlow', new FakeBlurEngine()],
    ['failed', new FakeBlurEngine()],
  ] as const)('turns itself off when the pipeline stops (%s): says why once, closes it, and sends the camera', async (reason, engine) => {
    const { blur, stops } = blurWith([engine]);
    const camera = track('camera');
    blur.output(camera);
    await settle();
    blur.output(camera);
    engine.start();
    engine.stop(reason);
    expect(stops).toEqual([reason]);
    expect(blur.enabled).toBe(false);
    expect(engine.closed).toBe(1);
    expect(blur.output(camera)).toBe(camera);
  });

  it('says the canvas is blocked where the pipeline refuses to start for that, and a plain failure otherwise', async () => {
    const blocked = blurWith([new BlurUnavailable('canvasBlocked')]);
    blocked.blur.output(track('camera'));
    await settle();
    expect(blocked.stops).toEqual(['canvasBlocked']);
    const broken = blurWith([new Error('no WebGL 2')]);
    const camera = track('camera');
    broken.blur.output(camera);
    await settle();
    expect(broken.stops).toEqual(['failed']);
    expect(broken.blur.output(camera)).toBe(camera);
  });

  it('loads a fresh pipeline when switched on again after stopping', async () => {
    const first = new FakeBlurEngine();
    const second = new FakeBlurEngine();
    const { blur, loads } = blurWith([first, second]);
    const camera = track('camera');
    blur.output(camera);
    await settle();
    first.stop('tooSlow');
    blur.setEnabled(true);
    expect(blur.output(camera)).toBeNull();
    await settle();
    blur.output(camera);
    second.start();
    expect(blur.output(camera)).toBe(second.output);
    expect(loads()).toBe(2);
  });

  it('closes its pipeline once, even one that finishes loading after the call ended', async () => {
    const engine = new FakeBlurEngine();
    const { blur } = blurWith([engine]);
    blur.output(track('camera'));
    blur.close();
    blur.close();
    await settle();
    expect(engine.closed).toBe(1);
  });
});

describe('BackgroundBlur start timeout', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it(`gives up with a plain failure and sends the camera where no blurred frame came within ${BLUR_START_TIMEOUT_MS / 1000} s`, async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const engine = new FakeBlurEngine();
    const { blur, stops } = blurWith([engine]);
    const camera = track('camera');
    expect(blur.output(camera)).toBeNull();
    await vi.advanceTimersByTimeAsync(0);
    expect(blur.output(camera)).toBeNull(); // loaded, never running
    await vi.advanceTimersByTimeAsync(BLUR_START_TIMEOUT_MS - 1);
    expect(stops).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(stops).toEqual(['failed']);
    expect(blur.enabled).toBe(false);
    expect(blur.output(camera)).toBe(camera);
    expect(engine.closed).toBe(1);
  });

  it('does not give up on a blur that showed its first frame in time', async () => {
    const engine = new FakeBlurEngine();
    const { blur, stops } = blurWith([engine]);
    const camera = track('camera');
    blur.output(camera);
    await vi.advanceTimersByTimeAsync(0);
    blur.output(camera);
    engine.start();
    expect(blur.output(camera)).toBe(engine.output);
    await vi.advanceTimersByTimeAsync(2 * BLUR_START_TIMEOUT_MS);
    expect(stops).toEqual([]);
    expect(blur.output(camera)).toBe(engine.output);
  });

  it('does not count the time the camera is off: no false failure for a blur that had no camera to show', async () => {
    const engine = new FakeBlurEngine();
    const { blur, stops } = blurWith([engine]);
    const camera = track('camera');
    blur.output(camera);
    await vi.advanceTimersByTimeAsync(0); // loaded, no frame yet
    blur.output(null); // the person turns the camera off
    expect(engine.camera).toBeNull();
    await vi.advanceTimersByTimeAsync(2 * BLUR_START_TIMEOUT_MS);
    expect(stops).toEqual([]);
    expect(blur.enabled).toBe(true);
    // On again: a fresh wait for the first frame.
    expect(blur.output(camera)).toBeNull();
    engine.start();
    expect(blur.output(camera)).toBe(engine.output);
  });
});
