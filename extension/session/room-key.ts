// The key in the link. A share link's #fragment holds 256 random bits, which
// browsers never send to a server. From them HKDF-SHA256 derives the room id the
// relay sees and the AES-GCM key that seals every signaling payload, so the
// relay can route a call but never read or alter what it carries.
import type { RoomId } from '../../protocol/relay.ts';

export const SECRET_BYTES = 32;
/** 32 bytes in unpadded base64url. */
export const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** Changing this changes every room id and key: a new protocol version. */
const SALT = new TextEncoder().encode('zing/v1');

export function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function newSecret(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)));
}

export interface RoomKey {
  room: RoomId;
  key: CryptoKey;
}

/** Room id (128 bits, 22 characters) and AES-256-GCM key, both from the one secret. */
export async function deriveRoomKey(secret: string): Promise<RoomKey> {
  const ikm = await crypto.subtle.importKey('raw', fromBase64Url(secret), 'HKDF', false, ['deriveBits', 'deriveKey']);
  const hkdf = (info: string) => ({ name: 'HKDF', hash: 'SHA-256', salt: SALT, info: new TextEncoder().encode(info) });
  const roomBits = await crypto.subtle.deriveBits(hkdf('room id'), ikm, 128);
  const key = await crypto.subtle.deriveKey(hkdf('signaling key'), ikm, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  return { room: toBase64Url(new Uint8Array(roomBits)), key };
}
