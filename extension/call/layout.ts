// Where each tile sits on the stage. Pure: rects are fractions of the stage
// (0..1), so a window resize keeps every tile where the person put it.
//
// A tile is either in the grid (arranged for it) or floating (placed by the
// person, by drag or keyboard). A pinned tile takes the spotlight and the other
// grid tiles line up beside it. Floating tiles keep their place when others
// join or leave; only the grid re-flows.

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface LayoutState {
  readonly floating: Readonly<Record<string, Rect>>;
  /** A tile the person pinned; `null`: they unpinned everything; `undefined`: automatic (a screen share, if any). */
  readonly pinned: string | null | undefined;
  /** Floating tiles, last touched last: the order they stack in. */
  readonly order: readonly string[];
}

export interface StageSize {
  width: number;
  height: number;
}

export const EMPTY_LAYOUT: LayoutState = { floating: {}, pinned: undefined, order: [] };

/** Video tiles are 16:9. */
export const TILE_ASPECT = 16 / 9;
/** Gap between grid tiles, as a fraction of the stage's smaller side. */
const GAP = 0.012;
/** Smallest a tile may be resized to, as a fraction of the stage. */
export const MIN_TILE = 0.12;
/** Share of the stage the spotlight takes beside the strip of other tiles. */
const SPOTLIGHT_SHARE = 0.78;
/** One arrow-key step, as a fraction of the stage. */
export const KEY_STEP = 0.02;

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** The grid rects (in px space of `area`) for `n` tiles: the column count that makes tiles largest. */
function gridIn(n: number, area: { x: number; y: number; w: number; h: number }, gap: number): Rect[] {
  if (n === 0) return [];
  let best = { cols: 1, tileW: 0 };
  for (let cols = 1; cols <= n; cols++) {
    const rows = Math.ceil(n / cols);
    const cellW = (area.w - gap * (cols - 1)) / cols;
    const cellH = (area.h - gap * (rows - 1)) / rows;
    const tileW = Math.min(cellW, cellH * TILE_ASPECT);
    if (tileW > best.tileW) best = { cols, tileW };
  }
  const { cols, tileW } = best;
  const tileH = tileW / TILE_ASPECT;
  const rows = Math.ceil(n / cols);
  const totalH = rows * tileH + (rows - 1) * gap;
  const top = area.y + (area.h - totalH) / 2;
  const rects: Rect[] = [];
  for (let i = 0; i < n; i++) {
    const row = Math.floor(i / cols);
    const inRow = row === rows - 1 ? n - row * cols : cols;
    const rowW = inRow * tileW + (inRow - 1) * gap;
    const left = area.x + (area.w - rowW) / 2;
    rects.push({ x: left + (i - row * cols) * (tileW + gap), y: top + row * (tileH + gap), w: tileW, h: tileH });
  }
  return rects;
}

/**
 * The tile in the spotlight: the pinned one, or else the first screen share
 * (a shared screen is for reading, so it is large by default).
 */
export function spotlight(ids: readonly string[], layout: LayoutState, isScreen: (id: string) => boolean): string | undefined {
  const candidates = ids.filter((id) => !layout.floating[id]);
  if (layout.pinned === null) return undefined;
  if (layout.pinned !== undefined) return candidates.includes(layout.pinned) ? layout.pinned : undefined;
  return candidates.find(isScreen);
}

/** Every tile's rect, as fractions of the stage. */
export function arrange(
  ids: readonly string[],
  layout: LayoutState,
  stage: StageSize,
  isScreen: (id: string) => boolean = () => false,
): Record<string, Rect> {
  const W = Math.max(1, stage.width);
  const H = Math.max(1, stage.height);
  const gap = GAP * Math.min(W, H);
  const out: Record<string, Rect> = {};
  const inGrid = ids.filter((id) => !layout.floating[id]);
  const pinned = spotlight(ids, layout, isScreen);
  const toFraction = (r: Rect): Rect => ({ x: r.x / W, y: r.y / H, w: r.w / W, h: r.h / H });

  if (pinned === undefined) {
    gridIn(inGrid.length, { x: gap, y: gap, w: W - 2 * gap, h: H - 2 * gap }, gap).forEach((r, i) => {
      out[inGrid[i]!] = toFraction(r);
    });
  } else {
    const rest = inGrid.filter((id) => id !== pinned);
    const wide = W >= H;
    const main = rest.length === 0 ? 1 : SPOTLIGHT_SHARE;
    const spot = wide
      ? { x: gap, y: gap, w: W * main - 2 * gap, h: H - 2 * gap }
      : { x: gap, y: gap, w: W - 2 * gap, h: H * main - 2 * gap };
    out[pinned] = toFraction(gridIn(1, spot, gap)[0]!);
    const strip = wide
      ? { x: W * main, y: gap, w: W * (1 - main) - gap, h: H - 2 * gap }
      : { x: gap, y: H * main, w: W - 2 * gap, h: H * (1 - main) - gap };
    // A strip holds one column (or row) of tiles.
    stripIn(rest.length, strip, gap, wide).forEach((r, i) => {
      out[rest[i]!] = toFraction(r);
    });
  }
  for (const id of ids) {
    const f = layout.floating[id];
    if (f) out[id] = f;
  }
  return out;
}

