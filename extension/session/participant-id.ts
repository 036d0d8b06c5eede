// Who someone is in a call, independent of the relay: a random id each call
// page makes once. Relay peer ids change on every reconnect (and a restarted
// relay remembers none); this one lets peers recognise each other across that.
import type { ParticipantId } from '../../protocol/ids.ts';
import { toBase64Url } from './room-key.ts';

// 16 random bytes are 22 base64url characters, the shape isParticipantId accepts.
export const newParticipantId = (): ParticipantId => toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
