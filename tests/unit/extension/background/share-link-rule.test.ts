// The rule is checked with JavaScript's RegExp; Chromium evaluates regexFilter
// with RE2, which lacks lookaround and backreferences and caps a compiled
// pattern at 2 KB. The pattern uses only syntax both share, asserted below.
import { describe, expect, it } from 'vitest';
import { SHARE_LINK_RULE_ID, shareLinkRule, shareLinkRuleUpdate } from '../../../../extension/background/share-link-rule.ts';

const CALL_PAGE = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/extension/call/index.html';
const ROOM = 'Zq3xYt8kL0mN_p-RsT4uVw';

/** What the browser does with a matching URL: regexSubstitution with \1, \2 replaced by the groups (an unmatched one by nothing). */
function redirect(origin: string, url: string): string | undefined {
  const rule = shareLinkRule(origin, CALL_PAGE);
  const m = new RegExp(rule.condition.regexFilter).exec(url);
  if (!m) return undefined;
  return rule.action.redirect.regexSubstitution.replace(/\\(\d)/g, (_, i: string) => m[Number(i)] ?? '');
}

describe('shareLinkRule', () => {
  for (const origin of ['https://relay.example', 'http://127.0.0.1:8787', 'https://zing.example.com:8443']) {
    describe(`for ${origin}`, () => {
      it('matches a share link and carries the room to the call page', () => {
        const target = redirect(origin, `${origin}/r/${ROOM}`);
        expect(target).toBeDefined();
        const url = new URL(target!);
        // Node gives non-special schemes an opaque origin, so compare the text before the query.
        expect(target!.split('?')[0]).toBe(CALL_PAGE);
        expect(url.searchParams.get('o')).toBe(origin);
        expect(url.searchParams.get('r')).toBe(ROOM);
      });

      it('does not match other paths of the relay', () => {
        for (const path of ['/', '/healthz', `/x/${ROOM}`, '/r/', `/R/${ROOM}`, `/rr/${ROOM}`, `/api/r/${ROOM}`]) {
          expect(redirect(origin, `${origin}${path}`)).toBeUndefined();
        }
      });

      it('does not match the same path on other origins', () => {
        const u = new URL(origin);
        const others = [
          `${u.protocol === 'https:' ? 'http:' : 'https:'}//${u.host}`,
          `${u.protocol}//evil.example`,
          `${u.protocol}//${u.host}.evil.example`,
          `${u.protocol}//evil-${u.host}`,
          `${u.protocol}//${u.hostname}:1${u.port || '443'}`,
          // Dots are literal: a look-alike host with any character in their place is another origin.
          `${u.protocol}//${u.host.replace(/\./g, 'x')}`,
        ];
        for (const other of others) expect(redirect(origin, `${other}/r/${ROOM}`)).toBeUndefined();
      });

      it('does not match the origin somewhere later in another URL', () => {
        expect(redirect(origin, `https://evil.example/?next=${origin}/r/${ROOM}`)).toBeUndefined();
        expect(redirect(origin, `https://evil.example/${origin}/r/${ROOM}`)).toBeUndefined();
      });
    });
  }

  it('takes only the room characters into the redirect, stopping at the first other one', () => {
    const origin = 'https://relay.example';
    // No trailing `$`: Chromium never matched with one (FIELD-NOTES); the room ends where its characters do.
    expect(new URL(redirect(origin, `${origin}/r/${ROOM}/extra`)!).searchParams.get('r')).toBe(ROOM);
    expect(new URL(redirect(origin, `${origin}/r/${ROOM}?utm=x`)!).searchParams.get('r')).toBe(ROOM);
    expect(new URL(redirect(origin, `${origin}/r/${ROOM}%22%3E`)!).searchParams.get('r')).toBe(ROOM);
  });

  it('puts the call page URL, the encoded relay origin, the room and the fragment in the substitution', () => {
    const rule = shareLinkRule('http://127.0.0.1:8787', CALL_PAGE);
    expect(rule.action.redirect.regexSubstitution).toBe(`${CALL_PAGE}?o=${encodeURIComponent('http://127.0.0.1:8787')}&r=\\1\\2`);
    expect(rule.action.type).toBe('redirect');
  });

  describe('the key in the fragment', () => {
    const origin = 'https://relay.example';
    const KEY = `${'k'.repeat(40)}_-9`;

    it('is carried into the redirect where the browser matches the URL with its fragment (Firefox)', () => {
      const target = redirect(origin, `${origin}/r/${ROOM}#${KEY}`)!;
      expect(new URL(target).hash).toBe(`#${KEY}`);
      expect(new URL(target).searchParams.get('r')).toBe(ROOM);
    });

    it('survives a query or extra path between the room and the fragment', () => {
      for (const tail of ['?utm_source=chat', '/', '/extra?x=1']) {
        const target = new URL(redirect(origin, `${origin}/r/${ROOM}${tail}#${KEY}`)!);
        expect(target.hash).toBe(`#${KEY}`);
        expect(target.searchParams.get('r')).toBe(ROOM);
        expect([...target.searchParams.keys()]).toEqual(['o', 'r']);
      }
    });

    it('adds no fragment where the browser matches the URL without one (Chromium, which carries the original over)', () => {
      expect(new URL(redirect(origin, `${origin}/r/${ROOM}`)!).hash).toBe('');
      expect(new URL(redirect(origin, `${origin}/r/${ROOM}?utm=x`)!).hash).toBe('');
    });
  });

  it('redirects top-level navigations only, under the one rule id', () => {
    const rule = shareLinkRule('https://relay.example', CALL_PAGE);
    expect(rule.id).toBe(SHARE_LINK_RULE_ID);
    expect(rule.condition.resourceTypes).toEqual(['main_frame']);
  });

  it('uses only syntax RE2 accepts and stays small: no lookaround, backreferences, bounded repeats or `$`', () => {
    const filter = shareLinkRule('https://zing.example.com:8443', CALL_PAGE).condition.regexFilter;
    expect(filter.startsWith('^')).toBe(true);
    expect(filter).not.toMatch(/\(\?[=!<]/);
    expect(filter).not.toMatch(/\\[1-9]/);
    expect(filter).not.toMatch(/\{\d+(,\d*)?\}/);
    expect(filter.endsWith('$')).toBe(false);
    expect(filter.length).toBeLessThan(200);
    expect((filter.match(/\(/g) ?? []).length).toBe(2);
  });

  it('matches case-sensitively, as room ids are', () => {
    expect(shareLinkRule('https://relay.example', CALL_PAGE).condition.isUrlFilterCaseSensitive).toBe(true);
  });
});

describe('shareLinkRuleUpdate', () => {
  const origin = 'https://relay.example';

  it('puts the relay’s rule in place of the old one where Zing may access the relay', () => {
    expect(shareLinkRuleUpdate(origin, CALL_PAGE, true)).toEqual({
      removeRuleIds: [SHARE_LINK_RULE_ID],
      addRules: [shareLinkRule(origin, CALL_PAGE)],
    });
  });

  it('takes the old rule away and adds none without that access: the browser would ignore it', () => {
    expect(shareLinkRuleUpdate(origin, CALL_PAGE, false)).toEqual({ removeRuleIds: [SHARE_LINK_RULE_ID], addRules: [] });
  });
});
