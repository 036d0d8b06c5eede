// What peers send each other over RTCDataChannels, straight between browsers:
// the relay never sees these. Text frames are JSON and validated here like any
// other input; binary frames are file bytes (see the framing note below).
//
// Channels:
// - `chat`: one ordered, reliable channel per peer pair; carries `chat` frames only.
// - `file:<id>`: one ordered, reliable channel per transfer and receiving peer,
//   opened by the sender. It carries, in order:
//     sender → receiver: `file-offer`, then the file's bytes as binary frames, then `file-end`;
//     receiver → sender: `file-done` once the size and SHA-256 match;
//     either side, at most once: `file-failed` (an error, with the reason) or
//     `file-cancel` (a person's choice). Whoever hears the last word closes the channel.
//
// Why a channel per transfer and bare binary frames, no header: SCTP keeps each
// channel's messages in order and apart from every other channel's, so two
// transfers at once can never interleave, a chunk needs no id or offset, and
// cancelling one transfer is closing its channel. Channels are cheap: one SCTP
// stream each, up to 65535 per connection, and once the connection has the chat
// channel, opening more needs no renegotiation.
//
// Why the SHA-256 comes in `file-end` and not in the offer: hashing up front
// would read the whole file twice and delay the first byte by a full pass over
// it (seconds for 1 GB). Hashed as it is sent, the file is read once, a piece
// at a time, and never held in memory. The hash catches lost, extra or changed
// bytes (a bug, a cut-off stream); DTLS already authenticates the peer, so it is
// an integrity check, not a signature.

/**
 * 16 KiB of chat text, counted in UTF-8 bytes: a long paste fits, a flood does
 * not. Its frame may be larger than the 16 KiB file chunks (JSON escaping), which
 * is fine for one message: Chromium and Firefox both advertise a max-message-size
 * of at least 256 KiB, and MAX_TEXT_FRAME_CHARS stays below it.
 */
export const MAX_CHAT_TEXT_BYTES = 16 * 1024;

/**
 * The longest text frame parsed at all. The worst case is a chat message whose
 * every byte JSON escapes as `\u00XX` (6 characters), plus the other fields;
 * anything longer cannot be valid, so it is dropped before JSON.parse.
 */
export const MAX_TEXT_FRAME_CHARS = 6 * MAX_CHAT_TEXT_BYTES + 1024;

/** Longest file name kept: most file systems allow 255 bytes per name. */
export const MAX_FILE_NAME_LENGTH = 255;

/** Longest reason carried in a cancel or failure: enough for a sentence. */
export const MAX_REASON_LENGTH = 200;

/** Prefix of every file transfer channel's label; the rest is the transfer id. */
export const FILE_CHANNEL_PREFIX = 'file:';

/** Label of the chat channel, one per peer pair. */
export const CHAT_CHANNEL_LABEL = 'chat';

export type ChatMessage = { t: 'chat'; id: string; text: string; sentAt: number };

export type FileOffer = { t: 'file-offer'; id: string; name: string; size: number; mime: string };
export type FileEnd = { t: 'file-end'; id: string; sha256: string };
export type FileDone = { t: 'file-done'; id: string };
export type FileFailed = { t: 'file-failed'; id: string; reason: string };
export type FileCancel = { t: 'file-cancel'; id: string; reason: string };
export type FileControl = FileOffer | FileEnd | FileDone | FileFailed | FileCancel;

export type DataMessage = ChatMessage | FileControl;

/**
 * The part of RTCDataChannel these classes use, so Node tests can pass an
 * in-memory fake. A real RTCDataChannel satisfies it structurally.
 */
export interface Channel {
  readonly label: string;
  readonly readyState: RTCDataChannelState;
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  binaryType: BinaryType;
  send(data: string | ArrayBuffer): void;
  close(): void;
  addEventListener<K extends keyof ChannelEventMap>(type: K, listener: (ev: ChannelEventMap[K]) => void): void;
  removeEventListener<K extends keyof ChannelEventMap>(type: K, listener: (ev: ChannelEventMap[K]) => void): void;
}

