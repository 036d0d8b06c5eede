// bench:call's hidden-tab step times the stop from each link's last video packet
// (bench/lib/hidden-tab.ts), and must fall back to its read bound wherever those
// times do not read as wall-clock times in the report's own base.
import { describe, expect, it } from 'vitest';
import { stopsFromPackets } from '../../../bench/lib/hidden-tab.ts';

const HIDDEN_AT = 1_764_000_000_000;
const link = (lastVideoAt: number | undefined, at = HIDDEN_AT + 3_000) => ({ video: 1, audio: 1, lastVideoAt, at });

describe('stopsFromPackets', () => {
  it('gives each link its last video packet after hiding, 0 where none came after', () => {
    expect(stopsFromPackets([link(HIDDEN_AT + 150), link(HIDDEN_AT - 40), link(HIDDEN_AT + 5_600, HIDDEN_AT + 7_000)], HIDDEN_AT)).toEqual([
      150, 0, 5_600,
    ]);
  });

  it('gives nothing where a link has no packet time', () => {
    expect(stopsFromPackets([link(HIDDEN_AT + 150), link(undefined)], HIDDEN_AT)).toBeUndefined();
  });

  it('gives nothing where packet times are in another base than the report', () => {
    // After the report's own time: not a time the packet could have come.
    expect(stopsFromPackets([link(HIDDEN_AT + 10_000)], HIDDEN_AT)).toBeUndefined();
    // Since boot, or any offset far before the page went hidden.
    expect(stopsFromPackets([link(123_456_789)], HIDDEN_AT)).toBeUndefined();
  });
});
