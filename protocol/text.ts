// Text a peer chose (names, file names, reasons), made safe to show before anything else sees it.

/** Display names are capped so one person cannot flood everyone's tiles. */
export const MAX_NAME_LENGTH = 64;
/** Longest file name kept: most file systems allow 255 bytes per name. */
export const MAX_FILE_NAME_LENGTH = 255;
/** Longest reason carried in a cancel or failure: enough for a sentence. */
export const MAX_REASON_LENGTH = 200;

// C0 controls, DEL, and the bidi overrides and isolates that can disguise `exe.txt` as `txt.exe`.
const UNSAFE = /[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g;

/** A display name: white space collapsed, cut by code points so an emoji at the limit is kept or dropped whole. */
export const cleanName = (v: unknown): string =>
  typeof v === 'string' ? Array.from(v.replace(UNSAFE, ' ').replace(/\s+/g, ' ').trim()).slice(0, MAX_NAME_LENGTH).join('').trim() : '';

/** A file name safe to show and to offer as a download name: no path, no control or bidi-override characters, capped. */
export function cleanFileName(v: unknown): string {
  if (typeof v !== 'string') return 'file';
  const base = v.split(/[\\/]/).pop() ?? '';
  const clean = base.replace(UNSAFE, '').trim().slice(0, MAX_FILE_NAME_LENGTH);
  return clean === '' || clean === '.' || clean === '..' ? 'file' : clean;
}

/** A reason for a cancel or failure: one line, capped. */
export const cleanReason = (v: unknown): string =>
  typeof v === 'string' ? v.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, MAX_REASON_LENGTH) : '';

const encoder = new TextEncoder();

/** UTF-8 length of `text`. */
export const utf8Bytes = (text: string): number => encoder.encode(text).length;
