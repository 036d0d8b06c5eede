// What participants say to each other through the relay, inside its opaque
// `data`: the sealed signaling payloads. The relay never parses these; the
// receiving peer opens the envelope (extension/session/envelope.ts) and then
// validates the plaintext here like any other input.
import { isCount, isRecord, parseJsonObject } from './guards.ts';
import { isParticipantId, type ParticipantId } from './ids.ts';
import { cleanName } from './text.ts';

export interface Presence {
  name: string;
  micMuted: boolean;
  cameraOff: boolean;
  screenSharing: boolean;
}

/** An ICE candidate as it travels: RTCIceCandidateInit without the DOM (protocol/ has none). */
export interface IceCandidate {
  candidate: string;
  sdpMid?: string;
  sdpMLineIndex?: number;
  usernameFragment?: string;
}

export interface SessionDescription {
  type: 'offer' | 'answer';
  sdp: string;
}

export type PeerMessage =
  | ({ type: 'presence' } & Presence)
  | { type: 'description'; description: SessionDescription }
  | { type: 'candidate'; candidate: IceCandidate };

export const encodePeerMessage = (msg: PeerMessage): string => JSON.stringify(msg);

/** Parses one payload from a peer; anything malformed is undefined and ignored by the caller. */
export function parsePeerMessage(raw: string): PeerMessage | undefined {
  const parsed = parseJsonObject(raw);
  return parsed.ok ? peerMessageOf(parsed.fields) : undefined;
}

function peerMessageOf(v: Record<string, unknown>): PeerMessage | undefined {
  switch (v.type) {
    case 'presence':
      return typeof v.micMuted === 'boolean' && typeof v.cameraOff === 'boolean'
        ? {
            type: 'presence',
            name: cleanName(v.name) || 'Guest',
            micMuted: v.micMuted,
            cameraOff: v.cameraOff,
            screenSharing: v.screenSharing === true,
          }
        : undefined;
    case 'description': {
      const d = v.description;
      return isRecord(d) && (d.type === 'offer' || d.type === 'answer') && typeof d.sdp === 'string'
        ? { type: 'description', description: { type: d.type, sdp: d.sdp } }
        : undefined;
    }
    case 'candidate': {
      const c = v.candidate;
      if (!isRecord(c) || typeof c.candidate !== 'string') return undefined;
      const candidate: IceCandidate = { candidate: c.candidate };
      if (typeof c.sdpMid === 'string') candidate.sdpMid = c.sdpMid;
      if (isCount(c.sdpMLineIndex)) candidate.sdpMLineIndex = c.sdpMLineIndex;
      if (typeof c.usernameFragment === 'string') candidate.usernameFragment = c.usernameFragment;
      return { type: 'candidate', candidate };
    }
    default:
      return undefined;
  }
}

/**
 * The plaintext inside one sealed envelope: who sent it (stable across relay
 * reconnects), a sequence number that only grows (a replay is refused), and the message.
 */
export interface SealedPayload {
  from: ParticipantId;
  seq: number;
  msg: PeerMessage;
}

export const encodeSealedPayload = (p: SealedPayload): string => JSON.stringify(p);

/** Parses the plaintext of an opened envelope; malformed is undefined. */
export function parseSealedPayload(raw: string): SealedPayload | undefined {
  const parsed = parseJsonObject(raw);
  if (!parsed.ok) return undefined;
  const { from, seq, msg } = parsed.fields;
  if (!isParticipantId(from) || !isCount(seq) || seq === 0 || !isRecord(msg)) return undefined;
  const message = peerMessageOf(msg);
  return message && { from, seq, msg: message };
}
