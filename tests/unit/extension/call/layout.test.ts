import { describe, expect, it } from 'vitest';
import {
  EMPTY_LAYOUT,
  KEY_STEP,
  MIN_TILE,
  TILE_ASPECT,
  arrange,
  keepOnly,
  keyboardTile,
  moveTile,
  resizeTile,
  spotlight,
  togglePin,
  type LayoutState,
  type Rect,
  type StageSize,
} from '../../../../extension/call/layout.ts';

const WIDE: StageSize = { width: 1600, height: 900 };
const TALL: StageSize = { width: 700, height: 1200 };
const ids = (n: number) => Array.from({ length: n }, (_, i) => `p${i}`);
const layout = (patch: Partial<LayoutState>): LayoutState => ({ ...EMPTY_LAYOUT, ...patch });
const isScreen = (id: string) => id.endsWith(':screen');

/** Float rounding in the layout maths is far below a pixel. */
const EPS = 1e-9;

function insideStage(r: Rect): boolean {
  return r.x >= -EPS && r.y >= -EPS && r.w > 0 && r.h > 0 && r.x + r.w <= 1 + EPS && r.y + r.h <= 1 + EPS;
}

function overlap(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.w - EPS && b.x < a.x + a.w - EPS && a.y < b.y + b.h - EPS && b.y < a.y + a.h - EPS;
}

/** A rect's aspect in pixels: rects are stage fractions. */
const aspect = (r: Rect, stage: StageSize) => (r.w * stage.width) / (r.h * stage.height);
const area = (r: Rect) => r.w * r.h;

describe('arrange in a grid', () => {
  for (const stage of [WIDE, TALL]) {
    for (let n = 1; n <= 8; n++) {
      it(`places ${n} tile(s) inside a ${stage.width}×${stage.height} stage, 16:9, equal and never overlapping`, () => {
        const rects = arrange(ids(n), EMPTY_LAYOUT, stage);
        const list = ids(n).map((id) => rects[id]!);
        expect(Object.keys(rects)).toHaveLength(n);
        for (const r of list) {
          expect(insideStage(r)).toBe(true);
          expect(aspect(r, stage)).toBeCloseTo(TILE_ASPECT, 6);
          expect(r.w).toBeCloseTo(list[0]!.w, 9);
        }
        for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(overlap(list[i]!, list[j]!)).toBe(false);
      });
    }
  }

  it('puts two tiles side by side on a wide stage and one above the other on a tall one', () => {
    const wide = arrange(ids(2), EMPTY_LAYOUT, WIDE);
    expect(wide.p0!.y).toBeCloseTo(wide.p1!.y, 9);
    expect(wide.p1!.x).toBeGreaterThan(wide.p0!.x);
    const tall = arrange(ids(2), EMPTY_LAYOUT, TALL);
    expect(tall.p0!.x).toBeCloseTo(tall.p1!.x, 9);
    expect(tall.p1!.y).toBeGreaterThan(tall.p0!.y);
  });

  it('uses a 2×2 grid for four tiles on a 16:9 stage, filling most of it', () => {
    const rects = arrange(ids(4), EMPTY_LAYOUT, WIDE);
    const xs = new Set(Object.values(rects).map((r) => r.x.toFixed(6)));
    const ys = new Set(Object.values(rects).map((r) => r.y.toFixed(6)));
    expect(xs.size).toBe(2);
    expect(ys.size).toBe(2);
    expect(Object.values(rects).reduce((sum, r) => sum + area(r), 0)).toBeGreaterThan(0.9);
  });

  it('survives a stage of zero size without NaN', () => {
    const rects = arrange(ids(3), EMPTY_LAYOUT, { width: 0, height: 0 });
    for (const r of Object.values(rects)) for (const v of [r.x, r.y, r.w, r.h]) expect(Number.isFinite(v)).toBe(true);
  });
});

