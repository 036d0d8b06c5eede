import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NOT_SHOWN, type ViewSize } from '../../../../protocol/data.ts';
import {
  linkAskBps,
  AUDIO_RESERVE_BPS,
  CPU_FRAMERATE_CAP,
  CPU_HEIGHT_CAP,
  DEFAULT_UPLOAD_BUDGET_KBPS,
  FULL_FRAMERATE,
  HEIGHT_RUNGS,
  MAX_LINK_VIDEO_BPS,
  MIN_LINK_VIDEO_BPS,
  MIN_THUMBNAIL_VIDEO_BPS,
  REDUCED_FRAMERATE,
  THUMBNAIL_FRAMERATE,
  THUMBNAIL_HEIGHT,
  UNWATCHED_HOLD_MS,
  applyPressure,
  bitrateFor,
  cameraFloor,
  fairSplit,
  heightFor,
  heldAt,
  heldViews,
  neededHeight,
  plan,
  rungAtLeast,
  rungBelow,
  type LinkWant,
  type PlanInput,
  type Source,
} from '../../../../extension/session/bandwidth.ts';
import { RUNS } from '../../../support/arbitraries.ts';

const BUDGET = DEFAULT_UPLOAD_BUDGET_KBPS * 1000;
const HD: Source = { width: 1280, height: 720 };
const SMALL_CAMERA: Source = { width: 427, height: 240 };
const SCREEN: Source = { width: 1920, height: 1080 };

const want = (camera: ViewSize | undefined, level = 0, screen: ViewSize | undefined = undefined): LinkWant => ({ camera, screen, level });
const input = (links: Record<string, LinkWant>, patch: Partial<PlanInput> = {}): PlanInput => ({
  budgetBps: BUDGET,
  camera: HD,
  screen: undefined,
  maxCameraHeight: 720,
  selfView: undefined,
  links: new Map(Object.entries(links)),
  ...patch,
});
const cameraOf = (p: ReturnType<typeof plan>, link: string) => p.links.get(link)!.camera;

describe('neededHeight', () => {
  it('covers a camera tile: a 16:9 tile of a 4:3 camera needs the lines its width sets', () => {
    expect(neededHeight({ width: 160, height: 90 }, 4 / 3, 'cover')).toBe(120);
    expect(neededHeight({ width: 160, height: 90 }, 16 / 9, 'cover')).toBe(90);
  });

  it('contains a screen: a wide screen in a tall tile needs only the lines its width sets', () => {
    expect(neededHeight({ width: 400, height: 900 }, 16 / 9, 'contain')).toBe(225);
  });
});

describe('rungs', () => {
  it('round a height up to the next rung, and stop at the top one', () => {
    expect(rungAtLeast(91)).toBe(135);
    expect(rungAtLeast(180)).toBe(180);
    expect(rungAtLeast(1)).toBe(90);
    expect(rungAtLeast(100_000)).toBe(HEIGHT_RUNGS.at(-1));
  });

  it('step one rung down, and stay on the bottom one', () => {
    expect(rungBelow(360)).toBe(270);
    expect(rungBelow(300)).toBe(270);
    expect(rungBelow(90)).toBe(90);
  });
});

