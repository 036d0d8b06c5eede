// What peers send each other over RTCDataChannels, straight between browsers:
// the relay never sees these. Text frames are JSON and validated here like any
// other input; binary frames are file bytes (see the framing note below).
//
// Channels:
// - `chat`: one ordered, reliable channel per peer pair; carries `chat` frames,
//   the gestures: `hand` (raised or lowered) and `reaction`, and `view`: how
//   the receiver shows the sender's videos (see below; its own parser,
//   parseViewMessage: parseDataMessage leaves it out), and `recording`
//   notices (the sender started or stopped recording the call).
// - `file:<id>`: one ordered, reliable channel per transfer and receiving peer,
//   opened by the sender. It carries, in order:
//     sender → receiver: `fileOffer`, and nothing more until the receiver answers;
//     receiver → sender: `fileAccept` (go ahead) or `fileDecline` (a last word, with the reason);
//     sender → receiver, once accepted: the file's bytes as binary frames, then `fileEnd`;
//     receiver → sender: `fileDone` once the size and block hash match;
//     either side, at most once: `fileFailed` (an error, with the reason) or
//     `fileCancel` (a person's choice). Whoever hears the last word closes the channel.
//
// Why the sender waits for `fileAccept` even when the receiver takes the file
// without asking its person: the receiver alone decides (its own size threshold,
// its count of recent offers, its room for unsaved files), so every offer takes
// the same path and a receiver never has to throw away bytes it did not want. A
// byte that arrives before the receiver's `fileAccept` is a protocol error. The
// wait costs one round trip per file.
//
// Why a channel per transfer and bare binary frames, no header: SCTP keeps each
// channel's messages in order and apart from every other channel's, so two
// transfers at once can never interleave, a chunk needs no id or offset, and
// cancelling one transfer is closing its channel. Channels are cheap: one SCTP
// stream each, up to 65535 per connection, and once the connection has the chat
// channel, opening more needs no renegotiation.
//
// Why the hash comes in `fileEnd` and not in the offer: hashing up front
// would read the whole file twice and delay the first byte by a full pass over
// it (seconds for 1 GB). Hashed as it is sent, the file is read once, a piece
// at a time, and never held in memory. The hash catches lost, extra or changed
// bytes (a bug, a cut-off stream); DTLS already authenticates the peer, so it is
// an integrity check, not a signature.
//
// Why a hand carries a Lamport stamp and no time: hands show in the order they
// went up, and that order must be the same at everyone. Clocks of different
// machines disagree by seconds or hours, so a time would let a fast clock jump
// the queue and two people would see different lines. Each participant keeps
// a counter, bumps it to stamp its own raise or lower, and moves it up to any
// stamp it receives: whoever raised after seeing a hand gets a higher stamp.
// Everyone sorts by (stamp, participant id), both of which travel with the
// hand, so everyone who has the same hands shows the same line.
//
// Why a receiver tells each sender how it shows them (`view`): in a mesh every
// sender encodes its camera once per link, so a link should carry no more than
// its receiver can show. Each receiver sends, per sender, the largest tile
// showing that sender's camera and screen, in device pixels (0×0: no tile of
// it is visible: tab hidden, window minimised, tile off-screen or covered), and
// the share of that sender's camera frames its decoder dropped lately. The
// sender sizes that link's encoding from it (extension/session/bandwidth.ts).
// It is the receiver's whole current view, not a change: the latest one wins,
// and it is sent again whenever the channel (re)opens.
//
// Why a block hash (the SHA-256 of the SHA-256s of each FILE_HASH_BLOCK_BYTES
// block, as Dropbox's content hash does with 4 MiB blocks) and not the file's
// own SHA-256: WebCrypto, the browsers' native and fast SHA-256, only digests
// whole buffers, and a file is never one buffer here (extension/session/block-hash.ts).
//
// Why a `recording` notice names nobody: it speaks only for its sender (the
// receiver knows who that is from the channel), so no peer can mark someone
// else as recording. It is a courtesy, not a proof: a peer can always record
// without saying so. It carries exactly `type` and `on`; anything more is not
// one. The recorder sends it when it starts and stops, and again to each
// newcomer while it runs; a closed channel means the sender stopped too.

import { isCount, isNonNegative, isRecord, parseJsonObject } from './guards.ts';
import { isMessageId } from './ids.ts';
import { cleanChatText, cleanFileName, cleanReason, utf8Bytes } from './text.ts';

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

