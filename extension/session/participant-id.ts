// Who someone is in a call, independent of the relay: a random id each call
// page makes once. Relay peer ids change on every reconnect (and a restarted
// relay remembers none); this one lets peers recognise each other across that.
import { toBase64Url } from './room-key.ts';

export const newParticipantId = (): string => toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