describe('bitrateFor and heightFor', () => {
  it('ask more bits for more lines and more frames', () => {
    for (let i = 1; i < HEIGHT_RUNGS.length; i++) {
      expect(bitrateFor(HEIGHT_RUNGS[i]!, 30)).toBeGreaterThan(bitrateFor(HEIGHT_RUNGS[i - 1]!, 30));
      expect(bitrateFor(HEIGHT_RUNGS[i]!, 15)).toBeLessThan(bitrateFor(HEIGHT_RUNGS[i]!, 30));
    }
    // Half the frames need more than half the bits: each frame carries more.
    expect(bitrateFor(360, 15)).toBeGreaterThan(bitrateFor(360, 30) / 2);
  });

  it('give the largest rung a bitrate carries, never one it cannot', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8_000_000 }), fc.constantFrom(10, 15, 30), (bps, fps) => {
        const h = heightFor(bps, fps);
        if (h > HEIGHT_RUNGS[0]) expect(bitrateFor(h, fps)).toBeLessThanOrEqual(bps);
        const next = HEIGHT_RUNGS.find((r) => r > h);
        if (next !== undefined) expect(bitrateFor(next, fps)).toBeGreaterThan(bps);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('fairSplit', () => {
  it('meets every demand when the total suffices, and gives nobody more than asked', () => {
    expect(fairSplit([100, 200, 300], 1000)).toEqual([100, 200, 300]);
  });

  it('splits evenly between demands that all exceed their share', () => {
    expect(fairSplit([500, 600, 700], 900)).toEqual([300, 300, 300]);
  });

  it('gives what a small demand leaves to the larger ones', () => {
    expect(fairSplit([100, 1000, 1000], 1000)).toEqual([100, 450, 450]);
  });

  it('is max-min fair: a stream held back gets at least as much as any other, and the sum never exceeds the total', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3_000_000 }), { maxLength: 14 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        (demands, total) => {
          const got = fairSplit(demands, total);
          expect(got.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(total);
          got.forEach((g, i) => {
            expect(g).toBeGreaterThanOrEqual(0);
            expect(g).toBeLessThanOrEqual(demands[i]!);
            // Held back: nobody else got more (beyond a bit of rounding).
            if (g < demands[i]!) for (const other of got) expect(other).toBeLessThanOrEqual(g + got.length);
          });
          // Nothing left unused while someone is held back (beyond rounding).
          const used = got.reduce((a, b) => a + b, 0);
          if (got.some((g, i) => g < demands[i]!)) expect(total - used).toBeLessThanOrEqual(got.length);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('plan: the wanted size → encoding mapping', () => {
  it('sends a 160×90 tile at most 180 lines from a 720p camera, and a large tile more', () => {
    const p = plan(input({ small: want({ width: 160, height: 90 }), large: want({ width: 960, height: 540 }) }));
    const small = cameraOf(p, 'small');
    expect(small.encoding.active).toBe(true);
    expect(small.height).toBeLessThanOrEqual(180);
    expect(HD.height / small.encoding.scaleResolutionDownBy).toBeLessThanOrEqual(180);
    expect(cameraOf(p, 'large').height).toBe(540);
    expect(cameraOf(p, 'large').encoding.scaleResolutionDownBy).toBeCloseTo(720 / 540);
  });

  it('sends no video where the receiver shows none, but keeps the link and its audio share', () => {
    const p = plan(input({ hidden: want(NOT_SHOWN), shown: want({ width: 640, height: 360 }) }));
    expect(cameraOf(p, 'hidden').encoding.active).toBe(false);
    expect(cameraOf(p, 'hidden').height).toBe(0);
    expect(cameraOf(p, 'shown').encoding.active).toBe(true);
  });

  it('sends a receiver that has not said anything yet the full camera, as before receivers said', () => {
    const p = plan(input({ quiet: want(undefined) }));
    expect(cameraOf(p, 'quiet').encoding).toMatchObject({ active: true, scaleResolutionDownBy: 1, maxFramerate: FULL_FRAMERATE });
  });

  it('never upscales: a tile larger than the camera gets the camera as it is', () => {
    const p = plan(input({ big: want({ width: 1920, height: 1080 }) }, { camera: SMALL_CAMERA, maxCameraHeight: 240 }));
    expect(cameraOf(p, 'big').encoding.scaleResolutionDownBy).toBe(1);
    expect(cameraOf(p, 'big').height).toBe(240);
  });

  it('gives small tiles fewer frames than large ones', () => {
    const p = plan(input({ small: want({ width: 320, height: 180 }), large: want({ width: 1280, height: 720 }) }));
    expect(cameraOf(p, 'small').encoding.maxFramerate).toBe(REDUCED_FRAMERATE);
    expect(cameraOf(p, 'large').encoding.maxFramerate).toBe(FULL_FRAMERATE);
  });

  it('sends a thumbnail (a 148×83 strip tile) 90 lines at the thumbnail frame rate, capped near what that needs, not at the face floor', () => {
    const p = plan(
      input(
        { thumb: want({ width: 148, height: 83 }), face: want({ width: 533, height: 300 }) },
        { camera: SMALL_CAMERA, maxCameraHeight: 240 },
      ),
    );
    const thumb = cameraOf(p, 'thumb');
    expect(thumb.height).toBe(THUMBNAIL_HEIGHT);
    expect(thumb.encoding.maxFramerate).toBe(THUMBNAIL_FRAMERATE);
    expect(thumb.encoding.maxBitrate).toBe(Math.max(MIN_THUMBNAIL_VIDEO_BPS, bitrateFor(90, THUMBNAIL_FRAMERATE)));
    expect(thumb.encoding.maxBitrate).toBeLessThan(MIN_LINK_VIDEO_BPS / 2);
    // One rung up is a small tile, not a thumbnail: 15 fps and the face floor.
    const small = cameraOf(plan(input({ s: want({ width: 176, height: 99 }) }, { camera: SMALL_CAMERA, maxCameraHeight: 240 })), 's');
    expect(small.height).toBe(135);
    expect(small.encoding.maxFramerate).toBe(REDUCED_FRAMERATE);
    expect(small.encoding.maxBitrate).toBe(MIN_LINK_VIDEO_BPS);
    // The tile beside it keeps its own size and frame rate.
    expect(cameraOf(p, 'face').height).toBe(240);
    expect(cameraOf(p, 'face').encoding.maxFramerate).toBe(FULL_FRAMERATE);
  });

  it('keeps a thumbnail at its floor on a starved uplink, and within the budget when it holds the floors', () => {
    const thumb = want({ width: 160, height: 90 });
    const links = { a: thumb, b: thumb, c: thumb };
    const budgetBps = 3 * AUDIO_RESERVE_BPS + 3 * MIN_THUMBNAIL_VIDEO_BPS;
    const p = plan(input(links, { budgetBps, camera: SMALL_CAMERA, maxCameraHeight: 240 }));
    let video = 0;
    for (const link of ['a', 'b', 'c']) {
      expect(cameraOf(p, link).encoding.maxBitrate).toBe(MIN_THUMBNAIL_VIDEO_BPS);
      video += cameraOf(p, link).encoding.maxBitrate;
    }
    expect(video + 3 * AUDIO_RESERVE_BPS).toBeLessThanOrEqual(budgetBps);
  });

  it(`caps frames from ${CPU_FRAMERATE_CAP.fromLinks} watched links and lines from ${CPU_HEIGHT_CAP.fromLinks}, counting only watched ones`, () => {
    const big = want({ width: 1280, height: 720 });
    const three = plan(input({ a: big, b: big, c: big }, { budgetBps: 20_000_000 }));
    expect(cameraOf(three, 'a').encoding.maxFramerate).toBe(CPU_FRAMERATE_CAP.fps);
    const fiveWatched = plan(input({ a: big, b: big, c: big, d: big, e: big }, { budgetBps: 20_000_000 }));
    expect(cameraOf(fiveWatched, 'a').height).toBeLessThanOrEqual(CPU_HEIGHT_CAP.height);
    // Three of five hidden: two watched links get the full frame rate back.
    const twoWatched = plan(
      input({ a: big, b: big, c: want(NOT_SHOWN), d: want(NOT_SHOWN), e: want(NOT_SHOWN) }, { budgetBps: 20_000_000 }),
    );
    expect(cameraOf(twoWatched, 'a').encoding.maxFramerate).toBe(FULL_FRAMERATE);
    expect(cameraOf(twoWatched, 'a').height).toBe(720);
  });

  it('keeps a thin uplink within its budget: 400 kbps over three links carries no more than 180 lines each', () => {
    const tile = want({ width: 480, height: 270 });
    const p = plan(input({ a: tile, b: tile, c: tile }, { budgetBps: 400_000, camera: SMALL_CAMERA, maxCameraHeight: 240 }));
    let video = 0;
    for (const link of ['a', 'b', 'c']) {
      expect(cameraOf(p, link).height).toBeLessThanOrEqual(180);
      video += cameraOf(p, link).encoding.maxBitrate;
    }
    expect(video + 3 * AUDIO_RESERVE_BPS).toBeLessThanOrEqual(400_000);
  });

  it('with one spotlighted tile and the rest small, sends the spotlight large and the others small, at less than half an even split', () => {
    const links = {
      spot: want({ width: 1280, height: 720 }),
      s1: want({ width: 240, height: 135 }),
      s2: want({ width: 240, height: 135 }),
    };
    const p = plan(input(links));
    expect(cameraOf(p, 'spot').height).toBe(720);
    expect(cameraOf(p, 's1').height).toBeLessThanOrEqual(135);
    const wanted = ['spot', 's1', 's2'].reduce((sum, l) => sum + cameraOf(p, l).encoding.maxBitrate, 0);
    // An even split gave each of the three the same share of the whole budget.
    const even = BUDGET - 3 * AUDIO_RESERVE_BPS;
    expect(wanted).toBeLessThanOrEqual(even);
    const smalls = cameraOf(p, 's1').encoding.maxBitrate + cameraOf(p, 's2').encoding.maxBitrate;
    expect(smalls).toBeLessThan((2 / 3) * even * 0.5);
  });

  it('steps a pressed link down: fewer frames first, then fewer lines', () => {
    const tile = want({ width: 960, height: 540 });
    const heights = [0, 1, 2, 3].map((level) => cameraOf(plan(input({ a: { ...tile, level } })), 'a'));
    expect(heights[0]!.encoding.maxFramerate).toBe(FULL_FRAMERATE);
    expect(heights[1]!.encoding.maxFramerate).toBe(REDUCED_FRAMERATE);
    expect(heights[1]!.height).toBe(540);
    expect(heights[2]!.height).toBe(360);
    expect(heights[3]!.height).toBe(270);
    expect(heights[3]!.encoding.maxFramerate).toBeLessThan(REDUCED_FRAMERATE);
    expect(applyPressure(90, 15, 3).height).toBe(90);
  });

  it('contains a shared screen in its tile, stops it where nobody shows it, and gives it more bits than a face of the same size', () => {
    const p = plan(
      input(
        {
          a: want({ width: 640, height: 360 }, 0, { width: 1280, height: 720 }),
          b: want({ width: 640, height: 360 }, 0, NOT_SHOWN),
        },
        { screen: SCREEN },
      ),
    );
    const screen = p.links.get('a')!.screen!;
    expect(screen.height).toBe(720);
    expect(screen.encoding.scaleResolutionDownBy).toBeCloseTo(1.5);
    expect(screen.encoding.maxBitrate).toBeGreaterThan(bitrateFor(720, 15));
    expect(p.links.get('b')!.screen!.encoding.active).toBe(false);
  });

  it('asks the camera for the largest height any link or the own tile needs, within the setting', () => {
    expect(plan(input({ a: want({ width: 320, height: 180 }), b: want({ width: 640, height: 360 }) })).captureHeight).toBe(360);
    expect(plan(input({ a: want(NOT_SHOWN) }, { selfView: { width: 480, height: 270 } })).captureHeight).toBe(270);
    expect(plan(input({ a: want({ width: 3840, height: 2160 }) }, { maxCameraHeight: 540 })).captureHeight).toBe(540);
    expect(plan(input({ a: want(NOT_SHOWN) })).captureHeight).toBe(0);
    expect(plan(input({ a: want({ width: 640, height: 360 }) }, { camera: undefined })).captureHeight).toBe(0);
  });

  it('names the most frames a second any link sends the camera at, for the blur: no more is composited', () => {
    const fps = (links: Record<string, LinkWant>, patch: Partial<PlanInput> = {}) => plan(input(links, patch)).cameraFrameRate;
    // A call of four: every watched link is capped, so nothing needs the camera's 30.
    const large = { width: 640, height: 360 };
    expect(fps({ a: want(large), b: want(large), c: want(large) })).toBe(CPU_FRAMERATE_CAP.fps);
    // Two links, one large tile: the large one's full rate.
    expect(fps({ a: want(large), b: want({ width: 160, height: 90 }) })).toBe(FULL_FRAMERATE);
    // Only thumbnails: the thumbnail rate.
    expect(fps({ a: want({ width: 160, height: 90 }), b: want({ width: 160, height: 90 }) })).toBe(THUMBNAIL_FRAMERATE);
    // Nobody watches (a background tab), or nobody is there yet: the self view's full rate while it shows, else none.
    expect(fps({ a: want(NOT_SHOWN) }, { selfView: { width: 480, height: 270 } })).toBe(FULL_FRAMERATE);
    expect(fps({}, { selfView: { width: 480, height: 270 } })).toBe(FULL_FRAMERATE);
    expect(fps({ a: want(NOT_SHOWN) })).toBe(0);
    // A self view that shows what is sent does not lift it.
    expect(fps({ a: want(large), b: want(large), c: want(large) }, { selfView: { width: 480, height: 270 } })).toBe(CPU_FRAMERATE_CAP.fps);
    expect(fps({ a: want(large) }, { camera: undefined, selfView: { width: 480, height: 270 } })).toBe(0);
  });

  it('keeps its promises for any wants, budget and camera', () => {
    const size = fc.oneof(
      fc.constant(undefined),
      fc.constant(NOT_SHOWN),
      fc.record({ width: fc.integer({ min: 1, max: 4000 }), height: fc.integer({ min: 1, max: 2500 }) }),
    );
    const link = fc.record({
      camera: size,
      screen: size,
      level: fc.integer({ min: 0, max: 3 }),
      held: fc.option(fc.record({ camera: size, screen: size }), { nil: undefined }),
    });
    const source = fc.record({ width: fc.integer({ min: 160, max: 3840 }), height: fc.integer({ min: 90, max: 2160 }) });
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), link, { maxKeys: 7 }),
        fc.integer({ min: 100_000, max: 20_000_000 }),
        fc.option(source, { nil: undefined }),
        fc.option(source, { nil: undefined }),
        fc.constantFrom(240, 360, 540, 720),
        (links, budgetBps, camera, screen, maxCameraHeight) => {
          const p = plan(input(links, { budgetBps, camera, screen, maxCameraHeight }));
          let active = 0;
          let video = 0;
          for (const [id, w] of Object.entries(links)) {
            const l = p.links.get(id)!;
            const streams: [typeof l.camera | undefined, ViewSize | undefined, Source | undefined][] = [
              [l.camera, w.camera, camera],
              [l.screen, w.screen, screen],
            ];
            for (const [s, asked, src] of streams) {
              if (!s || !src) continue;
              const shown = asked === undefined || (asked.width > 0 && asked.height > 0);
              expect(s.encoding.active).toBe(shown);
              if (!shown) continue;
              expect(s.encoding.scaleResolutionDownBy).toBeGreaterThanOrEqual(1);
              expect(s.height).toBeLessThanOrEqual(src.height);
              expect(s.encoding.maxBitrate).toBeGreaterThanOrEqual(s === l.camera ? cameraFloor(s.height) : MIN_LINK_VIDEO_BPS);
              // A thumbnail tile (one that needs no more than the bottom rung) gets the thumbnail frame rate.
              if (s === l.camera && asked !== undefined && neededHeight(asked, src.width / src.height, 'cover') <= THUMBNAIL_HEIGHT) {
                expect(s.encoding.maxFramerate).toBeLessThanOrEqual(THUMBNAIL_FRAMERATE);
              }
              if (s === l.camera) expect(s.encoding.maxBitrate).toBeLessThanOrEqual(MAX_LINK_VIDEO_BPS);
              active += 1;
              video += s.encoding.maxBitrate;
            }
          }
          // Within the budget whenever it holds every link's audio and every stream's floor (below that the
          // floor wins: the budget is exceeded rather than go lower), a small stream's floor counted in the split.
          const audio = Object.keys(links).length * AUDIO_RESERVE_BPS;
          if (budgetBps >= audio + active * MIN_LINK_VIDEO_BPS) expect(video + audio).toBeLessThanOrEqual(budgetBps);
          expect(p.captureHeight).toBeLessThanOrEqual(camera ? maxCameraHeight : 0);
          // The blur's rate is what some link is sent at (or the self view's, with none sent).
          const sentRates = [...p.links.values()].filter((l) => l.camera.encoding.active).map((l) => l.camera.encoding.maxFramerate);
          expect(p.cameraFrameRate).toBe(camera ? Math.max(0, ...sentRates) : 0);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('a stream its receiver stopped showing keeps its place a moment', () => {
  const large = { width: 1280, height: 720 };
  const shown = { camera: large, screen: NOT_SHOWN };
  const hidden = { camera: NOT_SHOWN, screen: NOT_SHOWN };

  it('is held at the size it had, from when it went, for UNWATCHED_HOLD_MS, and not once it shows again', () => {
    const held = heldViews({}, shown, hidden, 1_000);
    expect(held).toEqual({ camera: { view: large, until: 1_000 + UNWATCHED_HOLD_MS } });
    expect(heldAt(held, 1_000 + UNWATCHED_HOLD_MS - 1)).toEqual({ camera: large, screen: undefined });
    expect(heldAt(held, 1_000 + UNWATCHED_HOLD_MS)).toBeUndefined();
    // Shown again: no hold; hidden again within it: the hold runs on from when it first went.
    expect(heldViews(held, hidden, shown, 1_500)).toEqual({});
    expect(heldViews(held, { camera: { width: 320, height: 180 }, screen: NOT_SHOWN }, hidden, 1_700)).toEqual(held);
    // A receiver that never showed it holds nothing; a hold that ran out is dropped.
    expect(heldViews({}, undefined, hidden, 0)).toEqual({});
    expect(heldViews(held, hidden, hidden, 1_000 + UNWATCHED_HOLD_MS)).toEqual({});
  });

  it('sends nothing on the held link, and every other link keeps the encoding it had while it was watched', () => {
    // Three watched links cross the CPU frame-rate cap, and split the budget three ways: one going unwatched
    // would give the others more frames and more bits at once.
    const links = { a: want(large), b: want(large), c: want(large) };
    const watching = plan(input(links));
    const gone = plan(input({ ...links, c: want(NOT_SHOWN) }));
    expect(cameraOf(gone, 'a').encoding).not.toEqual(cameraOf(watching, 'a').encoding);
    const held = plan(input({ ...links, c: { ...want(NOT_SHOWN), held: { camera: large } } }));
    expect(cameraOf(held, 'c').encoding.active).toBe(false);
    expect(cameraOf(held, 'a').encoding).toEqual(cameraOf(watching, 'a').encoding);
    expect(cameraOf(held, 'b').encoding).toEqual(cameraOf(watching, 'b').encoding);
    // A held screen too: sent nowhere while held, and the camera links keep theirs.
    const screenLinks = { a: want(large, 0, large), b: want(large, 0, large) };
    const sharing = plan(input(screenLinks, { screen: SCREEN }));
    const screenHeld = plan(input({ ...screenLinks, b: { ...want(large, 0, NOT_SHOWN), held: { screen: large } } }, { screen: SCREEN }));
    expect(screenHeld.links.get('b')!.screen!.encoding.active).toBe(false);
    expect(screenHeld.links.get('a')!.screen!.encoding).toEqual(sharing.links.get('a')!.screen!.encoding);
    expect(cameraOf(screenHeld, 'b').encoding).toEqual(cameraOf(sharing, 'b').encoding);
  });
});

describe('linkAskBps', () => {
  const stream = (active: boolean, maxBitrate: number) => ({
    encoding: { active, maxBitrate, scaleResolutionDownBy: 1, maxFramerate: 15 },
    height: 270,
  });
  it('adds the active video caps to the audio reserve, and nothing for an inactive stream', () => {
    expect(linkAskBps({ camera: stream(true, 119_000), screen: undefined })).toBe(119_000 + AUDIO_RESERVE_BPS);
    expect(linkAskBps({ camera: stream(true, 119_000), screen: stream(true, 500_000) })).toBe(619_000 + AUDIO_RESERVE_BPS);
    expect(linkAskBps({ camera: stream(false, 119_000), screen: undefined })).toBe(AUDIO_RESERVE_BPS);
  });
});
