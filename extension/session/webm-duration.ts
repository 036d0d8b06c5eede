// MediaRecorder writes WebM as a live stream: the Segment's size is "unknown"
// and its Info has no Duration, so players show no length and a <video> says
// Infinity. Once the recording is over its length is known: this writes a
// Duration into Info. It rewrites only the file's first bytes (EBML header,
// Segment start, Info), which is all it reads; the rest is left as it is.
// Pure and bounded: it walks at most the bytes it is given and never throws.
//
// EBML in brief (RFC 8794; Matroska, RFC 9559): an element is an ID (1-4
// bytes, its length marker kept), a size as a variable-length integer (the
// first byte's leading zeros give the length; all ones after the marker
// means unknown), then that many bytes of data.

const EBML_HEADER = 0x1a45dfa3;
const SEGMENT = 0x18538067;
const INFO = 0x1549a966;
const TIMESTAMP_SCALE = 0x2ad7b1;
const DURATION = 0x4489;
/** Matroska's default TimestampScale: 1 ms in ns. */
const DEFAULT_SCALE_NS = 1_000_000;

export interface ElementHead {
  readonly id: number;
  /** Where the element starts (its ID's first byte). */
  readonly start: number;
  /** Where its data starts. */
  readonly dataStart: number;
  /** Its data's size in bytes; undefined where unknown (a live Segment or Cluster). */
  readonly size: number | undefined;
}

/** Reads the element whose ID starts at `at`; undefined where the bytes end first or are not EBML. */
export function readElementHead(bytes: Uint8Array, at: number): ElementHead | undefined {
  const first = bytes[at];
  if (first === undefined || first === 0) return undefined;
  const idLength = Math.clz32(first) - 23; // leading zeros within the byte, plus one
  if (idLength > 4 || at + idLength > bytes.length) return undefined;
  let id = 0;
  for (let i = 0; i < idLength; i++) id = id * 256 + (bytes[at + i] ?? 0);
  const sizeAt = at + idLength;
  const sizeFirst = bytes[sizeAt];
  if (sizeFirst === undefined || sizeFirst === 0) return undefined;
  const sizeLength = Math.clz32(sizeFirst) - 23;
  if (sizeAt + sizeLength > bytes.length) return undefined;
  let size = sizeFirst & (0xff >> sizeLength);
  let allOnes = size === 0xff >> sizeLength;
  for (let i = 1; i < sizeLength; i++) {
    const b = bytes[sizeAt + i] ?? 0;
    if (b !== 0xff) allOnes = false;
    size = size * 256 + b;
  }
  // Sizes beyond 2^53 cannot be real in a file a browser wrote; treat them like unknown.
  const known = !allOnes && Number.isSafeInteger(size);
  return { id, start: at, dataStart: sizeAt + sizeLength, size: known ? size : undefined };
}

/** The children of the element whose data spans [from, to), as far as `bytes` holds them. */
export function childrenOf(bytes: Uint8Array, from: number, to: number): ElementHead[] {
  const out: ElementHead[] = [];
  let at = from;
  while (at < Math.min(to, bytes.length)) {
    const head = readElementHead(bytes, at);
    if (!head || head.size === undefined) {
      if (head) out.push(head);
      break;
    }
    out.push(head);
    at = head.dataStart + head.size;
  }
  return out;
}

/** The children of [from, to) where they fill it exactly, each of known size; undefined otherwise (damaged or cut off). */
function exactChildren(bytes: Uint8Array, from: number, to: number): ElementHead[] | undefined {
  if (to > bytes.length) return undefined;
  const out = childrenOf(bytes, from, to);
  let at = from;
  for (const e of out) {
    if (e.start !== at || e.size === undefined) return undefined;
    at = e.dataStart + e.size;
  }
  return at === to ? out : undefined;
}

