// The wire protocol between the relay and every client: frames both ways,
// their parsers, error and close codes. The relay and the extension both import
// it, so it stays free of Node and DOM imports.
//
// The relay routes opaque `data` strings between the peers of a room. It never
// reads them: SDP, ICE candidates, names and mute state all travel inside
// `data`, which is why sealing them end to end drops in without a protocol change.

import { isRecord, parseJsonObject } from './guards.ts';
import { isPeerId, isRoomId, type PeerId, type RoomId } from './ids.ts';

export type { PeerId, RoomId } from './ids.ts';

export type ClientMessage =
  | { type: 'join'; room: RoomId }
  /** To one peer of the room, or (without `to`) to every other peer in it. */
  | { type: 'signal'; to?: PeerId; data: string }
  | { type: 'leave' }
  /**
   * Answered at once with `pong`, joined or not. A browser cannot see the
   * relay's WebSocket pings, so a client sends this when the relay has been
   * quiet for a while, to find out whether its socket still reaches it: a TCP
   * path that went dark (a network change, a NAT that forgot it) closes
   * nothing, and the socket would look open for many minutes.
   */
  | { type: 'ping' };

export type ServerMessage =
  /**
   * `peers` are the ones already in the room, oldest first. `iceServers`:
   * short-lived TURN credentials minted for this connection, where the relay
   * has a TURN secret and someone else is in the room; nothing secret ships
   * in the extension.
   */
  | { type: 'joined'; room: RoomId; self: PeerId; peers: PeerId[]; iceServers?: TurnServer[] }
  /**
   * TURN credentials for a member that joined alone, sent just before the
   * `peerJoined` of the first person to join it: nobody gets TURN for a room
   * they are alone in. They apply to every link from then on.
   */
  | { type: 'iceServers'; iceServers: TurnServer[] }
  | { type: 'peerJoined'; peer: PeerId }
  | { type: 'peerLeft'; peer: PeerId }
  | { type: 'signal'; from: PeerId; data: string }
  /** The answer to a client's `ping`. */
  | { type: 'pong' }
  | { type: 'error'; code: ErrorCode; detail: string };

/** A TURN server with coturn REST credentials: username `<expiry unix s>:<peer>`, credential base64 HMAC-SHA1. */
export interface TurnServer {
  urls: string[];
  username: string;
  credential: string;
}

const isTurnServer = (v: unknown): v is TurnServer =>
  isRecord(v) &&
  Array.isArray(v.urls) &&
  v.urls.length > 0 &&
  v.urls.every((u) => typeof u === 'string' && /^turns?:/.test(u)) &&
  typeof v.username === 'string' &&
  typeof v.credential === 'string';

