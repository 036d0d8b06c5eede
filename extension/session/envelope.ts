// Sealed signaling envelopes: AES-256-GCM with a fresh 12-byte IV per message
// and the routing header (room, sender, recipient) as additional data, so a
// relay that flips a byte, re-routes or re-addresses a message makes it fail to open.
import type { PeerId, RoomId } from '../../protocol/relay.ts';
import { fromBase64Url, toBase64Url } from './room-key.ts';

const IV_BYTES = 12;
/** `b` for a broadcast (to everyone else), `d` for a message to one peer: part of the additional data. */
type Scope = 'b' | 'd';

const header = (room: RoomId, from: PeerId, to: PeerId | undefined) => new TextEncoder().encode(`zing/v1|${room}|${from}|${to ?? '*'}`);

/** Seals `plaintext` from `from` to `to` (undefined: everyone else in the room). */
export async function seal(key: CryptoKey, room: RoomId, from: PeerId, to: PeerId | undefined, plaintext: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: header(room, from, to) },
    key,
    new TextEncoder().encode(plaintext),
  );
  const out = new Uint8Array(IV_BYTES + sealed.byteLength);
  out.set(iv);
  out.set(new Uint8Array(sealed), IV_BYTES);
  const scope: Scope = to === undefined ? 'b' : 'd';
  return `${scope}.${toBase64Url(out)}`;
}

/**
 * Opens an envelope the relay says came from `from`, as received by `self`.
 * Undefined where it was altered, re-routed, or sealed with another key.
 */
export async function open(key: CryptoKey, room: RoomId, from: PeerId, self: PeerId, envelope: string): Promise<string | undefined> {
  const scope = envelope.slice(0, 2);
  if (scope !== 'b.' && scope !== 'd.') return undefined;
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = fromBase64Url(envelope.slice(2));
  } catch {
    return undefined;
  }
  if (bytes.length <= IV_BYTES) return undefined;
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: bytes.subarray(0, IV_BYTES), additionalData: header(room, from, scope === 'b.' ? undefined : self) },
      key,
      bytes.subarray(IV_BYTES),
    );
    return new TextDecoder().decode(plain);
  } catch {
    return undefined;
  }
}