/** A size as an 8-byte EBML variable-length integer (room for any size, as MediaRecorder itself writes them). */
function sizeVint8(size: number): Uint8Array {
  const out = new Uint8Array(8);
  let rest = size;
  for (let i = 7; i >= 1; i--) {
    out[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  out[0] = 0x01 | rest; // below 2^53, so what is left fits beside the marker
  return out;
}

/**
 * An EBML unsigned integer: 1 to 8 bytes, all within `bytes`; undefined otherwise.
 * The bound matters: a damaged size can claim petabytes, and a loop over it never ends.
 */
function readUint(bytes: Uint8Array, from: number, size: number): number | undefined {
  if (size < 1 || size > 8 || from + size > bytes.length) return undefined;
  let v = 0;
  for (let i = 0; i < size; i++) v = v * 256 + (bytes[from + i] ?? 0);
  return v;
}

/**
 * `head` (the first bytes of a WebM file) with its Info's Duration set to
 * `durationMs`; undefined where it cannot be done safely: not WebM, Info not
 * within `head`, or a Segment of known size (a file some other writer
 * finished, where inserting bytes would break its offsets).
 */
export function withDuration(head: Uint8Array, durationMs: number): Uint8Array<ArrayBuffer> | undefined {
  if (!Number.isFinite(durationMs) || durationMs < 0) return undefined;
  const ebml = readElementHead(head, 0);
  if (ebml?.id !== EBML_HEADER || ebml.size === undefined) return undefined;
  const segment = readElementHead(head, ebml.dataStart + ebml.size);
  if (segment?.id !== SEGMENT || segment.size !== undefined) return undefined;
  // Info comes before the first Cluster; SeekHead or Void elements may precede it.
  const info = childrenOf(head, segment.dataStart, head.length).find((e) => e.id === INFO);
  if (!info || info.size === undefined || info.dataStart + info.size > head.length) return undefined;
  const fields = exactChildren(head, info.dataStart, info.dataStart + info.size);
  if (!fields) return undefined;
  const scaleField = fields.find((e) => e.id === TIMESTAMP_SCALE);
  const scale = scaleField?.size ? readUint(head, scaleField.dataStart, scaleField.size) : DEFAULT_SCALE_NS;
  if (scale === undefined || !(scale > 0)) return undefined;
  const duration = new Uint8Array(11);
  duration.set([0x44, 0x89, 0x88]); // Duration, size 8
  new DataView(duration.buffer).setFloat64(3, (durationMs * 1_000_000) / scale);
  // Info's data without any Duration it had, then the new one at its end.
  const kept = fields.filter((e) => e.id !== DURATION);
  const parts: Uint8Array[] = kept.map((e) => head.subarray(e.start, e.dataStart + (e.size ?? 0)));
  const infoData = new Uint8Array(parts.reduce((n, p) => n + p.length, 0) + duration.length);
  let at = 0;
  for (const p of parts) {
    infoData.set(p, at);
    at += p.length;
  }
  infoData.set(duration, at);
  const infoId = head.subarray(info.start, info.start + 4);
  const before = head.subarray(0, info.start);
  const after = head.subarray(info.dataStart + info.size);
  const size = sizeVint8(infoData.length);
  const out = new Uint8Array(before.length + infoId.length + size.length + infoData.length + after.length);
  out.set(before, 0);
  out.set(infoId, before.length);
  out.set(size, before.length + infoId.length);
  out.set(infoData, before.length + infoId.length + size.length);
  out.set(after, before.length + infoId.length + size.length + infoData.length);
  return out;
}

export interface WebmTracks {
  readonly video: number;
  readonly audio: number;
}

const TRACKS = 0x1654ae6b;
const TRACK_ENTRY = 0xae;
const TRACK_TYPE = 0x83;

/** How many video and audio tracks the WebM whose first bytes are `head` declares; undefined where it cannot tell. */
export function webmTracks(head: Uint8Array): WebmTracks | undefined {
  const ebml = readElementHead(head, 0);
  if (ebml?.id !== EBML_HEADER || ebml.size === undefined) return undefined;
  const segment = readElementHead(head, ebml.dataStart + ebml.size);
  if (segment?.id !== SEGMENT) return undefined;
  const tracks = childrenOf(head, segment.dataStart, head.length).find((e) => e.id === TRACKS);
  if (!tracks || tracks.size === undefined) return undefined;
  let video = 0;
  let audio = 0;
  for (const entry of childrenOf(head, tracks.dataStart, tracks.dataStart + tracks.size)) {
    if (entry.id !== TRACK_ENTRY || entry.size === undefined) continue;
    const type = childrenOf(head, entry.dataStart, entry.dataStart + entry.size).find((e) => e.id === TRACK_TYPE);
    const kind = type?.size ? readUint(head, type.dataStart, type.size) : undefined;
    if (kind === 1) video++;
    if (kind === 2) audio++;
  }
  return { video, audio };
}

/** The Duration in Info, in ms; undefined where there is none. */
export function webmDurationMs(head: Uint8Array): number | undefined {
  const ebml = readElementHead(head, 0);
  if (ebml?.id !== EBML_HEADER || ebml.size === undefined) return undefined;
  const segment = readElementHead(head, ebml.dataStart + ebml.size);
  if (segment?.id !== SEGMENT) return undefined;
  const info = childrenOf(head, segment.dataStart, head.length).find((e) => e.id === INFO);
  if (!info || info.size === undefined) return undefined;
  const fields = exactChildren(head, info.dataStart, info.dataStart + info.size);
  if (!fields) return undefined;
  const scaleField = fields.find((e) => e.id === TIMESTAMP_SCALE);
  const scale = scaleField?.size ? readUint(head, scaleField.dataStart, scaleField.size) : DEFAULT_SCALE_NS;
  if (scale === undefined || !(scale > 0)) return undefined;
  const d = fields.find((e) => e.id === DURATION);
  if (!d || (d.size !== 4 && d.size !== 8) || d.dataStart + d.size > head.length) return undefined;
  const view = new DataView(head.buffer, head.byteOffset + d.dataStart, d.size);
  const ticks = d.size === 8 ? view.getFloat64(0) : view.getFloat32(0);
  return (ticks * scale) / 1_000_000;
}
