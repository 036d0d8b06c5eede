// Who this call page is to the others: a signing key pair made when the page
// starts, the participant id derived from its public key, and a page session.
//
// Ed25519 through WebCrypto (Chromium 137+, Firefox 129+; checked in Chromium
// 156 and Firefox ESR 153): deterministic signatures (no per-signature nonce to
// get wrong, unlike ECDSA), 32-byte keys and 64-byte signatures. The private key
// is made non-extractable: no script, not even this page's, can read it out.
// A page's key lives as long as the page; a reload is a new participant.
import type { ParticipantId, SessionId } from '../../protocol/ids.ts';
import { fromBase64Url, toBase64Url } from './room-key.ts';
import { sha256 } from './sha256.ts';

export const SIGNING_ALGORITHM = { name: 'Ed25519' } as const;

/** 16 random bytes: 22 base64url characters, the shape isSessionId accepts. */
export const newSessionId = (): SessionId => toBase64Url(crypto.getRandomValues(new Uint8Array(16)));

/**
 * The participant id of a public key: base64url SHA-256 of its SPKI (43
 * characters). The SPKI names the algorithm as well, so one id never stands
 * for two keys of different kinds.
 */
export function participantIdOf(spki: Uint8Array): ParticipantId {
  return toBase64Url(sha256(spki));
}

const encoder = new TextEncoder();

export class Identity {
  readonly participant: ParticipantId;
  /** The public key as it travels: base64url SPKI. */
  readonly publicKey: string;
  /** This page's session: named by every message meant for this page. */
  readonly session: SessionId;
  /** The public half, to tell our own messages (echoed by a relay) from forgeries in our name. */
  readonly verifyKey: CryptoKey;
  readonly #privateKey: CryptoKey;

  private constructor(privateKey: CryptoKey, verifyKey: CryptoKey, spki: Uint8Array, session: SessionId) {
    this.#privateKey = privateKey;
    this.verifyKey = verifyKey;
    this.publicKey = toBase64Url(spki);
    this.participant = participantIdOf(spki);
    this.session = session;
  }

  static async create(): Promise<Identity> {
    // generateKey with an asymmetric algorithm gives a pair; the cast only names that.
    const pair = (await crypto.subtle.generateKey(SIGNING_ALGORITHM, false, ['sign', 'verify'])) as CryptoKeyPair;
    const spki = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
    return new Identity(pair.privateKey, pair.publicKey, spki, newSessionId());
  }

  /** The base64url signature of `text` (UTF-8). */
  async sign(text: string): Promise<string> {
    return toBase64Url(new Uint8Array(await crypto.subtle.sign(SIGNING_ALGORITHM, this.#privateKey, encoder.encode(text))));
  }
}

/**
 * The verifying key for `participant` from the key text it claims, or
 * undefined where the key does not hash to that id or is no valid key.
 */
export async function importPublicKey(participant: ParticipantId, keyText: string): Promise<CryptoKey | undefined> {
  let spki: Uint8Array<ArrayBuffer>;
  try {
    spki = fromBase64Url(keyText);
  } catch {
    return undefined;
  }
  if (participantIdOf(spki) !== participant) return undefined;
  try {
    return await crypto.subtle.importKey('spki', spki, SIGNING_ALGORITHM, false, ['verify']);
  } catch {
    return undefined; // not a key of this algorithm: the claim is as good as forged
  }
}

/** Whether `signature` (base64url) is `key`'s over `text`. */
export async function verifySignature(key: CryptoKey, signature: string, text: string): Promise<boolean> {
  let sig: Uint8Array<ArrayBuffer>;
  try {
    sig = fromBase64Url(signature);
  } catch {
    return false;
  }
  try {
    return await crypto.subtle.verify(SIGNING_ALGORITHM, key, sig, encoder.encode(text));
  } catch {
    return false;
  }
}
