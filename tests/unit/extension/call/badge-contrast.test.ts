// The labels over a tile (name, Microphone off, Speaking, Recording, the safety
// code, raised hand, the tile's tools) sit on live video. axe measures text
// against what is behind it in the page, and a <video> is nothing it can read,
// so no e2e scan catches a badge that is unreadable over a bright picture. This
// reads call.css and works the contrast out over the worst pictures there are:
// black and white behind each badge's (maybe translucent) background.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const css = readFileSync(fileURLToPath(new URL('../../../../extension/call/call.css', import.meta.url)), 'utf8');

type Rgba = [number, number, number, number];

const vars = new Map<string, string>();
for (const m of css.matchAll(/(--[\w-]+):\s*([^;]+);/g)) vars.set(m[1] as string, (m[2] as string).trim());

function colour(value: string): Rgba {
  const v = value.trim();
  const named = /^var\((--[\w-]+)\)$/.exec(v);
  if (named) return colour(vars.get(named[1] as string) ?? 'missing');
  const hex = /^#([0-9a-f]{6})$/i.exec(v);
  if (hex) {
    const n = Number.parseInt(hex[1] as string, 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255, 1];
  }
  const rgb = /^rgb\((\d+) (\d+) (\d+)(?: \/ ([\d.]+))?\)$/.exec(v);
  if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3]), rgb[4] === undefined ? 1 : Number(rgb[4])];
  throw new Error(`a colour this test cannot read: ${value}`);
}

const over = ([r, g, b, a]: Rgba, [br, bg, bb]: Rgba): Rgba => [r * a + br * (1 - a), g * a + bg * (1 - a), b * a + bb * (1 - a), 1];

function luminance([r, g, b]: Rgba): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

const contrast = (a: Rgba, b: Rgba): number => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
};

/** The rule for `selector` exactly as call.css writes it, and its declarations. */
function rule(selector: string): Map<string, string> {
  const escaped = selector.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`(?:^|\\n|\\})\\s*${escaped}\\s*\\{([^}]*)\\}`).exec(css);
  if (!m) throw new Error(`call.css has no rule for ${selector}`);
  return new Map([...(m[1] as string).matchAll(/([\w-]+):\s*([^;]+);/g)].map((d) => [d[1] as string, (d[2] as string).trim()]));
}

const TEXT = colour(vars.get('--text') ?? 'missing');
const PICTURES: Record<string, Rgba> = { black: [0, 0, 0, 1], white: [255, 255, 255, 1] };

describe('the labels over a tile', () => {
  const badges = [
    '.name, .badge',
    '.speaking-badge',
    '.badge.mic',
    '.badge.rec',
    '.badge.code.verified',
    '.badge.warn',
    '.badge.hand',
    '.tile-tools button',
    '.tile-tools .verify[aria-pressed="true"]',
  ];
  for (const selector of badges) {
    it(`keep 4.5:1 over any picture: ${selector}`, () => {
      const decl = rule(selector);
      const background = colour(decl.get('background') ?? 'missing');
      const text = decl.has('color') ? colour(decl.get('color') as string) : TEXT;
      for (const [picture, behind] of Object.entries(PICTURES)) {
        expect(contrast(text, over(background, behind)), `${selector} over a ${picture} picture`).toBeGreaterThanOrEqual(4.5);
      }
    });
  }
});
