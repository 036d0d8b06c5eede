// Text a peer chose (names, file names, reasons), made safe to show before anything else sees it.

/** Display names are capped so one person cannot flood everyone's tiles. */
export const MAX_NAME_LENGTH = 64;
/** Longest file name kept, in code points: most file systems allow 255 bytes per name. */
export const MAX_FILE_NAME_LENGTH = 255;
/** Longest reason carried in a cancel or failure, in code points: enough for a sentence. */
export const MAX_REASON_LENGTH = 200;

// Control characters (C0, DEL and C1, such as U+0085, a line break) and every bidi control: the
// overrides and isolates that can disguise `exe.txt` as `txt.exe`, and the invisible marks
// (U+200E, U+200F, U+061C) that would otherwise make a name that shows as nothing.
const UNSAFE = /[\p{Cc}\p{Bidi_Control}]/gu;
// Unicode's line and paragraph separators: not controls, but a browser breaks the line there.
const LINE_SEPARATORS = /[\u2028\u2029]/g;

/** The first `max` code points of `text`: a character outside the BMP is kept or dropped whole, never cut in two. */
const firstCodePoints = (text: string, max: number): string => (text.length <= max ? text : Array.from(text).slice(0, max).join(''));

/** A display name: white space collapsed, cut by code points so an emoji at the limit is kept or dropped whole. */
export const cleanName = (v: unknown): string =>
  typeof v === 'string' ? firstCodePoints(v.replace(UNSAFE, ' ').replace(/\s+/g, ' ').trim(), MAX_NAME_LENGTH).trim() : '';

/** A file name safe to show and to offer as a download name: no path, no control or bidi characters, capped. */
export function cleanFileName(v: unknown): string {
  if (typeof v !== 'string') return 'file';
  const base = v.split(/[\\/]/).pop() ?? '';
  // Trimmed again after the cut, or the cut could leave white space at the end that a second cleaning would remove.
  const clean = firstCodePoints(base.replace(UNSAFE, '').trim(), MAX_FILE_NAME_LENGTH).trim();
  return clean === '' || clean === '.' || clean === '..' ? 'file' : clean;
}

// In a chat message a line break is the sender's own, and a tab is white space; every other control goes.
const UNSAFE_IN_CHAT = /[^\P{Cc}\t\n]|\p{Bidi_Control}/gu;

/**
 * A chat message's text with every bidi control and invisible control removed, line breaks kept
 * (a carriage return, alone or before a line feed, becomes one line feed). Nothing else changes:
 * right-to-left letters set their own direction without the controls, so Arabic and Hebrew still read
 * right, while an override can no longer show `https://evil.example/moc.knab` as a bank's address.
 * Not capped: the caller checks the length.
 */
export const cleanChatText = (text: string): string => text.replace(/\r\n?/g, '\n').replace(UNSAFE_IN_CHAT, '');

/** A reason for a cancel or failure: one line, no bidi controls, capped. */
export const cleanReason = (v: unknown): string =>
  typeof v === 'string' ? firstCodePoints(v.replace(UNSAFE, ' ').replace(LINE_SEPARATORS, ' '), MAX_REASON_LENGTH) : '';

const encoder = new TextEncoder();

/** UTF-8 length of `text`. */
export const utf8Bytes = (text: string): number => encoder.encode(text).length;
