// A link's "asked for" and "sending at most" in words, for the stats panel.
import type { ViewSize } from '../../protocol/data.ts';
import type { LinkQuality } from '../session/quality.ts';
import type { Want } from '../session/view-wants.ts';

const size = (v: ViewSize): string => (v.width > 0 && v.height > 0 ? `${v.width}×${v.height}` : 'not shown');

/** What a receiver asked of us (or we of them): its largest tile of the camera, and of the screen where it shows one. */
export function askedText(want: Want | undefined): string {
  if (!want) return '—';
  const parts = [size(want.camera)];
  if (want.screen.width > 0 && want.screen.height > 0) parts.push(`screen ${size(want.screen)}`);
  if (want.dropped > 0) parts.push(`drops ${Math.round(want.dropped * 100)} %`);
  return parts.join(' · ');
}

const REASONS: Record<NonNullable<LinkQuality['reason']>, string> = {
  cpu: 'encoder busy',
  bandwidth: 'network',
  dropped: 'their decoder drops frames',
};

/** The governor's caps for our camera on a link, and how far that link stepped down, and why. */
export function limitText(q: LinkQuality | undefined): string {
  const camera = q?.camera;
  if (!q || !camera) return '—';
  const e = camera.encoding;
  const parts = e.active ? [`${camera.height}p`, `${e.maxFramerate} fps`, `${Math.round(e.maxBitrate / 1000)} kbps`] : ['no video'];
  if (q.screen) parts.push(q.screen.encoding.active ? `screen ${q.screen.height}p` : 'no screen');
  if (q.level > 0 && q.reason) parts.push(`eased ${q.level}× (${REASONS[q.reason]})`);
  return parts.join(' · ');
}

/** `Bo`, `Bo and Cy`, `Bo, Cy and Di`. */
const listOf = (names: readonly string[]): string =>
  names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;

/** Why some people see us at lower quality: the links the governor stepped down for a short path. */
export function slowPathText(names: readonly string[]): string {
  return names.length === 1
    ? `The connection to ${names[0]} is slow, so ${names[0]} sees your video at lower quality.`
    : `The connections to ${listOf(names)} are slow, so they see your video at lower quality.`;
}
