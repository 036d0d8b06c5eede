// Opus DTX (discontinuous transmission): while a person is silent their Opus
// encoder sends one tiny frame every 400 ms instead of fifty packets a second,
// and the far end fills the gap with comfort noise. In a mesh everyone but the
// speaker is silent most of the time, and each of them sends audio on every
// link: at four people that is 150 audio packets a second out and 150 in per
// person, each one a trip through the browser's network process. DTX takes
// that to a handful, and RNNoise (noise-suppressor.ts) gives it true silence
// to detect.
//
// `usedtx` is a receiver's fmtp parameter: it tells the other end's encoder
// what this decoder prefers. A browser's sender reads it from the remote
// description, so this adds it there, to the description a peer sent, before
// it is applied: the link's own sender then uses DTX whatever the other end's
// browser put in its SDP. A remote that says `usedtx=0` outright keeps its
// word. Fingerprints and every other line stay as they were (safety codes come
// from the certificate DTLS verified, not from this text).

const OPUS_RTPMAP = /^a=rtpmap:(\d+) opus\/48000/i;
const FMTP = /^a=fmtp:(\d+) (.*)$/;

/** The SDP with `usedtx=1` on every Opus payload that does not state `usedtx` itself. */
export function withOpusDtx(sdp: string): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(eol);
  const opus = new Set<string>();
  for (const line of lines) {
    const pt = OPUS_RTPMAP.exec(line)?.[1];
    if (pt) opus.add(pt);
  }
  if (opus.size === 0) return sdp;
  const withFmtp = new Set<string>();
  const out = lines.map((line) => {
    const m = FMTP.exec(line);
    if (!m || !opus.has(m[1] ?? '')) return line;
    withFmtp.add(m[1] ?? '');
    const params = m[2] ?? '';
    return /(^|;)\s*usedtx=/i.test(params) ? line : `${line};usedtx=1`;
  });
  // An Opus payload without an fmtp line gets one, right after its rtpmap.
  const missing = [...opus].filter((pt) => !withFmtp.has(pt));
  if (missing.length === 0) return out.join(eol);
  return out
    .flatMap((line) => {
      const pt = OPUS_RTPMAP.exec(line)?.[1];
      return pt && missing.includes(pt) ? [line, `a=fmtp:${pt} usedtx=1`] : [line];
    })
    .join(eol);
}
