import { describe, expect, it } from 'vitest';
import { linkify, type Segment } from '../../../../extension/call/linkify.ts';

const text = (t: string): Segment => ({ kind: 'text', text: t });
const link = (t: string, href = t): Segment => ({ kind: 'link', href, text: t });

describe('linkify', () => {
  it('returns no segments for empty text', () => {
    expect(linkify('')).toEqual([]);
  });

  it('returns plain text as one text segment', () => {
    expect(linkify('no links here')).toEqual([text('no links here')]);
  });

  it('finds an https link in the middle of a sentence', () => {
    expect(linkify('see https://example.com/a?b=1#c now')).toEqual([text('see '), link('https://example.com/a?b=1#c'), text(' now')]);
  });

  it('finds an http link that is the whole message', () => {
    expect(linkify('http://example.com/')).toEqual([link('http://example.com/')]);
  });

  it('finds several links', () => {
    expect(linkify('https://a.example and https://b.example')).toEqual([
      link('https://a.example', 'https://a.example/'),
      text(' and '),
      link('https://b.example', 'https://b.example/'),
    ]);
  });

  it('recognises an upper-case scheme and normalises the href', () => {
    expect(linkify('HTTPS://Example.COM/x')).toEqual([link('HTTPS://Example.COM/x', 'https://example.com/x')]);
  });

  it.each([
    ['a full stop', 'go to https://example.com/page.', 'https://example.com/page', '.'],
    ['a comma', 'https://example.com/a, then', 'https://example.com/a', ', then'],
    ['a question mark and an exclamation mark', 'was it https://example.com/?!', 'https://example.com/', '?!'],
    ['a colon', 'https://example.com/x: the page', 'https://example.com/x', ': the page'],
    ['a closing quote', '“https://example.com/q”', 'https://example.com/q', '”'],
  ])('leaves out trailing punctuation: %s', (_name, input, url, after) => {
    const segments = linkify(input);
    expect(segments).toContainEqual(link(url));
    expect(segments.at(-1)).toEqual(text(after));
  });

  it('leaves out a closing parenthesis the link did not open', () => {
    expect(linkify('(see https://example.com/a)')).toEqual([text('(see '), link('https://example.com/a'), text(')')]);
  });

  it('keeps balanced parentheses that belong to the link', () => {
    expect(linkify('https://en.wikipedia.org/wiki/Pascal_(unit).')).toEqual([
      link('https://en.wikipedia.org/wiki/Pascal_(unit)'),
      text('.'),
    ]);
  });

  it('ends a link at an angle bracket or quote', () => {
    expect(linkify('<https://example.com/x>')).toEqual([text('<'), link('https://example.com/x'), text('>')]);
    expect(linkify('"https://example.com/x"')).toEqual([text('"'), link('https://example.com/x'), text('"')]);
  });

  it.each([
    'javascript:alert(1)',
    'JavaScript://%0aalert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox',
    'file:///etc/passwd',
    'chrome-extension://abc/call.html',
    'ftp://example.com/file',
    'mailto:a@example.com',
  ])('never makes a link of %s', (input) => {
    expect(linkify(input)).toEqual([text(input)]);
    expect(linkify(`click ${input} here`).every((s) => s.kind === 'text')).toBe(true);
  });

  it('does not start a link inside a word', () => {
    expect(linkify('xhttps://example.com')).toEqual([text('xhttps://example.com')]);
    expect(linkify('javascript:https://example.com').some((s) => s.kind === 'link' && s.href.startsWith('javascript'))).toBe(false);
  });

  it('leaves a scheme without a host as text', () => {
    expect(linkify('http:// and https://')).toEqual([text('http:// and https://')]);
  });

  it('leaves an unparseable URL as text', () => {
    expect(linkify('https://[oops/')).toEqual([text('https://[oops/')]);
  });

  it('percent-encodes characters in the href but shows the text as typed', () => {
    expect(linkify('https://example.com/ü')).toEqual([link('https://example.com/ü', 'https://example.com/%C3%BC')]);
  });

  it('gives no bidi control back, so an override cannot show a link as another address', () => {
    const segments = linkify('pay here: \u202ehttps://evil.example/moc.knab.www//:sptth and https://a.example/\u202ex\u2067y');
    expect(segments).toEqual([
      text('pay here: '),
      link('https://evil.example/moc.knab.www//:sptth'),
      text(' and '),
      link('https://a.example/xy'),
    ]);
    expect(segments.map((s) => s.text + (s.kind === 'link' ? s.href : '')).join('')).not.toMatch(/\p{Bidi_Control}/u);
  });

  it('keeps Arabic text and a link after it, without the marks among them', () => {
    expect(linkify('\u200fاقرأ \u2066https://example.com/\u2069 هنا\u200f')).toEqual([
      text('اقرأ '),
      link('https://example.com/'),
      text(' هنا'),
    ]);
  });

  it('gives back the input when the segments’ text is joined', () => {
    const input = 'a (https://x.example/y), b https://z.example/?q=1. javascript:alert(1) “https://q.example”!';
    expect(
      linkify(input)
        .map((s) => s.text)
        .join(''),
    ).toBe(input);
  });
});
