import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readElementHead, webmDurationMs, webmTracks, withDuration } from '../../../../extension/session/webm-duration.ts';
import { RUNS } from '../../../support/arbitraries.ts';

/** An element with a 1-byte size (data under 127 bytes) or an 8-byte size; `unknown` writes the all-ones size. */
function el(id: number[], data: number[], size: 'short' | 'long' | 'unknown' = 'short'): number[] {
  if (size === 'unknown') return [...id, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, ...data];
  if (size === 'long') {
    const s = [0x01, 0, 0, 0, 0, 0, 0, 0];
    let n = data.length;
    for (let i = 7; i >= 1; i--) {
      s[i] = n % 256;
      n = Math.floor(n / 256);
    }
    return [...id, ...s, ...data];
  }
  if (data.length > 126) throw new Error('too long for a short size');
  return [...id, 0x80 | data.length, ...data];
}
const text = (s: string) => [...new TextEncoder().encode(s)];

const EBML = el([0x1a, 0x45, 0xdf, 0xa3], [...el([0x42, 0x82], text('webm')), ...el([0x42, 0x87], [4])]);
const trackEntry = (n: number, type: number) => el([0xae], [...el([0xd7], [n]), ...el([0x83], [type])]);
const TRACKS = el([0x16, 0x54, 0xae, 0x6b], [...trackEntry(1, 2), ...trackEntry(2, 1)]);
const CLUSTER = el([0x1f, 0x43, 0xb6, 0x75], [...el([0xe7], [0]), 0xa3, 0x85, 0x81, 0, 0, 0x80, 0x42], 'unknown');

/** What MediaRecorder writes first: a live Segment, Info without Duration, the tracks, a Cluster. */
function liveWebm(infoFields: number[] = [...el([0x2a, 0xd7, 0xb1], [0x0f, 0x42, 0x40]), ...el([0x4d, 0x80], text('Chrome'))]) {
  const info = el([0x15, 0x49, 0xa9, 0x66], infoFields, 'long');
  return new Uint8Array([...EBML, ...el([0x18, 0x53, 0x80, 0x67], [...info, ...TRACKS, ...CLUSTER], 'unknown')]);
}

const endsWith = (whole: Uint8Array, tail: number[]) => [...whole.subarray(whole.length - tail.length)].join() === tail.join();

