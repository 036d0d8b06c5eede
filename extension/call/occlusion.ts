// Which tiles nobody can see because another tile lies wholly over them (a
// floating tile dragged on top). Pure: rects are stage fractions (layout.ts),
// stacking is by z. A tile only partly covered still shows: it keeps its video.
import type { Rect } from './layout.ts';

/** Rounding in the layout maths is far below a pixel. */
const EPS = 1e-6;

const contains = (outer: Rect, inner: Rect): boolean =>
  outer.x <= inner.x + EPS &&
  outer.y <= inner.y + EPS &&
  outer.x + outer.w >= inner.x + inner.w - EPS &&
  outer.y + outer.h >= inner.y + inner.h - EPS;

/** The ids of tiles that lie wholly under a single tile stacked above them. */
export function coveredTiles(rects: Readonly<Record<string, Rect>>, z: (id: string) => number): Set<string> {
  const out = new Set<string>();
  const entries = Object.entries(rects);
  for (const [id, rect] of entries) {
    for (const [other, over] of entries) {
      if (other !== id && z(other) > z(id) && contains(over, rect)) {
        out.add(id);
        break;
      }
    }
  }
  return out;
}
