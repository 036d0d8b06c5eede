// Every id Zing's messages carry, the paths built from them, and their guards.
//
// Two ids name a person and must never be mixed up:
// - a PeerId is the relay's address of one connection in one room; it changes
//   on every reconnect, and a restarted relay remembers none;
// - a ParticipantId is who someone is for the whole call, carried inside sealed
//   messages, so links and tiles survive the relay.
// Both are "flavoured" strings: passing one where the other is meant is a type
// error, while a plain string (a parsed frame, a test's literal) still fits
// either. The guards below are what makes a string one of them at the edge.

declare const flavour: unique symbol;
type Flavour<T, F extends string> = T & { readonly [flavour]?: F };

/** A relay-assigned address of one connection in one room. Never chosen by a client. */
export type PeerId = Flavour<string, 'PeerId'>;
/** The room id the relay sees: base64url, 16 to 64 characters (at least 96 bits). */
export type RoomId = string;
/**
 * Who someone is in a call, independent of the relay: the base64url SHA-256
 * of their signing key (SPKI), so a claimed id can be checked against the key
 * that signs for it (extension/session/identity.ts).
 */
export type ParticipantId = Flavour<string, 'ParticipantId'>;
/**
 * One call page's session: 16 random bytes made when the page starts. A
 * message meant for one page names it, so a fresh page refuses what was said
 * to an earlier one (protocol/peer.ts, "Handshake").
 */
export type SessionId = Flavour<string, 'SessionId'>;

// 16 characters of base64url are 96 bits; 64 leaves room for derived ids.
const ROOM_ID = /^[A-Za-z0-9_-]{16,64}$/;
// Peer ids are minted by the relay; accept only that shape back.
const PEER_ID = /^[A-Za-z0-9_-]{1,32}$/;
// 16 random bytes in base64url are 22 characters; up to 64 leaves room for ids derived from keys.
const PARTICIPANT_ID = /^[A-Za-z0-9_-]{16,64}$/;
// 16 random bytes in base64url are exactly 22 characters.
const SESSION_ID = /^[A-Za-z0-9_-]{22}$/;
// crypto.randomUUID() makes every message and transfer id; a peer's ids must look the same, which also bounds their length.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isRoomId = (v: unknown): v is RoomId => typeof v === 'string' && ROOM_ID.test(v);
export const isPeerId = (v: unknown): v is PeerId => typeof v === 'string' && PEER_ID.test(v);
export const isParticipantId = (v: unknown): v is ParticipantId => typeof v === 'string' && PARTICIPANT_ID.test(v);
export const isSessionId = (v: unknown): v is SessionId => typeof v === 'string' && SESSION_ID.test(v);
/** A chat message or file transfer id. */
export const isMessageId = (v: unknown): v is string => typeof v === 'string' && UUID.test(v);

/** The WebSocket endpoint, relative to the relay origin. */
export const SOCKET_PATH = '/ws';
/** Where a share link points, relative to the relay origin: `/r/<room>`. */
export const ROOM_PATH_PREFIX = '/r/';
