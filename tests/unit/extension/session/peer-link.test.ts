// Only the pure part of peer-link.ts: PeerLink needs a real
// RTCPeerConnection and is proven in real Chromium by the e2e tests.
import { describe, expect, it } from 'vitest';
import { isPolite } from '../../../../extension/session/peer-link.ts';

// Shaped like the relay's peer ids: 12 base64url characters (9 random bytes).
const IDS = ['AAAAAAAAAAAA', 'zzzzzzzzzzzz', 'Zzzzzzzzzzzz', '____________', '------------', '0aB_-9xYz012', 'a', 'ab', 'abc'];

describe('isPolite', () => {
  it('makes the peer with the lower id the polite one', () => {
    expect(isPolite('aaaa', 'bbbb')).toBe(true);
    expect(isPolite('bbbb', 'aaaa')).toBe(false);
  });

  it('makes exactly one side of every pair polite, so the two agree without a round trip', () => {
    for (const a of IDS) {
      for (const b of IDS) {
        if (a === b) continue;
        expect(isPolite(a, b), `${a} vs ${b}`).toBe(!isPolite(b, a));
      }
    }
  });

  it('agrees for random relay-shaped ids too', () => {
    for (let i = 0; i < 500; i++) {
      const a = Buffer.from(crypto.getRandomValues(new Uint8Array(9))).toString('base64url');
      const b = Buffer.from(crypto.getRandomValues(new Uint8Array(9))).toString('base64url');
      if (a === b) continue;
      expect(isPolite(a, b) !== isPolite(b, a)).toBe(true);
    }
  });

  it('orders by code unit, so upper case, digits, - and _ compare the same on both sides', () => {
    // '-' (45) < '0' (48) < 'A' (65) < '_' (95) < 'a' (97)
    expect(isPolite('-', '0')).toBe(true);
    expect(isPolite('0', 'A')).toBe(true);
    expect(isPolite('A', '_')).toBe(true);
    expect(isPolite('_', 'a')).toBe(true);
  });

  it('makes a shorter id that is a prefix of the other the polite one', () => {
    expect(isPolite('ab', 'abc')).toBe(true);
    expect(isPolite('abc', 'ab')).toBe(false);
  });
});