export interface ChannelEventMap {
  // `unknown`: a peer can send anything, and with `binaryType` left as 'blob' a binary frame is a Blob.
  message: MessageEvent<unknown>;
  open: Event;
  close: Event;
  bufferedamountlow: Event;
}

/** The label of the channel that carries transfer `id`. */
export const fileChannelLabel = (id: string): string => FILE_CHANNEL_PREFIX + id;

/** The transfer id in a `file:<id>` label, or undefined if the label is not one. */
export function transferIdOfLabel(label: string): string | undefined {
  if (!label.startsWith(FILE_CHANNEL_PREFIX)) return undefined;
  const id = label.slice(FILE_CHANNEL_PREFIX.length);
  return isMessageId(id) ? id : undefined;
}

// crypto.randomUUID() makes every id; a peer's ids must look the same, which also bounds their length.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isMessageId = (v: unknown): v is string => typeof v === 'string' && UUID.test(v);

const SHA256_HEX = /^[0-9a-f]{64}$/;
// A plain `type/subtype`, as Blob.type would give; a peer's fancier value is dropped, not trusted.
const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$/;

const encoder = new TextEncoder();

/** UTF-8 length of `text`, the unit of MAX_CHAT_TEXT_BYTES. */
export const utf8Bytes = (text: string): number => encoder.encode(text).length;

/** Whether `v` can be one chat message: not blank, and at most MAX_CHAT_TEXT_BYTES of UTF-8. */
export const isChatText = (v: unknown): v is string =>
  typeof v === 'string' &&
  // Each UTF-16 unit is at least one UTF-8 byte, so a longer string is refused without encoding it.
  v.length <= MAX_CHAT_TEXT_BYTES &&
  utf8Bytes(v) <= MAX_CHAT_TEXT_BYTES &&
  /\S/.test(v);

/**
 * A file name safe to show and to offer as a download name: no path, no
 * control or bidi-override characters (which can disguise `exe.txt` as `txt.exe`), capped.
 */
export function cleanFileName(v: unknown): string {
  if (typeof v !== 'string') return 'file';
  const base = v.split(/[\\/]/).pop() ?? '';
  const clean = base
    .replace(/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g, '')
    .trim()
    .slice(0, MAX_FILE_NAME_LENGTH);
  return clean === '' || clean === '.' || clean === '..' ? 'file' : clean;
}

export const cleanMime = (v: unknown): string => (typeof v === 'string' && MIME.test(v.toLowerCase()) ? v.toLowerCase() : '');

const cleanReason = (v: unknown): string =>
  typeof v === 'string' ? v.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, MAX_REASON_LENGTH) : '';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isSize = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

export const encodeDataMessage = (msg: DataMessage): string => JSON.stringify(msg);

/** Parses one text frame from a peer; anything malformed is undefined and ignored by the caller. */
export function parseDataMessage(raw: string): DataMessage | undefined {
  if (raw.length > MAX_TEXT_FRAME_CHARS) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!isRecord(v) || !isMessageId(v.id)) return undefined;
  const id = v.id;
  switch (v.t) {
    case 'chat':
      return isChatText(v.text) && isTime(v.sentAt) ? { t: 'chat', id, text: v.text, sentAt: v.sentAt } : undefined;
    case 'file-offer':
      return isSize(v.size)
        ? { t: 'file-offer', id, name: cleanFileName(v.name), size: v.size, mime: cleanMime(v.mime) }
        : undefined;
    case 'file-end':
      return typeof v.sha256 === 'string' && SHA256_HEX.test(v.sha256) ? { t: 'file-end', id, sha256: v.sha256 } : undefined;
    case 'file-done':
      return { t: 'file-done', id };
    case 'file-failed':
      return { t: 'file-failed', id, reason: cleanReason(v.reason) || 'the peer could not verify the file' };
    case 'file-cancel':
      return { t: 'file-cancel', id, reason: cleanReason(v.reason) || 'cancelled' };
    default:
      return undefined;
  }
}
