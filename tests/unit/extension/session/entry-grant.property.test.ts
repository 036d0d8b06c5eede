// Properties of the entry-grant parsers: whatever storage or an address holds,
// a link, a token or nothing, never a throw; a grant vouches exactly until it expires.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ENTRY_GRANT_TTL_MS, entryGrant, entryTokenOf, newEntryToken, parseEntryGrant } from '../../../../extension/session/entry-grant.ts';
import { hostileString, jsonValue, RUNS } from '../../../support/arbitraries.ts';

const time = fc.integer({ min: 0, max: 2 ** 45 });

describe('parseEntryGrant', () => {
  it('never throws on anything stored, and gives a link or nothing', () => {
    const grantLike = fc.record(
      { href: fc.oneof(hostileString(), jsonValue), expiresAt: fc.oneof(fc.double(), jsonValue) },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.anything(), grantLike), fc.oneof(time, fc.double()), (v, now) => {
        const href = parseEntryGrant(v, now);
        if (href !== undefined) expect(href).toBe((v as { href: unknown }).href); // only a record with a string href gives one
      }),
      { numRuns: RUNS },
    );
  });

  it('vouches for a saved grant’s link before it expires, and never from then on', () => {
    fc.assert(
      fc.property(hostileString(), time, fc.integer({ min: -ENTRY_GRANT_TTL_MS, max: 2 * ENTRY_GRANT_TTL_MS }), (href, issued, later) => {
        const saved = JSON.parse(JSON.stringify(entryGrant(href, issued)));
        const now = issued + later;
        expect(parseEntryGrant(saved, now)).toBe(now < issued + ENTRY_GRANT_TTL_MS ? href : undefined);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('entryTokenOf', () => {
  it('never throws on any address, never reads a token on a web page, and reads only well-formed ones', () => {
    const search = fc.oneof(
      hostileString({ maxLength: 40 }),
      fc.oneof(hostileString({ maxLength: 30 }), fc.constant(newEntryToken())).map((t) => `?t=${t}`),
    );
    const protocol = fc.oneof(fc.constantFrom('http:', 'https:', 'chrome-extension:', 'moz-extension:'), hostileString({ maxLength: 8 }));
    fc.assert(
      fc.property(protocol, search, (p, s) => {
        const token = entryTokenOf({ protocol: p, search: s });
        if (p === 'http:' || p === 'https:') expect(token).toBeUndefined();
        if (token !== undefined) expect(token).toMatch(/^[A-Za-z0-9_-]{22}$/);
      }),
      { numRuns: RUNS },
    );
  });
});
