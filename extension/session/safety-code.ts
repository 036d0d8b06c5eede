// A short code two people compare by voice to know no one sits in the middle
// of their link (SECURITY.md, "Safety codes").
//
// It is made from what each end's DTLS actually verified, never from SDP text
// (Firefox accepts a certificate matching any `a=fingerprint` line, so text
// could list a victim's fingerprint and an attacker's): the SHA-256 of each
// end's certificate, bound to each end's participant id (the hash of its
// identity key) and to a random salt per end and pair.
//
// The salts make the 16 digits worth their length. Without them a man in the
// middle, who picks his own keys and certificates, could try millions of them
// until the code he shows one victim equals the one he shows the other (a
// birthday search over 53 bits is about 2^27 tries, minutes on a GPU). So each
// end first commits to (id, certificate, salt) in its welcome and reveals the
// salt only once it holds the other's commitment (protocol/peer.ts,
// "Handshake"): whoever is in the middle must fix his part before he learns
// ours, and matches a 16-digit code by chance only (one in 10^16).
import type { ParticipantId } from '../../protocol/ids.ts';
import { toBase64Url } from './room-key.ts';
import { sha256 } from './sha256.ts';

/** One end of a link, as the code sees it. */
export interface CodeSide {
  participant: ParticipantId;
  /** SHA-256 of the end's DTLS certificate (DER), 64 lowercase hex digits. */
  certificate: string;
  /** 32 random bytes, base64url, made by that end for this pair. */
  salt: string;
}

const encoder = new TextEncoder();

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** SHA-256 of a certificate's DER bytes, as CodeSide wants it. */
export const certificateDigest = (der: Uint8Array): string => hex(sha256(der));

/**
 * A certificate fingerprint as SDP and RTCCertificate give it (`sha-256`, colon
 * hex in any case) as CodeSide wants it; undefined for other hash functions.
 */
export function digestOfFingerprint(algorithm: string, value: string): string | undefined {
  const digits = value.replace(/:/g, '').toLowerCase();
  return algorithm.toLowerCase() === 'sha-256' && /^[0-9a-f]{64}$/.test(digits) ? digits : undefined;
}

/** Every distinct certificate fingerprint an SDP declares (`a=fingerprint:<hash> <hex>`), normalised. */
export function fingerprintsOf(sdp: string): string[] {
  const out = new Set<string>();
  for (const m of sdp.matchAll(/^a=fingerprint:(\S+) ([0-9A-Fa-f:]+)\s*$/gm)) {
    // Both groups are mandatory in the pattern, so a match has them.
    out.add(`${m[1]!.toLowerCase()} ${m[2]!.toUpperCase()}`);
  }
  return [...out];
}

/**
 * Whether a remote description may be applied: it must declare exactly one
 * certificate. Browsers write one; a description listing several lets a
 * certificate other than the signer's pass DTLS in Firefox (issue 13, hole 2).
 */
export const declaresOneCertificate = (sdp: string): boolean => fingerprintsOf(sdp).length === 1;

export const newSalt = (): string => toBase64Url(crypto.getRandomValues(new Uint8Array(32)));

/** What an end sends in its welcome: base64url SHA-256 of its id, certificate and salt. */
export function commitment(side: CodeSide): string {
  return toBase64Url(sha256(encoder.encode(`zing/v2 commitment\n${side.participant}\n${side.certificate}\n${side.salt}`)));
}

/** 16 decimal digits (about 53 bits) in groups of four; the same whichever end computes it. */
export function safetyCode(a: CodeSide, b: CodeSide): string {
  // Ids, hex and base64url hold no space or newline, so the joined input reads one way only.
  const lines = [a, b].map((s) => `${s.participant} ${s.certificate} ${s.salt}`).sort();
  const digest = sha256(encoder.encode(`zing/v2 safety code\n${lines.join('\n')}`));
  let n = 0n;
  for (const byte of digest.subarray(0, 8)) n = (n << 8n) | BigInt(byte);
  const digits = (n % 10n ** 16n).toString().padStart(16, '0');
  return digits.match(/.{4}/g)!.join(' '); // 16 digits always make four groups
}