describe('arrange with a spotlight', () => {
  it('gives a pinned tile the spotlight and lines the others up beside it', () => {
    const rects = arrange(ids(4), layout({ pinned: 'p2' }), WIDE);
    const spot = rects.p2!;
    for (const other of ['p0', 'p1', 'p3']) {
      expect(area(spot)).toBeGreaterThan(4 * area(rects[other]!));
      expect(overlap(spot, rects[other]!)).toBe(false);
      // On a wide stage the strip is a column to the right of the spotlight.
      expect(rects[other]!.x).toBeGreaterThanOrEqual(spot.x + spot.w - EPS);
    }
    for (const r of Object.values(rects)) expect(insideStage(r)).toBe(true);
  });

  it('puts the strip below the spotlight on a tall stage', () => {
    const rects = arrange(ids(3), layout({ pinned: 'p0' }), TALL);
    for (const other of ['p1', 'p2']) expect(rects[other]!.y).toBeGreaterThanOrEqual(rects.p0!.y + rects.p0!.h - EPS);
  });

  it('spotlights a screen share by default', () => {
    const all = ['p0', 'p1', 'p1:screen', 'p2'];
    expect(spotlight(all, EMPTY_LAYOUT, isScreen)).toBe('p1:screen');
    const rects = arrange(all, EMPTY_LAYOUT, WIDE, isScreen);
    for (const other of ['p0', 'p1', 'p2']) expect(area(rects['p1:screen']!)).toBeGreaterThan(4 * area(rects[other]!));
  });

  it('keeps a pinned camera in the spotlight over a screen share', () => {
    expect(spotlight(['p0', 'p1:screen'], layout({ pinned: 'p0' }), isScreen)).toBe('p0');
  });

  it('shows a plain grid when everything was unpinned (pinned = null), screen share or not', () => {
    const all = ['p0', 'p1:screen', 'p2'];
    expect(spotlight(all, layout({ pinned: null }), isScreen)).toBeUndefined();
    const rects = arrange(all, layout({ pinned: null }), WIDE, isScreen);
    expect(rects['p1:screen']!.w).toBeCloseTo(rects.p0!.w, 9);
  });

  it('falls back to the grid when the pinned tile is not on the stage', () => {
    const rects = arrange(ids(2), layout({ pinned: 'gone' }), WIDE);
    expect(rects.p0!.w).toBeCloseTo(rects.p1!.w, 9);
  });

  it('never spotlights a floating tile', () => {
    const floating = { 'p1:screen': { x: 0.1, y: 0.1, w: 0.2, h: 0.2 } };
    expect(spotlight(['p0', 'p1:screen'], layout({ floating }), isScreen)).toBeUndefined();
    expect(spotlight(['p0', 'p1'], layout({ floating: { p1: floating['p1:screen'] }, pinned: 'p1' }), isScreen)).toBeUndefined();
  });
});

describe('floating tiles', () => {
  const placed: Rect = { x: 0.61, y: 0.07, w: 0.25, h: 0.2 };

  it('keep the rect the person gave them while the grid re-flows around them', () => {
    const l = layout({ floating: { p1: placed }, order: ['p1'] });
    for (const n of [2, 3, 5, 8]) {
      const rects = arrange(ids(n), l, WIDE);
      expect(rects.p1).toEqual(placed);
      // The rest form the grid the same as if p1 were not there.
      const rest = ids(n).filter((id) => id !== 'p1');
      const grid = arrange(rest, EMPTY_LAYOUT, WIDE);
      for (const id of rest) expect(rects[id]).toEqual(grid[id]);
    }
  });

  it('keep their rect when a screen share takes the spotlight', () => {
    const rects = arrange(['p0', 'p1', 'p2:screen'], layout({ floating: { p1: placed } }), WIDE, isScreen);
    expect(rects.p1).toEqual(placed);
  });
});

describe('moveTile', () => {
  const from: Rect = { x: 0.5, y: 0.5, w: 0.3, h: 0.2 };

  it('moves a tile by the given fractions and makes it float on top', () => {
    const l = moveTile(layout({ floating: { a: { x: 0, y: 0, w: 0.2, h: 0.2 } }, order: ['b', 'a'] }), 'b', from, 0.1, -0.2);
    expect(l.floating.b!.x).toBeCloseTo(0.6, 9);
    expect(l.floating.b!.y).toBeCloseTo(0.3, 9);
    expect(l.floating.b!.w).toBe(0.3);
    expect(l.order).toEqual(['a', 'b']);
  });

  it('keeps the whole tile on the stage however far it is dragged', () => {
    expect(moveTile(EMPTY_LAYOUT, 'b', from, 5, 5).floating.b).toEqual({ x: 0.7, y: 0.8, w: 0.3, h: 0.2 });
    expect(moveTile(EMPTY_LAYOUT, 'b', from, -5, -5).floating.b).toEqual({ x: 0, y: 0, w: 0.3, h: 0.2 });
  });

  it('takes a pinned tile out of the spotlight and leaves another pin alone', () => {
    expect(moveTile(layout({ pinned: 'b' }), 'b', from, 0, 0).pinned).toBeUndefined();
    expect(moveTile(layout({ pinned: 'c' }), 'b', from, 0, 0).pinned).toBe('c');
    expect(moveTile(layout({ pinned: null }), 'b', from, 0, 0).pinned).toBeNull();
  });
});

describe('resizeTile', () => {
  const from: Rect = { x: 0.6, y: 0.5, w: 0.3, h: 0.3 };

  it('grows a tile no further than the stage edge', () => {
    const r = resizeTile(EMPTY_LAYOUT, 'a', from, 1, 1).floating.a!;
    expect(r.w).toBeCloseTo(0.4, 9);
    expect(r.h).toBeCloseTo(0.5, 9);
    expect(r.x).toBe(0.6);
    expect(r.y).toBe(0.5);
  });

  it('shrinks a tile no smaller than MIN_TILE', () => {
    const r = resizeTile(EMPTY_LAYOUT, 'a', from, -1, -1).floating.a!;
    expect(r.w).toBe(MIN_TILE);
    expect(r.h).toBe(MIN_TILE);
  });

  it('raises the resized tile and unpins it', () => {
    const l = resizeTile(layout({ pinned: 'a', order: ['a', 'b'] }), 'a', from, 0.01, 0);
    expect(l.order).toEqual(['b', 'a']);
    expect(l.pinned).toBeUndefined();
  });
});