/**
 * Bytes per block of a file's block hash (`fileEnd.blockSha256`); the last
 * block may be shorter, and an empty file has none (its hash is the SHA-256 of
 * nothing). Both sides must use the same size: it is part of the format.
 */
export const FILE_HASH_BLOCK_BYTES = 1024 * 1024;

/** Prefix of every file transfer channel's label; the rest is the transfer id. */
export const FILE_CHANNEL_PREFIX = 'file:';

/** Label of the chat channel, one per peer pair. */
export const CHAT_CHANNEL_LABEL = 'chat';

export type ChatMessage = { type: 'chat'; id: string; text: string; sentAt: number };

export type FileOffer = { type: 'fileOffer'; id: string; name: string; size: number; mime: string };
/** The receiver takes the offered file: the sender may start sending its bytes. */
export type FileAccept = { type: 'fileAccept'; id: string };
/** The receiver does not take it (its person said no, or it has no room): a last word, like `fileCancel`. */
export type FileDecline = { type: 'fileDecline'; id: string; reason: string };
/** All the bytes are sent; `blockSha256` is their block hash (FILE_HASH_BLOCK_BYTES), 64 lowercase hex digits. */
export type FileEnd = { type: 'fileEnd'; id: string; blockSha256: string };
export type FileDone = { type: 'fileDone'; id: string };
export type FileFailed = { type: 'fileFailed'; id: string; reason: string };
export type FileCancel = { type: 'fileCancel'; id: string; reason: string };
export type FileControl = FileOffer | FileAccept | FileDecline | FileEnd | FileDone | FileFailed | FileCancel;

/** The reactions a person can send, in the order the call page offers them. */
export const REACTIONS = ['thumbsUp', 'clap', 'laugh', 'heart', 'surprised'] as const;
export type Reaction = (typeof REACTIONS)[number];

/**
 * The highest hand stamp: a raise a second for 68 years. Counters stop here
 * rather than lose precision, so a peer sending a huge stamp cannot break
 * anyone's arithmetic; at the cap the order falls back to participant ids,
 * still the same everywhere.
 */
export const MAX_HAND_STAMP = 2 ** 31 - 1;

/** The sender's hand went up (or came down) at Lamport time `stamp`; see the note above. */
export type HandMessage = { type: 'hand'; raised: boolean; stamp: number };
export type ReactionMessage = { type: 'reaction'; reaction: Reaction };
/** Raised hands and reactions: small, frequent, for everyone in the call. */
export type GestureMessage = HandMessage | ReactionMessage;

/** The sender started (`on`) or stopped recording the call on its own computer; see the note above. */
export type RecordingNotice = { type: 'recording'; on: boolean };

export type DataMessage = ChatMessage | FileControl | GestureMessage | RecordingNotice;

/** A tile's size in device pixels; 0×0 where no tile of that video is visible. */
export interface ViewSize {
  width: number;
  height: number;
}

/** The receiver's view of one sender: see the note at the top. */
export type ViewMessage = { type: 'view'; camera: ViewSize; screen: ViewSize; dropped: number };

/** Wider or taller than any screen made (16K): a larger size is a peer lying, refused rather than believed. */
export const MAX_VIEW_PX = 16_384;

export const NOT_SHOWN: ViewSize = { width: 0, height: 0 };

const isViewPx = (v: unknown): v is number => isCount(v) && v <= MAX_VIEW_PX;

/** A size both of whose sides are whole pixels within MAX_VIEW_PX; a zero side means not shown (0×0). */
export function parseViewSize(v: unknown): ViewSize | undefined {
  if (!isRecord(v) || !isViewPx(v.width) || !isViewPx(v.height)) return undefined;
  return v.width === 0 || v.height === 0 ? NOT_SHOWN : { width: v.width, height: v.height };
}

/** A share of frames, 0..1. */
const isShare = (v: unknown): v is number => isNonNegative(v) && v <= 1;

/** The label of the channel that carries transfer `id`. */
export const fileChannelLabel = (id: string): string => FILE_CHANNEL_PREFIX + id;

