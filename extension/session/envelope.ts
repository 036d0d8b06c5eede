// Sealed signaling envelopes: AES-256-GCM with a fresh 12-byte IV per message
// and the routing header (room, sender, recipient) as additional data, so a
// relay that flips a byte, re-routes or re-addresses a message makes it fail
// to open. The plaintext is padded to a size bucket first (protocol/peer.ts),
// so the relay cannot tell a mute from an unmute, or a hello from a candidate.
import { envelopeHeader, pad, unpad } from '../../protocol/peer.ts';
import type { PeerId, RoomId } from '../../protocol/relay.ts';
import { fromBase64Url, toBase64Url } from './room-key.ts';

const IV_BYTES = 12;
/** `b` for a broadcast (to everyone else), `d` for a message to one peer: part of the additional data. */
type Scope = 'b' | 'd';

const encoder = new TextEncoder();
const header = (room: RoomId, from: PeerId, to: PeerId | undefined) => encoder.encode(envelopeHeader(room, from, to));

/**
 * Seals `plaintext` from `from` to `to` (undefined: everyone else in the room).
 * Undefined where the plaintext is too long for any padding bucket.
 */
export async function seal(
  key: CryptoKey,
  room: RoomId,
  from: PeerId,
  to: PeerId | undefined,
  plaintext: string,
): Promise<string | undefined> {
  const padded = pad(encoder.encode(plaintext));
  if (!padded) return undefined;
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: header(room, from, to) }, key, padded);
  const out = new Uint8Array(IV_BYTES + sealed.byteLength);
  out.set(iv);
  out.set(new Uint8Array(sealed), IV_BYTES);
  const scope: Scope = to === undefined ? 'b' : 'd';
  return `${scope}.${toBase64Url(out)}`;
}

export interface Opened {
  plaintext: string;
  /** Sealed for everyone in the room, not for `self` alone. */
  broadcast: boolean;
}

/**
 * Opens an envelope the relay says came from `from`, as received by `self`.
 * Undefined where it was altered, re-routed, or sealed with another key.
 */
export async function open(key: CryptoKey, room: RoomId, from: PeerId, self: PeerId, envelope: string): Promise<Opened | undefined> {
  const scope = envelope.slice(0, 2);
  if (scope !== 'b.' && scope !== 'd.') return undefined;
  const broadcast = scope === 'b.';
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = fromBase64Url(envelope.slice(2));
  } catch {
    return undefined;
  }
  if (bytes.length <= IV_BYTES) return undefined;
  let plain: ArrayBuffer;
  try {
    plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: bytes.subarray(0, IV_BYTES), additionalData: header(room, from, broadcast ? undefined : self) },
      key,
      bytes.subarray(IV_BYTES),
    );
  } catch {
    return undefined;
  }
  const unpadded = unpad(new Uint8Array(plain));
  if (!unpadded) return undefined;
  return { plaintext: new TextDecoder().decode(unpadded), broadcast };
}
