// What participants say to each other through the relay, inside its opaque
// `data`: the sealed signaling payloads. The relay never parses these; the
// receiving peer opens the envelope (extension/session/envelope.ts), checks
// the signature (extension/session/sealed-signaling.ts) and then validates
// the plaintext here like any other input.
//
// ## Layers (version 2, issue 13)
//
//   data      = scope "." base64url(iv ‖ AES-256-GCM(room key, pad(plaintext), aad = header))
//   scope     = "b" (to everyone else) | "d" (to one relay address)
//   header    = "zing/v2|" room "|" from-peer "|" (to-peer | "*")
//   plaintext = signature "." body
//   signature = base64url(Ed25519(sender's identity key, header "\n" body))
//   body      = JSON {from, session, to, toSession, seq, key?, msg}
//
// Sign, then seal. The room key keeps everything from the relay (it sees
// neither names nor participant ids nor who signed); the signature keeps
// every other link holder from speaking as someone else. The signature covers
// the relay header too, so a link holder who opens a genuine message cannot
// re-seal it from their own relay address, and the body names the recipient
// (participant and page session), so a directed message cannot be passed on
// to anyone else: the classic flaw of sign-then-encrypt, closed.
//
// - `from` is the base64url SHA-256 of the sender's public key (SPKI), which
//   `key` carries in every hello, welcome and presence. A receiver pins the
//   key at first sight; the derivation makes any claimed pair checkable, so
//   nobody can sign for an id whose key they do not hold.
// - `session` is the sender's page session (16 random bytes per page load),
//   `seq` a counter that only grows within it: a receiver refuses any `seq`
//   not above the last it accepted from that participant.
// - `to`/`toSession` name the recipient's participant id and page session,
//   or `*` for a message to whoever receives it (hello, presence).
//
// ## Handshake: nobody appears on the strength of an old message
//
// A broadcast cannot name its receivers, so a relay could record one and
// replay it into a page that opens later (a newcomer, a reload), which has no
// memory of sequence numbers. So a broadcast earns an answer, never a tile:
//
// 1. `hello` (broadcast on each join, or to one relay address that just
//    joined or has not answered yet): presence and key; bound to no session.
// 2. `welcome`: the answer to any hello, bound to the hello's `session`, with
//    presence, key and the sender's commitment for the safety code. It can
//    only have been signed after the receiving page began: a welcome bound
//    to my session puts its sender on my roster. If I have not yet sent that
//    sender a welcome, I send one back: hello, welcome, welcome admits both.
//    A replayed hello from someone gone earns a welcome nobody answers.
//    `fresh` (in the first welcome after the sender took the receiver for
//    gone, once: their computer slept past the relay's patience) says the
//    sender closed its link to them and starts a new one. A link the
//    receiver kept from before cannot carry media again (DTLS does not
//    restart for a certificate it already has), so the receiver starts one
//    over too, at once (at most LINK_REBUILDS allows: call-session.ts).
// 3. `reveal`: bound; sent once each side has the other's welcome, so each
//    side's commitment was fixed before it saw the other's salt.
// 4. `presence` (a change; to everyone), `description` and `candidate`
//    (bound): taken only from participants on the roster.
//
// Sealed payloads are padded to size buckets (1 KiB, then powers of two), so
// hellos, welcomes, presence changes and candidates all look alike to the relay.
import { isCount, isRecord, parseJsonObject } from './guards.ts';
import { isParticipantId, isSessionId, type ParticipantId, type SessionId } from './ids.ts';
import { cleanName } from './text.ts';

export interface Presence {
  name: string;
  micMuted: boolean;
  cameraOff: boolean;
  screenSharing: boolean;
}

/** An ICE candidate as it travels: RTCIceCandidateInit without the DOM (protocol/ has none). */
export interface IceCandidate {
  candidate: string;
  sdpMid?: string;
  sdpMLineIndex?: number;
  usernameFragment?: string;
}

export interface SessionDescription {
  type: 'offer' | 'answer';
  sdp: string;
}

export type PeerMessage =
  /** I am here; answer with a welcome. Proves nothing about when it was said. */
  | ({ type: 'hello' } & Presence)
  /** I am here now (bound to your session); `commit` fixes my part of our safety code; `fresh`: I took you for gone, and my link to you is new. */
  | ({ type: 'welcome'; commit: string; fresh: boolean } & Presence)
  /** My presence changed. */
  | ({ type: 'presence' } & Presence)
  /** The salt behind my commitment, now that we both committed. */
  | { type: 'reveal'; salt: string }
  | { type: 'description'; description: SessionDescription }
  | { type: 'candidate'; candidate: IceCandidate };

