import { describe, expect, it } from 'vitest';
import { decideEntry, type EntryFacts, type EntryResult } from '../../../../extension/session/entry.ts';
import { buildShareLink } from '../../../../extension/session/share-link.ts';
import { ROOM, SECRET, RELAY, LINK, CALL_PAGE, at, popupShape } from './entry-fixtures.ts';

/** The call page as the share-link redirect opens it: relay and room in the query, the key carried over in the fragment. */
const redirectShape = (origin = RELAY) => at(`${CALL_PAGE}?o=${encodeURIComponent(origin)}&r=${ROOM}#${SECRET}`);

const facts = (over: Partial<EntryFacts>): EntryFacts => ({
  location: popupShape(),
  vouchedHref: undefined,
  framed: false,
  usualRelay: RELAY,
  ...over,
});

function entryOf(result: EntryResult) {
  if (!result.ok) throw new Error(`expected an entry, got: ${result.reason}`);
  return result.entry;
}

describe('decideEntry', () => {
  it('goes straight in when Zing’s own UI vouched for exactly this link', () => {
    const entry = entryOf(decideEntry(facts({ vouchedHref: LINK.href })));
    expect(entry.mode).toBe('direct');
    expect(entry.link.href).toBe(LINK.href);
  });

  it('shows the gate for a page opened without any vouching, in the popup’s address shape', () => {
    expect(entryOf(decideEntry(facts({}))).mode).toBe('prejoin');
  });

  it('shows the gate for a share link redirected into the call page, key intact', () => {
    const entry = entryOf(decideEntry(facts({ location: redirectShape() })));
    expect(entry.mode).toBe('prejoin');
    expect(entry.link.href).toBe(LINK.href);
  });

  it('shows the gate when the vouched link is another call than the one in the address', () => {
    const other = buildShareLink(RELAY, 'ZyXwVuTsRqPoNmLkJiHg_-', SECRET);
    expect(entryOf(decideEntry(facts({ location: popupShape(undefined, other), vouchedHref: LINK.href }))).mode).toBe('prejoin');
  });

  it('always shows the gate on the relay’s guest page, whatever it was given', () => {
    const entry = entryOf(decideEntry(facts({ location: at(LINK.href), vouchedHref: LINK.href })));
    expect(entry.mode).toBe('prejoin');
    expect(entry.usualRelay).toBeUndefined();
  });

  it('says whether the link’s relay is the person’s usual one', () => {
    expect(entryOf(decideEntry(facts({}))).usualRelay).toBe(true);
    expect(entryOf(decideEntry(facts({ usualRelay: `${RELAY}/` }))).usualRelay).toBe(true);
    expect(entryOf(decideEntry(facts({ usualRelay: 'https://other.example' }))).usualRelay).toBe(false);
    expect(entryOf(decideEntry(facts({ usualRelay: 'http://relay.example' }))).usualRelay).toBe(false);
  });

  it('refuses to run inside another page’s frame, vouched or not', () => {
    const result = decideEntry(facts({ framed: true, vouchedHref: LINK.href }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain('tab of their own');
  });

  it('names a damaged link as not valid', () => {
    const result = decideEntry(facts({ location: at(`${CALL_PAGE}#garbage`) }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/^This call link is not valid\./);
  });
});
