import { describe, expect, it } from 'vitest';
import { fingerprintOf, safetyCode } from '../../../../extension/session/safety-code.ts';

const FP_A = 'sha-256 3C:4A:AA:20:7B:96:2F:1A:E5:45:76:29:03:54:1B:B5:2B:73:0C:CA:6D:22:C4:DD:52:0E:96:6A:D3:47:0F:1E';
const FP_B = 'sha-256 D7:11:0E:8C:92:4B:6F:05:C3:3E:A8:9D:71:F0:2A:64:5B:C8:E1:37:96:0D:4F:A2:B5:18:7E:C6:39:50:2D:8A';
const FP_C = 'sha-256 D7:11:0E:8C:92:4B:6F:05:C3:3E:A8:9D:71:F0:2A:64:5B:C8:E1:37:96:0D:4F:A2:B5:18:7E:C6:39:50:2D:8B';

/** A trimmed Chromium offer, with SDP's CRLF line ends. */
const sdp = (fingerprintLine: string) =>
  [
    'v=0',
    'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0 1',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    'c=IN IP4 0.0.0.0',
    'a=ice-ufrag:Qx3b',
    fingerprintLine,
    'a=setup:actpass',
    'a=mid:0',
    '',
  ].join('\r\n');

describe('safetyCode', () => {
  it('is the same whichever end computes it', async () => {
    expect(await safetyCode(FP_A, FP_B)).toBe(await safetyCode(FP_B, FP_A));
  });

  it('is 16 digits in four groups of four', async () => {
    for (const [a, b] of [
      [FP_A, FP_B],
      [FP_A, FP_C],
      ['', ''],
      ['x', 'y'],
    ] as const) {
      expect(await safetyCode(a, b)).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
    }
  });

  it('is the same every time for the same pair', async () => {
    expect(await safetyCode(FP_A, FP_B)).toBe(await safetyCode(FP_A, FP_B));
  });

  it('changes when one fingerprint differs in a single digit (a man in the middle)', async () => {
    const honest = await safetyCode(FP_A, FP_B);
    expect(await safetyCode(FP_A, FP_C)).not.toBe(honest);
    expect(await safetyCode(FP_C, FP_B)).not.toBe(honest);
  });

  it('differs between the two halves of an intercepted call', async () => {
    // Mallory shows Alice her own certificate M1 and Bob M2: their codes no longer match.
    const m1 = FP_C;
    const m2 = 'sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF';
    expect(await safetyCode(FP_A, m1)).not.toBe(await safetyCode(m2, FP_B));
  });
});

describe('fingerprintOf', () => {
  it('reads the fingerprint line of an SDP with CRLF line ends', () => {
    expect(fingerprintOf(sdp(`a=fingerprint:${FP_A}`))).toBe(FP_A);
  });

  it('normalises the hash name to lower case and the hex to upper case', () => {
    expect(fingerprintOf(sdp('a=fingerprint:SHA-256 3c:4a:aa:20'))).toBe('sha-256 3C:4A:AA:20');
  });

  it('reads LF-only SDP too', () => {
    expect(fingerprintOf(`v=0\na=fingerprint:${FP_B}\na=setup:active\n`)).toBe(FP_B);
  });

  it('takes the first fingerprint when media sections repeat it', () => {
    expect(fingerprintOf(`${sdp(`a=fingerprint:${FP_A}`)}m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=fingerprint:${FP_B}\r\n`)).toBe(FP_A);
  });

  it('finds nothing in an SDP without a fingerprint, or with a malformed one', () => {
    expect(fingerprintOf(sdp('a=ice-pwd:abc'))).toBeUndefined();
    expect(fingerprintOf(sdp('a=fingerprint:sha-256'))).toBeUndefined();
    expect(fingerprintOf(sdp('a=fingerprint:sha-256 not-hex!'))).toBeUndefined();
    expect(fingerprintOf('')).toBeUndefined();
  });

  it('does not take a fingerprint that is not at the start of a line', () => {
    expect(fingerprintOf(`v=0\r\ns=a=fingerprint:${FP_A}\r\n`)).toBeUndefined();
  });
});