export type PeerMessageType = PeerMessage['type'];

/** Messages that must name their receiver's participant id and session; any other copy is refused. */
export const mustBeBound = (type: PeerMessageType): boolean => type !== 'hello' && type !== 'presence';
/** Messages that carry the sender's public key; later ones rely on the pin. */
export const carriesKey = (type: PeerMessageType): boolean => type === 'hello' || type === 'welcome' || type === 'presence';

/** 32 bytes in base64url: a commitment or a salt for the safety code. */
const DIGEST = /^[A-Za-z0-9_-]{43}$/;
export const isDigest = (v: unknown): v is string => typeof v === 'string' && DIGEST.test(v);

export const encodePeerMessage = (msg: PeerMessage): string => JSON.stringify(msg);

/** Parses one payload from a peer; anything malformed is undefined and ignored by the caller. */
export function parsePeerMessage(raw: string): PeerMessage | undefined {
  const parsed = parseJsonObject(raw);
  return parsed.ok ? peerMessageOf(parsed.fields) : undefined;
}

function presenceOf(v: Record<string, unknown>): Presence | undefined {
  return typeof v.micMuted === 'boolean' && typeof v.cameraOff === 'boolean'
    ? { name: cleanName(v.name) || 'Guest', micMuted: v.micMuted, cameraOff: v.cameraOff, screenSharing: v.screenSharing === true }
    : undefined;
}

function peerMessageOf(v: Record<string, unknown>): PeerMessage | undefined {
  switch (v.type) {
    case 'hello':
    case 'presence': {
      const p = presenceOf(v);
      return p && { type: v.type, ...p };
    }
    case 'welcome': {
      const p = presenceOf(v);
      // A page from before `fresh` sends none: its links are taken as kept.
      return p && isDigest(v.commit) ? { type: 'welcome', commit: v.commit, fresh: v.fresh === true, ...p } : undefined;
    }
    case 'reveal':
      return isDigest(v.salt) ? { type: 'reveal', salt: v.salt } : undefined;
    case 'description': {
      const d = v.description;
      return isRecord(d) && (d.type === 'offer' || d.type === 'answer') && typeof d.sdp === 'string'
        ? { type: 'description', description: { type: d.type, sdp: d.sdp } }
        : undefined;
    }
    case 'candidate': {
      const c = v.candidate;
      if (!isRecord(c) || typeof c.candidate !== 'string') return undefined;
      const candidate: IceCandidate = { candidate: c.candidate };
      if (typeof c.sdpMid === 'string') candidate.sdpMid = c.sdpMid;
      if (isCount(c.sdpMLineIndex)) candidate.sdpMLineIndex = c.sdpMLineIndex;
      if (typeof c.usernameFragment === 'string') candidate.usernameFragment = c.usernameFragment;
      return { type: 'candidate', candidate };
    }
    default:
      return undefined;
  }
}

/** `to` and `toSession` of a message for whoever receives it. */
export const ANYONE = '*';

/** A public key as it travels: base64url SPKI (Ed25519's is 44 bytes, 59 characters). */
const PUBLIC_KEY = /^[A-Za-z0-9_-]{40,200}$/;
export const isPublicKeyText = (v: unknown): v is string => typeof v === 'string' && PUBLIC_KEY.test(v);

/** The signed body inside one sealed envelope (see "Layers" above). */
export interface SealedPayload {
  /** The sender: the hash of `key`. */
  from: ParticipantId;
  /** The sender's page session. */
  session: SessionId;
  /** The receiver, or ANYONE. */
  to: ParticipantId | typeof ANYONE;
  /** The receiver's page session, or ANYONE (exactly where `to` is). */
  toSession: SessionId | typeof ANYONE;
  /** Counts up from 1 within the sender's session; never repeats. */
  seq: number;
  /** The sender's public key (base64url SPKI); present in hello, welcome and presence. */
  key?: string;
  msg: PeerMessage;
}

/** The body's text; its fields always in this order. */
export const encodeSealedPayload = (p: SealedPayload): string =>
  JSON.stringify({
    from: p.from,
    session: p.session,
    to: p.to,
    toSession: p.toSession,
    seq: p.seq,
    ...(p.key === undefined ? {} : { key: p.key }),
    msg: p.msg,
  });

