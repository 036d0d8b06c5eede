// Properties of the share-link parsers: whatever a person pastes or a page is
// opened with, a link or a refusal in words, never a throw; every link Zing
// builds comes back as it was, from the paste, the call page's fragment and
// every way a call page can be opened.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRoomId } from '../../../../protocol/ids.ts';
import { SECRET_PATTERN } from '../../../../extension/session/room-key.ts';
import {
  buildShareLink,
  callPageFragment,
  type LinkResult,
  linkFromCallPageHash,
  linkFromPageLocation,
  parseShareLink,
  type ShareLink,
} from '../../../../extension/session/share-link.ts';
import { hostileString, RUNS } from '../../../support/arbitraries.ts';

// A label of letters, digits and inner hyphens, except an `xx--` prefix: those are
// reserved for punycode (`xn--…`), and a bad punycode label is not a host at all.
const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/).filter((l) => l.slice(2, 4) !== '--');
const host = fc.oneof(
  fc
    .tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.stringMatching(/^[a-z]{2,6}$/))
    .map(([labels, tld]) => [...labels, tld].join('.')),
  fc.constantFrom('localhost', '127.0.0.1', '[::1]'),
);
const origin = fc
  .tuple(fc.constantFrom('http', 'https'), host, fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }))
  .map(([scheme, h, port]) => `${scheme}://${h}${port === undefined ? '' : `:${port}`}`);
const room = fc.stringMatching(/^[A-Za-z0-9_-]{16,64}$/);
const secret = fc.stringMatching(SECRET_PATTERN);
const link: fc.Arbitrary<ShareLink> = fc.tuple(origin, room, secret).map(([o, r, s]) => buildShareLink(o, r, s));

/** Text shaped like a link, in pieces that are each valid or not, so the parser's every check is reached. */
const linkLike = fc
  .tuple(
    fc.constantFrom('https://', 'http://', 'HTTPS://', 'ftp://', 'javascript:', 'chrome-extension://', ''),
    fc.oneof(host, hostileString({ maxLength: 10 })),
    fc.constantFrom('/r/', '/R/', '/', '/r', '/x/r/', '//r/'),
    fc.oneof(room, hostileString({ maxLength: 70 })),
    fc.constantFrom('', '/', '?x=1', '/extra'),
    fc.constantFrom('#', '', '##', '#%'),
    fc.oneof(
      secret,
      hostileString({ maxLength: 50 }),
      secret.map((s) => s.slice(1)),
    ),
  )
  .map((parts) => parts.join(''));
const anyText = fc.oneof(hostileString(), fc.webUrl({ withFragments: true, withQueryParameters: true }), linkLike);

/** A refusal is a sentence; a link is valid, in its normal form, and parses back to itself. */
function expectLinkResult(result: LinkResult): void {
  if (!result.ok) {
    expect(Object.keys(result).sort()).toEqual(['ok', 'reason']);
    expect(result.reason).toMatch(/^\S.*[.…]$/);
    return;
  }
  const { relayOrigin, room: r, secret: s, href } = result.link;
  expect(isRoomId(r)).toBe(true);
  expect(s).toMatch(SECRET_PATTERN);
  expect(new URL(relayOrigin).origin).toBe(relayOrigin);
  expect(relayOrigin).toMatch(/^https?:\/\//);
  expect(href).toBe(`${relayOrigin}/r/${r}#${s}`);
  expect(parseShareLink(href)).toEqual(result);
}

describe('parseShareLink', () => {
  it('never throws on any text, and gives a valid link or a reason in words', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        expectLinkResult(parseShareLink(text));
      }),
      { numRuns: RUNS },
    );
  });

  it('gives back every link Zing builds, white space around it forgiven', () => {
    const space = fc.string({ unit: fc.constantFrom(' ', '\n', '\t'), maxLength: 3 });
    fc.assert(
      fc.property(link, space, space, (l, before, after) => {
        expect(parseShareLink(before + l.href + after)).toEqual({ ok: true, link: l });
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses every link cut short, since the key is then shorter than its 43 characters', () => {
    fc.assert(
      fc.property(link, fc.nat(), (l, cut) => {
        const short = l.href.slice(0, cut % l.href.length);
        const result = parseShareLink(short);
        expectLinkResult(result);
        expect(result.ok).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on a link with one character changed, and takes it only in normal form', () => {
    fc.assert(
      fc.property(link, fc.nat(), hostileString({ minLength: 1, maxLength: 1 }), (l, at, char) => {
        const i = at % l.href.length;
        expectLinkResult(parseShareLink(l.href.slice(0, i) + char + l.href.slice(i + 1)));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('linkFromCallPageHash', () => {
  it('never throws on any fragment, and gives a valid link or a reason in words', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyText,
          anyText.map((t) => `#${t}`),
          link.map((l) => callPageFragment(l).slice(0, -3)),
        ),
        (hash) => {
          expectLinkResult(linkFromCallPageHash(hash));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('gives back every link from the fragment the popup opens the call page with', () => {
    fc.assert(
      fc.property(link, (l) => {
        expect(linkFromCallPageHash(callPageFragment(l))).toEqual({ ok: true, link: l });
      }),
      { numRuns: RUNS },
    );
  });
});

describe('linkFromPageLocation', () => {
  const location = (href: string) => {
    const url = new URL(href);
    return { protocol: url.protocol, pathname: url.pathname, search: url.search, hash: url.hash, href: url.href };
  };
  const callPage = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/src/call/index.html';

  it('never throws on any location, and gives a valid link or a reason in words', () => {
    const loc = fc.record({
      protocol: fc.oneof(fc.constantFrom('http:', 'https:', 'chrome-extension:', 'moz-extension:'), hostileString({ maxLength: 8 })),
      pathname: fc.oneof(
        fc.constantFrom('/r/', '/src/call/index.html'),
        room.map((r) => `/r/${r}`),
        hostileString({ maxLength: 30 }),
      ),
      search: fc.oneof(
        hostileString({ maxLength: 30 }),
        fc
          .tuple(fc.oneof(origin, hostileString({ maxLength: 20 })), fc.oneof(room, hostileString({ maxLength: 20 })))
          .map(([o, r]) => `?o=${o}&r=${r}`),
      ),
      hash: fc.oneof(
        hostileString({ maxLength: 60 }),
        secret.map((s) => `#${s}`),
        link.map(callPageFragment),
      ),
      href: anyText,
    });
    fc.assert(
      fc.property(loc, (l) => {
        expectLinkResult(linkFromPageLocation(l));
      }),
      { numRuns: RUNS },
    );
  });

  it('gives back every link, however the call page was opened: the relay page, a redirect, or the popup', () => {
    fc.assert(
      fc.property(link, (l) => {
        const expected = { ok: true, link: l };
        expect(linkFromPageLocation(location(l.href))).toEqual(expected);
        const redirect = `${callPage}?o=${encodeURIComponent(l.relayOrigin)}&r=${l.room}#${l.secret}`;
        expect(linkFromPageLocation(location(redirect))).toEqual(expected);
        expect(linkFromPageLocation(location(callPage + callPageFragment(l)))).toEqual(expected);
      }),
      { numRuns: RUNS },
    );
  });
});