describe('keyboardTile', () => {
  const from: Rect = { x: 0.4, y: 0.4, w: 0.2, h: 0.2 };

  it.each([
    ['ArrowLeft', -KEY_STEP, 0],
    ['ArrowRight', KEY_STEP, 0],
    ['ArrowUp', 0, -KEY_STEP],
    ['ArrowDown', 0, KEY_STEP],
  ] as const)('moves a tile one step with %s', (key, dx, dy) => {
    const r = keyboardTile(EMPTY_LAYOUT, 'a', from, key, false).floating.a!;
    expect(r.x).toBeCloseTo(from.x + dx, 9);
    expect(r.y).toBeCloseTo(from.y + dy, 9);
    expect(r.w).toBe(from.w);
    expect(r.h).toBe(from.h);
  });

  it.each([
    ['ArrowLeft', -KEY_STEP, 0],
    ['ArrowRight', KEY_STEP, 0],
    ['ArrowUp', 0, -KEY_STEP],
    ['ArrowDown', 0, KEY_STEP],
  ] as const)('resizes a tile one step with Shift+%s, keeping its corner', (key, dw, dh) => {
    const r = keyboardTile(EMPTY_LAYOUT, 'a', from, key, true).floating.a!;
    expect(r.x).toBe(from.x);
    expect(r.y).toBe(from.y);
    expect(r.w).toBeCloseTo(from.w + dw, 9);
    expect(r.h).toBeCloseTo(from.h + dh, 9);
  });

  it('stops at the stage edge', () => {
    const corner: Rect = { x: 1 - 0.2, y: 0, w: 0.2, h: 0.2 };
    expect(keyboardTile(EMPTY_LAYOUT, 'a', corner, 'ArrowRight', false).floating.a!.x).toBeCloseTo(0.8, 9);
    expect(keyboardTile(EMPTY_LAYOUT, 'a', corner, 'ArrowUp', false).floating.a!.y).toBe(0);
  });
});

describe('togglePin', () => {
  it('pins a tile, bringing it back into the grid if it floated', () => {
    const l = togglePin(
      layout({ floating: { a: { x: 0, y: 0, w: 0.2, h: 0.2 }, b: { x: 0.5, y: 0.5, w: 0.2, h: 0.2 } }, order: ['a', 'b'] }),
      'a',
    );
    expect(l.pinned).toBe('a');
    expect(l.floating.a).toBeUndefined();
    expect(l.floating.b).toBeDefined();
    expect(l.order).toEqual(['b']);
  });

  it('unpins the pinned tile, leaving no automatic spotlight behind', () => {
    expect(togglePin(layout({ pinned: 'a' }), 'a').pinned).toBeNull();
  });

  it('unpins a screen share that is in the spotlight automatically, when told it is the current one', () => {
    expect(togglePin(EMPTY_LAYOUT, 'p1:screen', 'p1:screen').pinned).toBeNull();
    // Without `current` nothing is pinned, so the same call pins it instead.
    expect(togglePin(EMPTY_LAYOUT, 'p1:screen').pinned).toBe('p1:screen');
  });

  it('moves the pin from the current tile to another', () => {
    expect(togglePin(layout({ pinned: 'a' }), 'b').pinned).toBe('b');
    expect(togglePin(layout({ pinned: null }), 'b').pinned).toBe('b');
  });
});

describe('keepOnly', () => {
  const a: Rect = { x: 0.1, y: 0.1, w: 0.2, h: 0.2 };
  const b: Rect = { x: 0.5, y: 0.5, w: 0.2, h: 0.2 };

  it('forgets floating tiles that are gone and keeps the others exactly where they were', () => {
    const l = keepOnly(layout({ floating: { a, b }, order: ['a', 'b'] }), ['a', 'c']);
    expect(l.floating).toEqual({ a });
    expect(l.order).toEqual(['a']);
  });

  it('forgets a pin on a tile that is gone, back to automatic', () => {
    expect(keepOnly(layout({ pinned: 'gone' }), ['a']).pinned).toBeUndefined();
    expect(keepOnly(layout({ pinned: 'a', floating: { b } }), ['a']).pinned).toBe('a');
    expect(keepOnly(layout({ pinned: null, floating: { b } }), ['a']).pinned).toBeNull();
  });

  it('returns the very same layout when nobody left, so nothing re-renders', () => {
    const l = layout({ floating: { a }, pinned: 'b', order: ['a'] });
    expect(keepOnly(l, ['a', 'b', 'c'])).toBe(l);
  });
});
