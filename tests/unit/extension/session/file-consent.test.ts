import { describe, expect, it } from 'vitest';
import { type ConsentPolicy, decideOffer, noRoomReason, recordOffer } from '../../../../extension/session/file-consent.ts';
import { formatBytes } from '../../../../extension/session/format-bytes.ts';

const MiB = 1024 * 1024;
const policy: ConsentPolicy = { askAboveBytes: 100 * MiB, burstFiles: 3, burstWindowMs: 10_000, maxUnsavedBytes: 2048 * MiB };
const calm = { heldBytes: 0, recentOffers: 0 };

describe('decideOffer', () => {
  it('accepts a file at the ask size without asking', () => {
    expect(decideOffer(policy, 100 * MiB, calm)).toEqual({ kind: 'accept' });
  });

  it('asks about a file one byte above the ask size', () => {
    expect(decideOffer(policy, 100 * MiB + 1, calm)).toEqual({ kind: 'ask', why: 'size' });
  });

  it('accepts the third offer in the window and asks about the fourth', () => {
    expect(decideOffer(policy, 1, { heldBytes: 0, recentOffers: 2 })).toEqual({ kind: 'accept' });
    expect(decideOffer(policy, 1, { heldBytes: 0, recentOffers: 3 })).toEqual({ kind: 'ask', why: 'burst' });
  });

  it('asks about every non-empty file when the ask size is zero', () => {
    const strict = { ...policy, askAboveBytes: 0 };
    expect(decideOffer(strict, 0, calm)).toEqual({ kind: 'accept' });
    expect(decideOffer(strict, 1, calm)).toEqual({ kind: 'ask', why: 'size' });
  });

  it('accepts an offer that fills the cap exactly, and declines one byte more without asking, naming both figures', () => {
    const held = 2000 * MiB;
    expect(decideOffer(policy, 48 * MiB, { heldBytes: held, recentOffers: 0 })).toEqual({ kind: 'accept' });
    const reason = noRoomReason(held, 2048 * MiB);
    expect(decideOffer(policy, 48 * MiB + 1, { heldBytes: held, recentOffers: 0 })).toEqual({ kind: 'decline', reason });
    // Declined, not asked, even when it would also have asked for its size or as part of a burst.
    expect(decideOffer(policy, 200 * MiB, { heldBytes: held, recentOffers: 9 })).toEqual({ kind: 'decline', reason });
    expect(reason).toBe('1.95 GiB of received files are not saved yet, and this one would pass the 2 GiB limit');
  });

  it('declines a file larger than the whole cap even when nothing is held', () => {
    expect(decideOffer(policy, 2048 * MiB + 1, calm).kind).toBe('decline');
  });
});

describe('recordOffer', () => {
  it('keeps the offers younger than the window and adds this one', () => {
    expect(recordOffer([0, 5_000, 9_999], 10_000, 10_000)).toEqual([5_000, 9_999, 10_000]);
  });

  it('forgets everything once a whole window has passed', () => {
    expect(recordOffer([1, 2, 3], 20_000, 10_000)).toEqual([20_000]);
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 bytes'],
    [1, '1 byte'],
    [1023, '1023 bytes'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    [12_345, '12.1 KiB'],
    [100 * MiB, '100 MiB'],
    [2000 * MiB, '1.95 GiB'],
    [2 ** 30, '1 GiB'],
  ])('writes %d as %s', (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });
});
