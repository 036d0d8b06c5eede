import { describe, expect, it } from 'vitest';
import {
  certificateDigest,
  type CodeSide,
  commitment,
  declaresOneCertificate,
  digestOfFingerprint,
  fingerprintsOf,
  newSalt,
  safetyCode,
} from '../../../../extension/session/safety-code.ts';
import { sha256 } from '../../../../extension/session/sha256.ts';

const FP_A = 'sha-256 3C:4A:AA:20:7B:96:2F:1A:E5:45:76:29:03:54:1B:B5:2B:73:0C:CA:6D:22:C4:DD:52:0E:96:6A:D3:47:0F:1E';
const FP_B = 'sha-256 D7:11:0E:8C:92:4B:6F:05:C3:3E:A8:9D:71:F0:2A:64:5B:C8:E1:37:96:0D:4F:A2:B5:18:7E:C6:39:50:2D:8A';

/** A trimmed Chromium offer with two media sections, with SDP's CRLF line ends. */
const sdp = (first: string, second = first) =>
  [
    'v=0',
    'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0 1',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    'c=IN IP4 0.0.0.0',
    'a=ice-ufrag:Qx3b',
    first,
    'a=setup:actpass',
    'a=mid:0',
    'm=video 9 UDP/TLS/RTP/SAVPF 96',
    second,
    'a=mid:1',
    '',
  ].join('\r\n');

const side = (participant: string, certificate: string, salt: string): CodeSide => ({ participant, certificate, salt });
const ANN = side('ann-participant-id-000000000000000000000000', 'a'.repeat(64), 'A'.repeat(43));
const BEN = side('ben-participant-id-000000000000000000000000', 'b'.repeat(64), 'B'.repeat(43));

describe('safetyCode', () => {
  it('is the same whichever end computes it', () => {
    expect(safetyCode(ANN, BEN)).toBe(safetyCode(BEN, ANN));
  });

  it('is 16 digits in four groups of four', () => {
    for (let i = 0; i < 50; i++) {
      expect(safetyCode(ANN, { ...BEN, salt: newSalt() })).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
    }
  });

  it.each([
    ['certificate', { ...BEN, certificate: `${'b'.repeat(63)}c` }],
    ['participant id (identity key)', { ...BEN, participant: 'ben-participant-id-000000000000000000000001' }],
    ['salt', { ...BEN, salt: `${'B'.repeat(42)}C` }],
  ])('changes when the other end’s %s differs in one character', (_what, other) => {
    expect(safetyCode(ANN, other)).not.toBe(safetyCode(ANN, BEN));
  });

  it('differs between the two halves of an intercepted call', () => {
    // Mallory shows Ann one certificate and key, Ben another: their codes no longer match.
    const m1 = side('mallory-1-participant-id-0000000000000000000', 'c'.repeat(64), 'C'.repeat(43));
    const m2 = side('mallory-2-participant-id-0000000000000000000', 'd'.repeat(64), 'D'.repeat(43));
    expect(safetyCode(ANN, m1)).not.toBe(safetyCode(m2, BEN));
  });
});

describe('commitment', () => {
  it('binds the id, the certificate and the salt', () => {
    const base = commitment(BEN);
    expect(commitment({ ...BEN })).toBe(base);
    expect(commitment({ ...BEN, certificate: 'c'.repeat(64) })).not.toBe(base);
    expect(commitment({ ...BEN, salt: newSalt() })).not.toBe(base);
    expect(commitment({ ...BEN, participant: ANN.participant })).not.toBe(base);
  });

  it('is 43 base64url characters and does not show the salt', () => {
    expect(commitment(BEN)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(commitment(BEN)).not.toContain(BEN.salt.slice(0, 8));
  });
});

describe('certificate digests', () => {
  it('hashes a certificate’s DER bytes to 64 lowercase hex digits', () => {
    const der = new Uint8Array([0x30, 0x82, 0x01, 0x15]);
    expect(certificateDigest(der)).toMatch(/^[0-9a-f]{64}$/);
    expect(certificateDigest(der)).toBe(Array.from(sha256(der), (b) => b.toString(16).padStart(2, '0')).join(''));
  });

  it('reads a sha-256 fingerprint in any case, with or without colons, as the same digest', () => {
    const digest = digestOfFingerprint('sha-256', FP_A.slice(8));
    expect(digest).toBe(FP_A.slice(8).replace(/:/g, '').toLowerCase());
    expect(digestOfFingerprint('SHA-256', FP_A.slice(8).toLowerCase())).toBe(digest);
  });

  it('takes no other hash function, and no malformed value', () => {
    expect(digestOfFingerprint('sha-1', 'AB:CD')).toBeUndefined();
    expect(digestOfFingerprint('sha-384', FP_A.slice(8))).toBeUndefined();
    expect(digestOfFingerprint('sha-256', 'AB:CD')).toBeUndefined();
    expect(digestOfFingerprint('sha-256', `${FP_A.slice(8, -2)}ZZ`)).toBeUndefined();
  });
});

describe('fingerprintsOf and declaresOneCertificate', () => {
  it('reads the one certificate a browser’s description declares, repeated in every media section', () => {
    expect(fingerprintsOf(sdp(`a=fingerprint:${FP_A}`))).toEqual([FP_A]);
    expect(declaresOneCertificate(sdp(`a=fingerprint:${FP_A}`))).toBe(true);
  });

  it('counts the same fingerprint in another case once', () => {
    expect(fingerprintsOf(sdp(`a=fingerprint:${FP_A}`, `a=fingerprint:${FP_A.toLowerCase()}`))).toEqual([FP_A]);
  });

  it('refuses a description with two fingerprints (Firefox would accept a certificate matching either)', () => {
    const two = sdp(`a=fingerprint:${FP_A}`, `a=fingerprint:${FP_B}`);
    expect(fingerprintsOf(two)).toEqual([FP_A, FP_B]);
    expect(declaresOneCertificate(two)).toBe(false);
    // Both in one media section too.
    expect(declaresOneCertificate(sdp(`a=fingerprint:${FP_A}\r\na=fingerprint:${FP_B}`, `a=fingerprint:${FP_A}`))).toBe(false);
  });

  it('refuses a description without any fingerprint', () => {
    expect(declaresOneCertificate(sdp('a=ice-pwd:abc'))).toBe(false);
    expect(declaresOneCertificate('')).toBe(false);
  });

  it('reads LF-only SDP too, and only lines that start with the attribute', () => {
    expect(fingerprintsOf(`v=0\na=fingerprint:${FP_B}\na=setup:active\n`)).toEqual([FP_B]);
    expect(fingerprintsOf(`v=0\r\ns=a=fingerprint:${FP_A}\r\n`)).toEqual([]);
  });
});