function stripIn(n: number, area: Rect, gap: number, vertical: boolean): Rect[] {
  if (n === 0) return [];
  const along = vertical ? area.h : area.w;
  const across = vertical ? area.w : area.h;
  let size = (along - gap * (n - 1)) / n; // length along the strip per tile
  const other = vertical ? size * TILE_ASPECT : size / TILE_ASPECT;
  const scale = other > across ? across / other : 1;
  size *= scale;
  const tileW = vertical ? size * TILE_ASPECT : size;
  const tileH = vertical ? size : size / TILE_ASPECT;
  const total = n * size + (n - 1) * gap;
  const start = (vertical ? area.y : area.x) + (along - total) / 2;
  return Array.from({ length: n }, (_, i) =>
    vertical
      ? { x: area.x + (area.w - tileW) / 2, y: start + i * (size + gap), w: tileW, h: tileH }
      : { x: start + i * (size + gap), y: area.y + (area.h - tileH) / 2, w: tileW, h: tileH },
  );
}

const raise = (order: readonly string[], id: string) => [...order.filter((o) => o !== id), id];

/** Moves a tile by (dx, dy) stage fractions from `from`, keeping it on the stage. It floats from then on. */
export function moveTile(layout: LayoutState, id: string, from: Rect, dx: number, dy: number): LayoutState {
  const rect = { ...from, x: clamp(from.x + dx, 0, 1 - from.w), y: clamp(from.y + dy, 0, 1 - from.h) };
  return {
    floating: { ...layout.floating, [id]: rect },
    pinned: layout.pinned === id ? undefined : layout.pinned,
    order: raise(layout.order, id),
  };
}

/** Resizes a tile by (dw, dh) stage fractions, within the stage and above the minimum size. */
export function resizeTile(layout: LayoutState, id: string, from: Rect, dw: number, dh: number): LayoutState {
  const rect = {
    ...from,
    w: clamp(from.w + dw, MIN_TILE, 1 - from.x),
    h: clamp(from.h + dh, MIN_TILE, 1 - from.y),
  };
  return {
    floating: { ...layout.floating, [id]: rect },
    pinned: layout.pinned === id ? undefined : layout.pinned,
    order: raise(layout.order, id),
  };
}

/** Pins a tile into the spotlight (back into the grid if it floated), or unpins it. `current` is the tile in the spotlight now. */
export function togglePin(layout: LayoutState, id: string, current: string | undefined = layout.pinned ?? undefined): LayoutState {
  if (current === id) return { ...layout, pinned: null };
  const { [id]: _dropped, ...floating } = layout.floating;
  return { floating, pinned: id, order: layout.order.filter((o) => o !== id) };
}

/** Forgets tiles that are gone; everyone else keeps their place. */
export function keepOnly(layout: LayoutState, ids: readonly string[]): LayoutState {
  const present = new Set(ids);
  const pinnedGone = typeof layout.pinned === 'string' && !present.has(layout.pinned);
  const gone = Object.keys(layout.floating).some((id) => !present.has(id)) || pinnedGone;
  if (!gone) return layout;
  return {
    floating: Object.fromEntries(Object.entries(layout.floating).filter(([id]) => present.has(id))),
    pinned: pinnedGone ? undefined : layout.pinned,
    order: layout.order.filter((id) => present.has(id)),
  };
}

export type TileKey = 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown';

/** Arrow keys move a tile; with Shift they resize it. */
export function keyboardTile(layout: LayoutState, id: string, from: Rect, key: TileKey, resize: boolean): LayoutState {
  const dx = key === 'ArrowLeft' ? -KEY_STEP : key === 'ArrowRight' ? KEY_STEP : 0;
  const dy = key === 'ArrowUp' ? -KEY_STEP : key === 'ArrowDown' ? KEY_STEP : 0;
  return resize ? resizeTile(layout, id, from, dx, dy) : moveTile(layout, id, from, dx, dy);
}