/** Parses a signed body; malformed (or half-addressed) is undefined. The signature is the caller's to check. */
export function parseSealedPayload(raw: string): SealedPayload | undefined {
  const parsed = parseJsonObject(raw);
  if (!parsed.ok) return undefined;
  const { from, session, to, toSession, seq, key, msg } = parsed.fields;
  if (!isParticipantId(from) || !isSessionId(session) || !isCount(seq) || seq === 0 || !isRecord(msg)) return undefined;
  const anyone = to === ANYONE && toSession === ANYONE;
  if (!anyone && !(isParticipantId(to) && isSessionId(toSession))) return undefined;
  if (key !== undefined && !isPublicKeyText(key)) return undefined;
  const message = peerMessageOf(msg);
  if (!message) return undefined;
  const out: SealedPayload = { from, session, to: anyone ? ANYONE : to, toSession: anyone ? ANYONE : toSession, seq, msg: message };
  if (key !== undefined) out.key = key;
  return out;
}

/**
 * The routing header the relay carries beside the payload: additional data of
 * the AES-GCM seal and the first line of what is signed. Room and peer ids
 * hold no `|` or newline (protocol/ids.ts), so it reads one way only.
 */
export const envelopeHeader = (room: string, from: string, to: string | undefined): string => `zing/v2|${room}|${from}|${to ?? ANYONE}`;

/** Exactly what the sender signs: the header, a newline, the body. */
export const signedText = (header: string, body: string): string => `${header}\n${body}`;

/** Ed25519 and ECDSA P-256 (IEEE P1363) signatures are both 64 bytes: 86 base64url characters. */
const SIGNATURE = /^[A-Za-z0-9_-]{86}$/;
const SIGNATURE_CHARS = 86;

/** The plaintext that is sealed: signature, a dot, body. */
export const joinSigned = (signature: string, body: string): string => `${signature}.${body}`;

/** Splits an opened plaintext into signature and body; undefined if it is not shaped so. */
export function splitSigned(plaintext: string): { signature: string; body: string } | undefined {
  const signature = plaintext.slice(0, SIGNATURE_CHARS);
  if (plaintext[SIGNATURE_CHARS] !== '.' || !SIGNATURE.test(signature)) return undefined;
  return { signature, body: plaintext.slice(SIGNATURE_CHARS + 1) };
}

/**
 * The smallest padded size. The largest hello or welcome (a 64-character name
 * of escaped characters, key, commitment, signature) fits, and so do ICE
 * candidates: everything but descriptions is exactly this long.
 */
export const PAD_MIN_BYTES = 1024;
/**
 * The largest plaintext sent: padded, sealed and base64url-encoded it must fit
 * the relay's 64 KiB frame (4/3 of 40 KiB plus IV, tag and frame is about 55 KiB).
 * A description is a few KiB; one past this is not sent.
 */
export const MAX_PADDED_BYTES = 40 * 1024;
/** Past 32 KiB sizes step by this much rather than doubling (doubling would pass the frame limit). */
const PAD_STEP_BYTES = 8 * 1024;

/** The padded size for `n` bytes of plaintext (n + 1 for the end marker): a bucket, or undefined past the limit. */
export function paddedSize(n: number): number | undefined {
  const need = n + 1;
  let size = PAD_MIN_BYTES;
  while (size < need && size < 32 * 1024) size *= 2;
  if (size < need) size = Math.ceil(need / PAD_STEP_BYTES) * PAD_STEP_BYTES;
  return size <= MAX_PADDED_BYTES ? size : undefined;
}

/** ISO/IEC 7816-4 padding: the bytes, 0x80, then zeros up to the bucket. Undefined if too long to send. */
export function pad(bytes: Uint8Array): Uint8Array<ArrayBuffer> | undefined {
  const size = paddedSize(bytes.length);
  if (size === undefined) return undefined;
  const out = new Uint8Array(size);
  out.set(bytes);
  out[bytes.length] = 0x80;
  return out;
}

/** Strips the padding `pad` added; undefined where there is no end marker. */
export function unpad(bytes: Uint8Array): Uint8Array | undefined {
  let end = bytes.length - 1;
  while (end >= 0 && bytes[end] === 0) end--;
  return end >= 0 && bytes[end] === 0x80 ? bytes.subarray(0, end) : undefined;
}
