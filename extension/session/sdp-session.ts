// Which connection at the other end a description came from. An SDP's origin
// line (`o=<username> <sess-id> <sess-version> ...`, RFC 4566) carries a
// session id that a connection picks once and keeps in every offer and answer
// it makes (JSEP, RFC 8829 §5.2.1 and §5.3.1): renegotiations and ICE restarts
// bump only the version.
//
// A new connection under a new certificate (the other page reloaded, or
// someone took over the link) is taken by this link as it is: the changed
// fingerprint restarts DTLS, and the safety code shows the new certificate.
// A new connection under the same certificate is the other page starting over
// with us (it took us for gone): DTLS does not restart for a fingerprint it
// already has, so this link could never carry media again.
import { fingerprintsOf } from './safety-code.ts';

const ORIGIN = /^o=\S+ (\d+) \d+ /m;

/** The session id of a description's origin line; undefined if it has none. */
export function sdpSessionId(sdp: string): string | undefined {
  return ORIGIN.exec(sdp)?.[1];
}

/** The remote connection a link negotiated with: its SDP session id and its one certificate. */
export interface RemoteConnection {
  readonly session: string | undefined;
  readonly fingerprint: string | undefined;
}

export const remoteConnectionOf = (sdp: string): RemoteConnection => ({
  session: sdpSessionId(sdp),
  fingerprint: fingerprintsOf(sdp)[0],
});

/** Whether `sdp` comes from a new connection under the same certificate as `known` (none known: no). */
export function startedOver(sdp: string, known: RemoteConnection | undefined): boolean {
  if (known?.session === undefined || known.fingerprint === undefined) return false;
  const next = remoteConnectionOf(sdp);
  return next.session !== undefined && next.session !== known.session && next.fingerprint === known.fingerprint;
}

const ICE_UFRAG = /^a=ice-ufrag:(\S+?)\r?$/gm;

/**
 * The ICE username fragments a description declares (one per ICE generation;
 * with BUNDLE every section repeats the same). A trickled candidate names its
 * generation's (`usernameFragment`), so a link can tell one that belongs to a
 * description it never applied: a connection that replaced this one, an offer
 * it ignored in a collision, a generation before an ICE restart.
 */
export function iceUfragsOf(sdp: string): ReadonlySet<string> {
  return new Set(Array.from(sdp.matchAll(ICE_UFRAG), (m) => m[1] ?? ''));
}

/**
 * Whether a description asks for simulcast (RFC 8853: `a=simulcast`, `a=rid`). Zing never
 * does: each link carries one encoding, sized by what its receiver shows. An offer that
 * asks to receive several makes the answering browser send one encoding per layer (JSEP,
 * webrtc-pc "create an RTCRtpSender" from a remote description), and the sizing sets only
 * the first: the others would go at the browser's own rates, past the upload budget, to a
 * peer that asked for them.
 */
export const declaresSimulcast = (sdp: string): boolean => /^a=(simulcast|rid):/m.test(sdp);

/**
 * Candidates taken per ICE generation. A browser trickles a few per network
 * address and server (host, reflexive, relayed, over UDP and TCP): tens, and
 * more on a machine with many addresses (an interface can hold several IPv6
 * ones, and VPNs and container bridges add interfaces), so this leaves room.
 * Past it, a peer is flooding: each candidate taken adds pairs to check, and
 * each refused addIceCandidate holds the page's main thread while the WebRTC
 * thread turns it down.
 */
export const CANDIDATES_PER_GENERATION = 128;

const UFRAG_IN_CANDIDATE = /\sufrag\s(\S+)/;

/**
 * The ICE generation (username fragment) a trickled candidate names: its own
 * field, or its text (Chromium writes `ufrag <x>` into it); undefined where
 * neither says, which no browser's candidate does.
 */
export function candidateUfrag(candidate: { candidate?: string; usernameFragment?: string | null }): string | undefined {
  return candidate.usernameFragment ?? UFRAG_IN_CANDIDATE.exec(candidate.candidate ?? '')?.[1];
}

/**
 * Which trickled candidates a link adds: those of a generation the remote
 * description applied last declares (not one trickled by a connection that
 * replaced this one, an offer ignored in a collision, or a generation before
 * an ICE restart), up to CANDIDATES_PER_GENERATION each.
 */
export class CandidateGate {
  #generations: ReadonlySet<string> = new Set();
  readonly #taken = new Map<string, number>();

  /** A remote description with these generations (iceUfragsOf) was applied; counts of the others go. */
  applied(generations: ReadonlySet<string>): void {
    this.#generations = generations;
    for (const ufrag of this.#taken.keys()) if (!generations.has(ufrag)) this.#taken.delete(ufrag);
  }

  /** Whether to add `candidate`; one admitted is counted. */
  admits(candidate: { candidate?: string; usernameFragment?: string | null }): boolean {
    const ufrag = candidateUfrag(candidate);
    if (ufrag === undefined || !this.#generations.has(ufrag)) return false;
    const taken = (this.#taken.get(ufrag) ?? 0) + 1;
    if (taken > CANDIDATES_PER_GENERATION) return false;
    this.#taken.set(ufrag, taken);
    return true;
  }
}
