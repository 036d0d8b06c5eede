import { describe, expect, it } from 'vitest';
import { coveredTiles } from '../../../../extension/call/occlusion.ts';

const z = (order: Record<string, number>) => (id: string) => order[id] ?? 1;

describe('coveredTiles', () => {
  it('finds a tile that lies wholly under a tile stacked above it', () => {
    const rects = { small: { x: 0.1, y: 0.1, w: 0.2, h: 0.2 }, big: { x: 0, y: 0, w: 0.5, h: 0.5 } };
    expect(coveredTiles(rects, z({ big: 10 }))).toEqual(new Set(['small']));
  });

  it('leaves a tile that is only partly covered, or that sits above the other', () => {
    const rects = { a: { x: 0.1, y: 0.1, w: 0.3, h: 0.3 }, b: { x: 0.2, y: 0.2, w: 0.5, h: 0.5 } };
    expect(coveredTiles(rects, z({ b: 10 }))).toEqual(new Set());
    const inside = { small: { x: 0.1, y: 0.1, w: 0.2, h: 0.2 }, big: { x: 0, y: 0, w: 0.5, h: 0.5 } };
    expect(coveredTiles(inside, z({ small: 11, big: 10 }))).toEqual(new Set());
  });

  it('treats exactly the same place as covered, for the one below', () => {
    const same = { x: 0.2, y: 0.2, w: 0.3, h: 0.3 };
    expect(coveredTiles({ a: same, b: { ...same } }, z({ b: 10 }))).toEqual(new Set(['a']));
  });

  it('covers nothing in a grid, where no tiles overlap', () => {
    const grid = { a: { x: 0, y: 0, w: 0.5, h: 0.5 }, b: { x: 0.5, y: 0, w: 0.5, h: 0.5 }, c: { x: 0, y: 0.5, w: 0.5, h: 0.5 } };
    expect(coveredTiles(grid, () => 1)).toEqual(new Set());
  });
});
