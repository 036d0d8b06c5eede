// Splits chat text into plain text and links, for the chat panel to render as
// text nodes and <a href target="_blank" rel="noopener noreferrer"> elements,
// never as HTML. Only http: and https: become links: a peer's text must never
// yield a javascript:, data: or extension URL that runs in our page when clicked.
// Nor may it disguise a link: bidi controls are removed first (cleanChatText), so
// an override cannot show https://evil.example/moc.knab as a bank's address; the
// panel isolates each link as well, so even right-to-left text around it cannot
// reorder it.
import { cleanChatText } from '../../protocol/text.ts';

export type Segment = { kind: 'text'; text: string } | { kind: 'link'; href: string; text: string };

// A scheme at a word start (not inside `xhttps://`), then anything up to white
// space or a character that cannot appear unescaped in a URL and often wraps one.
const CANDIDATE = /(?<![\p{L}\p{N}_])https?:\/\/[^\s<>"`{}|\\^\u0000-\u001f\u007f]+/giu;

// Sentence punctuation after a URL belongs to the sentence: "see https://a.example/x."
const TRAILING = /[.,;:!?'’”*_~]$/u;
const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/**
 * Text and http(s) links, in order; adjacent text is one segment, and joining every `text` gives back
 * the input without its bidi and invisible controls (cleanChatText): received text is already clean,
 * and one's own is cleaned here.
 */
export function linkify(raw: string): Segment[] {
  const input = cleanChatText(raw);
  const segments: Segment[] = [];
  const pushText = (text: string) => {
    if (text === '') return;
    const last = segments.at(-1);
    if (last?.kind === 'text') last.text += text;
    else segments.push({ kind: 'text', text });
  };
  let consumed = 0;
  for (const match of input.matchAll(CANDIDATE)) {
    const start = match.index;
    const text = trimTrailing(match[0]);
    const href = httpHref(text);
    if (href === undefined) continue;
    pushText(input.slice(consumed, start));
    segments.push({ kind: 'link', href, text });
    consumed = start + text.length;
  }
  pushText(input.slice(consumed));
  return segments;
}

/** Drops trailing punctuation, and a closing bracket the URL did not open: "(see https://a.example/b)". */
function trimTrailing(url: string): string {
  for (;;) {
    const last = url.at(-1) ?? '';
    const opener = CLOSERS[last];
    if (TRAILING.test(url) || (opener !== undefined && count(url, opener) < count(url, last))) url = url.slice(0, -1);
    else return url;
  }
}

const count = (s: string, ch: string): number => s.split(ch).length - 1;

/** The normalised href if `text` is an http(s) URL with a host, else undefined. */
function httpHref(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined; // not a URL after all ("http://", "https://[oops"): it stays text
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' ? url.href : undefined;
}
