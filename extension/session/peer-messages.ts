// What peers say to each other inside the relay's opaque `data`. The relay
// never parses these; the receiving peer validates them like any other input.
import { cleanName } from './settings.ts';

export interface PeerPresence {
  name: string;
  micMuted: boolean;
  cameraOff: boolean;
  screenSharing: boolean;
}

export type PeerMessage =
  | ({ t: 'presence' } & PeerPresence)
  | { t: 'description'; description: { type: 'offer' | 'answer'; sdp: string } }
  | { t: 'candidate'; candidate: RTCIceCandidateInit };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const encodePeerMessage = (msg: PeerMessage): string => JSON.stringify(msg);

/** Parses one payload from a peer; anything malformed is undefined and ignored by the caller. */
export function parsePeerMessage(raw: string): PeerMessage | undefined {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!isRecord(v)) return undefined;
  switch (v.t) {
    case 'presence':
      return typeof v.micMuted === 'boolean' && typeof v.cameraOff === 'boolean'
        ? {
            t: 'presence',
            name: cleanName(v.name) || 'Guest',
            micMuted: v.micMuted,
            cameraOff: v.cameraOff,
            // Absent from older peers: they are not sharing.
            screenSharing: v.screenSharing === true,
          }
        : undefined;
    case 'description': {
      const d = v.description;
      return isRecord(d) && (d.type === 'offer' || d.type === 'answer') && typeof d.sdp === 'string'
        ? { t: 'description', description: { type: d.type, sdp: d.sdp } }
        : undefined;
    }
    case 'candidate': {
      const c = v.candidate;
      if (!isRecord(c) || typeof c.candidate !== 'string') return undefined;
      const candidate: RTCIceCandidateInit = { candidate: c.candidate };
      if (typeof c.sdpMid === 'string') candidate.sdpMid = c.sdpMid;
      if (typeof c.sdpMLineIndex === 'number') candidate.sdpMLineIndex = c.sdpMLineIndex;
      if (typeof c.usernameFragment === 'string') candidate.usernameFragment = c.usernameFragment;
      return { t: 'candidate', candidate };
    }
    default:
      return undefined;
  }
}
