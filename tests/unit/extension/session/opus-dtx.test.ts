import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withOpusDtx } from '../../../../extension/session/opus-dtx.ts';
import { RUNS } from '../../../support/arbitraries.ts';

// An answer as Chromium writes it, cut to the lines that matter here.
const ANSWER = [
  'v=0',
  'o=- 1 2 IN IP4 127.0.0.1',
  's=-',
  'a=fingerprint:sha-256 AA:BB',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9',
  'a=rtpmap:111 opus/48000/2',
  'a=rtcp-fb:111 transport-cc',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=rtpmap:63 red/48000/2',
  'a=fmtp:63 111/111',
  'a=rtpmap:9 G722/8000',
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'a=rtpmap:96 VP8/90000',
  'a=fmtp:96 x-google-start-bitrate=300',
  '',
].join('\r\n');

describe('Opus DTX in a remote description', () => {
  it('adds usedtx=1 to the Opus payload and to nothing else', () => {
    const out = withOpusDtx(ANSWER);
    expect(out).toContain('a=fmtp:111 minptime=10;useinbandfec=1;usedtx=1\r\n');
    expect(out).toContain('a=fmtp:63 111/111\r\n');
    expect(out).toContain('a=fmtp:96 x-google-start-bitrate=300\r\n');
    expect(out.split('\r\n')).toHaveLength(ANSWER.split('\r\n').length);
  });

  it('keeps a remote that states usedtx itself at its word', () => {
    const off = ANSWER.replace('useinbandfec=1', 'useinbandfec=1;usedtx=0');
    expect(withOpusDtx(off)).toBe(off);
  });

  it('gives an Opus payload without an fmtp line one after its rtpmap', () => {
    const bare = ANSWER.replace('a=fmtp:111 minptime=10;useinbandfec=1\r\n', '');
    expect(withOpusDtx(bare)).toContain('a=rtpmap:111 opus/48000/2\r\na=fmtp:111 usedtx=1\r\n');
  });

  it('leaves a description without Opus as it is', () => {
    const video = ANSWER.replace('a=rtpmap:111 opus/48000/2', 'a=rtpmap:111 PCMU/8000');
    expect(withOpusDtx(video)).toBe(video);
  });

  it('is idempotent and never touches a fingerprint, whatever the text', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 8 }), (extra) => {
        const sdp = [ANSWER, ...extra].join('\r\n');
        const once = withOpusDtx(sdp);
        expect(withOpusDtx(once)).toBe(once);
        const prints = (s: string) => s.split('\r\n').filter((l) => l.startsWith('a=fingerprint:'));
        expect(prints(once)).toEqual(prints(sdp));
      }),
      { numRuns: RUNS },
    );
  });
});
