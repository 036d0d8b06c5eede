// A short code two people can compare by voice to know no one sits in the
// middle of their link. It is derived from both ends' DTLS certificate
// fingerprints, which sealed signaling keeps the relay from swapping; a
// man in the middle would have to present other fingerprints, and so a
// different code on each side.

/** The certificate fingerprint an SDP declares (`a=fingerprint:<hash> <hex>`), normalised. */
export function fingerprintOf(sdp: string): string | undefined {
  const m = /^a=fingerprint:(\S+) ([0-9A-Fa-f:]+)\s*$/m.exec(sdp);
  // Both groups are mandatory in the pattern, so a match has them.
  return m ? `${m[1]!.toLowerCase()} ${m[2]!.toUpperCase()}` : undefined;
}

/** 16 decimal digits (about 53 bits) in groups of four; the same whichever end computes it. */
export async function safetyCode(fingerprintA: string, fingerprintB: string): Promise<string> {
  // A newline cannot occur in an SDP attribute value, so the joined input is unambiguous.
  const input = [fingerprintA, fingerprintB].sort().join('\n');
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`zing safety code\n${input}`)));
  let n = 0n;
  for (const byte of digest.subarray(0, 8)) n = (n << 8n) | BigInt(byte);
  const digits = (n % 10n ** 16n).toString().padStart(16, '0');
  return digits.match(/.{4}/g)!.join(' '); // 16 digits always make four groups
}