/** Every typed error the relay can answer with. The connection stays open unless a close code follows. */
export const ERROR_CODES = [
  'BAD_JSON',
  'BAD_MESSAGE',
  'NOT_JOINED',
  'ALREADY_JOINED',
  'UNKNOWN_PEER',
  'ROOM_FULL',
  /** Too many messages from this connection, or joins from its address: the frame was dropped. */
  'RATE_LIMITED',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** WebSocket close codes the relay uses; Zing's own sit in 4000–4999. */
export const CloseCode = {
  /** Relay shutting down (RFC 6455 "going away"); clients reconnect. */
  GOING_AWAY: 1001,
  /** A frame above the relay's size cap (RFC 6455 "message too big"). */
  MESSAGE_TOO_BIG: 1009,
  /** The relay could not reach its bus (Redis) in time; clients reconnect (RFC 6455 registry "try again later"). */
  TRY_AGAIN_LATER: 1013,
  /** Joined no room within ZING_JOIN_TIMEOUT_MS of the upgrade (after HTTP's 408 Request Timeout). */
  JOIN_TIMEOUT: 4008,
  /**
   * Stopped reading: more than the relay's cap (ZING_MAX_OUTBOUND_BYTES) waited
   * to be sent to it (after HTTP's 413, as 4029 is after 429). Reconnecting starts afresh.
   */
  SLOW_READER: 4013,
  /** Kept flooding after RATE_LIMITED (4000 + HTTP's 429); reconnecting starts with a fresh allowance. */
  RATE_LIMITED: 4029,
} as const;

export type Parsed<T> = { ok: true; msg: T } | { ok: false; code: ErrorCode; detail: string };

const bad = (code: ErrorCode, detail: string): { ok: false; code: ErrorCode; detail: string } => ({
  ok: false,
  code,
  detail,
});

/** The first step of both parsers: a frame must be a JSON object. */
function parseObject(raw: string): { ok: true; fields: Record<string, unknown> } | { ok: false; code: ErrorCode; detail: string } {
  const parsed = parseJsonObject(raw);
  if (parsed.ok) return parsed;
  return parsed.reason === 'not JSON' ? bad('BAD_JSON', 'frame is not JSON') : bad('BAD_MESSAGE', 'frame is not a JSON object');
}

/** Validates one inbound frame at the relay's edge. Extra fields are dropped, never forwarded. */
export function parseClientMessage(raw: string): Parsed<ClientMessage> {
  const parsed = parseObject(raw);
  if (!parsed.ok) return parsed;
  const v = parsed.fields;
  switch (v.type) {
    case 'join':
      return isRoomId(v.room)
        ? { ok: true, msg: { type: 'join', room: v.room } }
        : bad('BAD_MESSAGE', 'join needs a room id of 16-64 base64url characters');
    case 'signal': {
      if (typeof v.data !== 'string') return bad('BAD_MESSAGE', 'signal needs string data');
      if (v.to === undefined) return { ok: true, msg: { type: 'signal', data: v.data } };
      return isPeerId(v.to)
        ? { ok: true, msg: { type: 'signal', to: v.to, data: v.data } }
        : bad('BAD_MESSAGE', 'signal.to must be a peer id');
    }
    case 'leave':
      return { ok: true, msg: { type: 'leave' } };
    case 'ping':
      return { ok: true, msg: { type: 'ping' } };
    default:
      return bad('BAD_MESSAGE', typeof v.type === 'string' ? `unknown type "${v.type.slice(0, 32)}"` : 'missing type');
  }
}

/**
 * Validates one frame from the relay on the client side. The relay is not
 * trusted to be well-formed either: a bad frame is reported, never thrown.
 */
export function parseServerMessage(raw: string): Parsed<ServerMessage> {
  const parsed = parseObject(raw);
  if (!parsed.ok) return parsed;
  const v = parsed.fields;
  switch (v.type) {
    case 'joined':
      if (!(isRoomId(v.room) && isPeerId(v.self) && Array.isArray(v.peers) && v.peers.every(isPeerId))) {
        return bad('BAD_MESSAGE', 'malformed joined');
      }
      if (v.iceServers !== undefined && !(Array.isArray(v.iceServers) && v.iceServers.every(isTurnServer))) {
        return bad('BAD_MESSAGE', 'malformed joined.iceServers');
      }
      return {
        ok: true,
        msg: {
          type: 'joined',
          room: v.room,
          self: v.self,
          peers: v.peers,
          // Rebuilt, not passed through: a field the relay added would reach RTCPeerConnection unchecked.
          ...(v.iceServers !== undefined && {
            iceServers: v.iceServers.map(({ urls, username, credential }) => ({ urls, username, credential })),
          }),
        },
      };
    case 'iceServers':
      return Array.isArray(v.iceServers) && v.iceServers.every(isTurnServer)
        ? {
            ok: true,
            // Rebuilt, as in joined.
            msg: { type: 'iceServers', iceServers: v.iceServers.map(({ urls, username, credential }) => ({ urls, username, credential })) },
          }
        : bad('BAD_MESSAGE', 'malformed iceServers');
    case 'peerJoined':
    case 'peerLeft':
      return isPeerId(v.peer) ? { ok: true, msg: { type: v.type, peer: v.peer } } : bad('BAD_MESSAGE', `malformed ${v.type}`);
    case 'signal':
      return isPeerId(v.from) && typeof v.data === 'string'
        ? { ok: true, msg: { type: 'signal', from: v.from, data: v.data } }
        : bad('BAD_MESSAGE', 'malformed signal');
    case 'pong':
      return { ok: true, msg: { type: 'pong' } };
    case 'error':
      return typeof v.code === 'string' && (ERROR_CODES as readonly string[]).includes(v.code) && typeof v.detail === 'string'
        ? { ok: true, msg: { type: 'error', code: v.code as ErrorCode, detail: v.detail } } // checked against ERROR_CODES just above
        : bad('BAD_MESSAGE', 'malformed error');
    default:
      return bad('BAD_MESSAGE', 'unknown type');
  }
}

export const encodeMessage = (msg: ClientMessage | ServerMessage): string => JSON.stringify(msg);