/** The transfer id in a `file:<id>` label, or undefined if the label is not one. */
export function transferIdOfLabel(label: string): string | undefined {
  if (!label.startsWith(FILE_CHANNEL_PREFIX)) return undefined;
  const id = label.slice(FILE_CHANNEL_PREFIX.length);
  return isMessageId(id) ? id : undefined;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
// A plain `type/subtype`, as Blob.type would give; a peer's fancier value is dropped, not trusted.
const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$/;

/** Whether `v` can be one chat message: not blank, and at most MAX_CHAT_TEXT_BYTES of UTF-8. */
export const isChatText = (v: unknown): v is string =>
  typeof v === 'string' &&
  // Each UTF-16 unit is at least one UTF-8 byte, so a longer string is refused without encoding it.
  v.length <= MAX_CHAT_TEXT_BYTES &&
  utf8Bytes(v) <= MAX_CHAT_TEXT_BYTES &&
  /\S/.test(v);

export const isReaction = (v: unknown): v is Reaction => (REACTIONS as readonly unknown[]).includes(v);

export const isHandStamp = (v: unknown): v is number => isCount(v) && v >= 1 && v <= MAX_HAND_STAMP;

export const cleanMime = (v: unknown): string => (typeof v === 'string' && MIME.test(v.toLowerCase()) ? v.toLowerCase() : '');

export const encodeDataMessage = (msg: DataMessage): string => JSON.stringify(msg);

/** Parses one text frame from a peer; anything malformed is undefined and ignored by the caller. */
export function parseDataMessage(raw: string): DataMessage | undefined {
  if (raw.length > MAX_TEXT_FRAME_CHARS) return undefined;
  const parsed = parseJsonObject(raw);
  if (!parsed.ok) return undefined;
  const v = parsed.fields;
  // Gestures name no message: they stand for the sender's state, not one of many items.
  switch (v.type) {
    case 'hand':
      return typeof v.raised === 'boolean' && isHandStamp(v.stamp) ? { type: 'hand', raised: v.raised, stamp: v.stamp } : undefined;
    case 'reaction':
      return isReaction(v.reaction) ? { type: 'reaction', reaction: v.reaction } : undefined;
  }
  if (v.type === 'recording') return parseRecordingNotice(v);
  if (!isMessageId(v.id)) return undefined;
  const id = v.id;
  switch (v.type) {
    case 'chat': {
      // Cleaned before the check, so text that was only invisible controls is refused as blank.
      const text = typeof v.text === 'string' ? cleanChatText(v.text) : undefined;
      return isChatText(text) && isNonNegative(v.sentAt) ? { type: 'chat', id, text, sentAt: v.sentAt } : undefined;
    }
    case 'fileOffer':
      return isCount(v.size) ? { type: 'fileOffer', id, name: cleanFileName(v.name), size: v.size, mime: cleanMime(v.mime) } : undefined;
    case 'fileAccept':
      return { type: 'fileAccept', id };
    case 'fileDecline':
      return { type: 'fileDecline', id, reason: cleanReason(v.reason) || 'declined' };
    case 'fileEnd':
      return typeof v.blockSha256 === 'string' && SHA256_HEX.test(v.blockSha256)
        ? { type: 'fileEnd', id, blockSha256: v.blockSha256 }
        : undefined;
    case 'fileDone':
      return { type: 'fileDone', id };
    case 'fileFailed':
      return { type: 'fileFailed', id, reason: cleanReason(v.reason) || 'the peer could not verify the file' };
    case 'fileCancel':
      return { type: 'fileCancel', id, reason: cleanReason(v.reason) || 'cancelled' };
    default:
      return undefined;
  }
}

/** The longest `view` frame parsed at all: a valid one is under 150 characters. */
export const MAX_VIEW_FRAME_CHARS = 1024;

export const encodeViewMessage = (msg: ViewMessage): string => JSON.stringify(msg);

/**
 * Parses a text frame from the chat channel as a `view`; undefined for
 * anything else (a chat message, or garbage). Kept apart from
 * parseDataMessage because a view names no message id, and the chat and file
 * transfers never need to see one.
 */
export function parseViewMessage(raw: string): ViewMessage | undefined {
  if (raw.length > MAX_VIEW_FRAME_CHARS) return undefined;
  const parsed = parseJsonObject(raw);
  if (!parsed.ok || parsed.fields.type !== 'view') return undefined;
  const v = parsed.fields;
  const camera = parseViewSize(v.camera);
  const screen = parseViewSize(v.screen);
  if (!camera || !screen || !isShare(v.dropped)) return undefined;
  return { type: 'view', camera, screen, dropped: v.dropped };
}

function parseRecordingNotice(v: Record<string, unknown>): RecordingNotice | undefined {
  return typeof v.on === 'boolean' && Object.keys(v).length === 2 ? { type: 'recording', on: v.on } : undefined;
}