describe('withDuration', () => {
  it('writes the duration into a live WebM’s Info and leaves the tracks and clusters as they were', () => {
    const head = liveWebm();
    expect(webmDurationMs(head)).toBeUndefined();
    const fixed = withDuration(head, 6_840.2);
    expect(fixed).toBeDefined();
    expect(webmDurationMs(fixed!)).toBeCloseTo(6_840.2, 6);
    expect(webmTracks(fixed!)).toEqual({ video: 1, audio: 1 });
    expect(endsWith(fixed!, [...TRACKS, ...CLUSTER])).toBe(true);
    expect(fixed!.length).toBe(head.length + 11);
  });

  it('replaces a duration already there instead of adding a second', () => {
    const once = withDuration(liveWebm(), 1_000)!;
    const twice = withDuration(once, 2_500)!;
    expect(webmDurationMs(twice)).toBe(2_500);
    expect(twice.length).toBe(once.length);
  });

  it('counts in the file’s own timestamp scale', () => {
    // 1 µs ticks: 2 s is 2,000,000 of them.
    const head = liveWebm(el([0x2a, 0xd7, 0xb1], [0x03, 0xe8]));
    const fixed = withDuration(head, 2_000)!;
    const at = [...fixed].findIndex((b, i) => b === 0x44 && fixed[i + 1] === 0x89);
    expect(new DataView(fixed.buffer, at + 3, 8).getFloat64(0)).toBe(2_000_000);
    expect(webmDurationMs(fixed)).toBe(2_000);
  });

  it('uses the default scale of 1 ms where the file names none', () => {
    expect(webmDurationMs(withDuration(liveWebm(el([0x4d, 0x80], text('x'))), 42)!)).toBe(42);
  });

  it('leaves alone what is not a live WebM: other bytes, a finished file, an Info cut off, a bad duration', () => {
    expect(withDuration(new Uint8Array([1, 2, 3]), 1)).toBeUndefined();
    const finished = new Uint8Array([...EBML, ...el([0x18, 0x53, 0x80, 0x67], [...el([0x15, 0x49, 0xa9, 0x66], [])], 'long')]);
    expect(withDuration(finished, 1)).toBeUndefined();
    const head = liveWebm();
    expect(withDuration(head.subarray(0, EBML.length + 20), 1)).toBeUndefined();
    expect(withDuration(head, Number.NaN)).toBeUndefined();
    expect(withDuration(head, -1)).toBeUndefined();
  });

  it('never throws on any bytes or any cut of a real head, and what it gives back reads as the duration asked', () => {
    const head = liveWebm();
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.nat(head.length).map((n) => head.slice(0, n)),
          fc.tuple(fc.nat(head.length - 1), fc.integer({ min: 0, max: 255 })).map(([i, b]) => {
            const copy = head.slice();
            copy[i] = b;
            return copy;
          }),
        ),
        fc.double({ min: 0, max: 1e9, noNaN: true }),
        (bytes, ms) => {
          const out = withDuration(bytes, ms);
          if (out) expect(webmDurationMs(out)).toBeCloseTo(ms, 3);
          webmTracks(bytes);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('webmTracks', () => {
  it('counts the tracks a live WebM declares', () => {
    expect(webmTracks(liveWebm())).toEqual({ video: 1, audio: 1 });
  });

  it('reads a track type only as an integer of 1 to 8 bytes within the bytes given, so a damaged size cannot stall it', () => {
    // A 9-byte "type" whose last byte says video: not an EBML integer, so no track.
    const nineBytes = el([0x16, 0x54, 0xae, 0x6b], el([0xae], [...el([0xd7], [1]), ...el([0x83], [0, 0, 0, 0, 0, 0, 0, 0, 1])]));
    const withNine = new Uint8Array([...EBML, ...el([0x18, 0x53, 0x80, 0x67], [...nineBytes, ...CLUSTER], 'unknown')]);
    expect(webmTracks(withNine)).toEqual({ video: 0, audio: 0 });
    // A type that claims 2^52 bytes: the old reader looped over every one of them and never returned.
    const huge = [0x83, 0x01, 0x10, 0, 0, 0, 0, 0, 0, 1];
    const claimsPetabytes = el([0x16, 0x54, 0xae, 0x6b], el([0xae], [...el([0xd7], [1]), ...huge]));
    const withHuge = new Uint8Array([...EBML, ...el([0x18, 0x53, 0x80, 0x67], [...claimsPetabytes, ...CLUSTER], 'unknown')]);
    expect(webmTracks(withHuge)).toEqual({ video: 0, audio: 0 });
  });
});

describe('readElementHead', () => {
  it('reads IDs with their marker and sizes without it, and knows the unknown size', () => {
    expect(readElementHead(new Uint8Array([0x1a, 0x45, 0xdf, 0xa3, 0x84]), 0)).toEqual({ id: 0x1a45dfa3, start: 0, dataStart: 5, size: 4 });
    expect(readElementHead(new Uint8Array([0xa3, 0x40, 0x02]), 0)).toEqual({ id: 0xa3, start: 0, dataStart: 3, size: 2 });
    expect(readElementHead(new Uint8Array([0xa3, 0xff]), 0)?.size).toBeUndefined();
    expect(readElementHead(new Uint8Array([0x00, 0x81]), 0)).toBeUndefined();
    expect(readElementHead(new Uint8Array([0x1a, 0x45]), 0)).toBeUndefined();
  });
});
