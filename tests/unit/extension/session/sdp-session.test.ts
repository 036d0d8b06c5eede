import { describe, expect, it } from 'vitest';
import {
  CANDIDATES_PER_GENERATION,
  CandidateGate,
  candidateUfrag,
  declaresSimulcast,
  iceUfragsOf,
  remoteConnectionOf,
  sdpSessionId,
  startedOver,
} from '../../../../extension/session/sdp-session.ts';

const CERT_A = 'a=fingerprint:sha-256 AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99\r\n';
const CERT_B = 'a=fingerprint:sha-256 11:22:33:44:55:66:77:88:99:00:AA:BB:CC:DD:EE:FF:11:22:33:44:55:66:77:88:99:00:AA:BB:CC:DD:EE:FF\r\n';
// Origin lines as the browsers write them.
const chromium = (session: string, version: number, cert = CERT_A) =>
  `v=0\r\no=- ${session} ${version} IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n${cert}`;
const FIREFOX = `v=0\r\no=mozilla...THIS_IS_SDPARTA-140.0 7102523617542011893 0 IN IP4 0.0.0.0\r\ns=-\r\n${CERT_A}`;

describe('sdpSessionId', () => {
  it('reads the session id of the origin line, as Chromium and Firefox write it', () => {
    expect(sdpSessionId(chromium('4611731400430051336', 2))).toBe('4611731400430051336');
    expect(sdpSessionId(FIREFOX)).toBe('7102523617542011893');
  });

  it('has none for a description without an origin line', () => {
    expect(sdpSessionId('v=0\r\ns=-\r\n')).toBeUndefined();
    expect(sdpSessionId('')).toBeUndefined();
  });
});

describe('startedOver', () => {
  const known = remoteConnectionOf(chromium('4611731400430051336', 2));

  it('tells a new connection at the other end under the same certificate: their page started over', () => {
    expect(startedOver(chromium('8233370123456789012', 2), known)).toBe(true);
    expect(startedOver(FIREFOX, known)).toBe(true);
  });

  it('holds a renegotiation or an ICE restart of the same connection (a new version) to be the same', () => {
    expect(startedOver(chromium('4611731400430051336', 7), known)).toBe(false);
  });

  it('leaves a new connection under a new certificate to this link: DTLS restarts, and the safety code shows it', () => {
    expect(startedOver(chromium('8233370123456789012', 2, CERT_B), known)).toBe(false);
  });

  it('judges nothing before a first description, or from one without an origin line', () => {
    expect(startedOver(chromium('8233370123456789012', 2), undefined)).toBe(false);
    expect(startedOver(`v=0\r\n${CERT_A}`, known)).toBe(false);
    expect(startedOver(chromium('8233370123456789012', 2), remoteConnectionOf('v=0\r\n'))).toBe(false);
  });
});

describe('iceUfragsOf', () => {
  it('reads every ICE username fragment, once, from the sections of a bundled description', () => {
    const sdp = `${chromium('4611731400430051336', 2)}a=ice-ufrag:Zx9/\r\na=ice-pwd:secretsecretsecretsecret12\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=ice-ufrag:Zx9/\r\n`;
    expect([...iceUfragsOf(sdp)]).toEqual(['Zx9/']);
  });

  it('reads them with bare line feeds too, and sections of different generations apart', () => {
    expect([...iceUfragsOf('v=0\na=ice-ufrag:abcd\nm=video 9 X 96\na=ice-ufrag:EFGH+\n')]).toEqual(['abcd', 'EFGH+']);
  });

  it('has none in a description without ICE (nothing a candidate could belong to)', () => {
    expect(iceUfragsOf(chromium('4611731400430051336', 2)).size).toBe(0);
    expect(iceUfragsOf('').size).toBe(0);
  });
});

describe('declaresSimulcast', () => {
  const video = (...lines: string[]) =>
    ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'm=video 9 UDP/TLS/RTP/SAVPF 96', 'a=mid:1', 'a=sendrecv', ...lines, ''].join(
      '\r\n',
    );

  it('tells an offer that asks to receive several layers (rid and simulcast lines)', () => {
    expect(declaresSimulcast(video('a=rid:h recv', 'a=rid:m recv', 'a=rid:l recv', 'a=simulcast:recv h;m;l'))).toBe(true);
    expect(declaresSimulcast(video('a=rid:h recv'))).toBe(true);
    expect(declaresSimulcast(video('a=simulcast:recv h;m'))).toBe(true);
  });

  it('passes a description with one encoding, as Zing and the browsers make them', () => {
    expect(declaresSimulcast(video('a=rtpmap:96 VP8/90000', 'a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id'))).toBe(false);
    expect(declaresSimulcast('')).toBe(false);
  });
});

describe('candidateUfrag', () => {
  it('reads the generation from the field, or from the candidate text as Chromium writes it', () => {
    expect(candidateUfrag({ candidate: 'candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host', usernameFragment: 'abcd' })).toBe('abcd');
    expect(
      candidateUfrag({ candidate: 'candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host generation 0 ufrag WXyz network-id 1' }),
    ).toBe('WXyz');
  });

  it('has none for a candidate that names no generation, which no browser sends', () => {
    expect(candidateUfrag({ candidate: 'candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host' })).toBeUndefined();
    expect(candidateUfrag({})).toBeUndefined();
  });
});

describe('CandidateGate', () => {
  const cand = (ufrag: string | undefined, n = 1) => ({
    candidate: `candidate:${n} 1 udp 2122260223 192.0.2.${n % 250} ${40_000 + n} typ host`,
    ...(ufrag === undefined ? {} : { usernameFragment: ufrag }),
  });

  it('admits candidates of the applied generations only: none before a description, none of another or of none', () => {
    const gate = new CandidateGate();
    expect(gate.admits(cand('aaaa'))).toBe(false);
    gate.applied(new Set(['aaaa']));
    expect(gate.admits(cand('aaaa'))).toBe(true);
    expect(gate.admits(cand('bbbb'))).toBe(false);
    expect(gate.admits(cand(undefined))).toBe(false);
    // Chromium's text names the generation too.
    expect(gate.admits({ candidate: 'candidate:1 1 udp 1 192.0.2.1 1 typ host generation 0 ufrag aaaa network-id 1' })).toBe(true);
  });

  it(`admits at most ${CANDIDATES_PER_GENERATION} per generation, counted across descriptions that keep it, afresh for a new one`, () => {
    const gate = new CandidateGate();
    gate.applied(new Set(['aaaa']));
    const flood = Array.from({ length: 1_000 }, (_, i) => gate.admits(cand('aaaa', i)));
    expect(flood.filter(Boolean)).toHaveLength(CANDIDATES_PER_GENERATION);
    expect(flood.slice(0, CANDIDATES_PER_GENERATION).every(Boolean)).toBe(true);
    // A re-offer in the same generation (a renegotiation for a screen) does not refill it.
    gate.applied(new Set(['aaaa']));
    expect(gate.admits(cand('aaaa'))).toBe(false);
    // An ICE restart: the new generation gets its own; the old one is no longer admitted at all.
    gate.applied(new Set(['cccc']));
    expect(gate.admits(cand('cccc'))).toBe(true);
    expect(gate.admits(cand('aaaa'))).toBe(false);
    // Back to a generation seen before (its count went with it): counted from zero.
    gate.applied(new Set(['aaaa']));
    expect(gate.admits(cand('aaaa'))).toBe(true);
  });
});
