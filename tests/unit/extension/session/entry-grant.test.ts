// The one-time tokens and grants by which Zing's own UI vouches for a call page.
import { describe, expect, it } from 'vitest';
import {
  ENTRY_GRANT_TTL_MS,
  entryGrant,
  entryTokenOf,
  newEntryToken,
  parseEntryGrant,
  vouchedByReload,
} from '../../../../extension/session/entry-grant.ts';
import { SECRET, LINK, CALL_PAGE, at, popupShape } from './entry-fixtures.ts';

describe('entry tokens', () => {
  it('are 22 base64url characters (128 bits) and differ every time', () => {
    const a = newEntryToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(newEntryToken()).not.toBe(a);
  });

  it('are read from the call page’s t parameter only when well formed', () => {
    const token = newEntryToken();
    expect(entryTokenOf(popupShape(token))).toBe(token);
    expect(entryTokenOf(popupShape())).toBeUndefined();
    expect(entryTokenOf(at(`${CALL_PAGE}?t=short#x`))).toBeUndefined();
    expect(entryTokenOf(at(`${CALL_PAGE}?t=${token}x#x`))).toBeUndefined();
  });

  it('are never read on the relay’s guest page', () => {
    expect(entryTokenOf(at(`${LINK.href.split('#')[0]}?t=${newEntryToken()}#${SECRET}`))).toBeUndefined();
  });

  it('vouch for their link until the grant expires, and not after', () => {
    const grant = entryGrant(LINK.href, 1_000);
    expect(parseEntryGrant(grant, 1_000)).toBe(LINK.href);
    expect(parseEntryGrant(grant, 1_000 + ENTRY_GRANT_TTL_MS - 1)).toBe(LINK.href);
    expect(parseEntryGrant(grant, 1_000 + ENTRY_GRANT_TTL_MS)).toBeUndefined();
  });

  it('vouch for nothing when the stored grant is missing or malformed', () => {
    for (const v of [undefined, null, 'x', {}, { href: LINK.href }, { href: 1, expiresAt: 2e12 }, { href: LINK.href, expiresAt: '2e12' }]) {
      expect(parseEntryGrant(v, 0)).toBeUndefined();
    }
  });
});

describe('vouchedByReload', () => {
  it('keeps a vouched tab in the call when the person reloads it', () => {
    expect(vouchedByReload('reload', LINK.href)).toBe(LINK.href);
  });

  it('vouches for nothing on any other kind of navigation, or in a tab never vouched for', () => {
    for (const type of ['navigate', 'back_forward', 'prerender', undefined]) expect(vouchedByReload(type, LINK.href)).toBeUndefined();
    expect(vouchedByReload('reload', null)).toBeUndefined();
  });
});
