// Share links for tests that open a call page directly, made as the popup makes them.
import { deriveRoomKey, newSecret } from '../../extension/session/room-key.ts';
import { buildShareLink } from '../../extension/session/share-link.ts';

export async function newCallLink(relayUrl: string): Promise<string> {
  const secret = newSecret();
  const { room } = await deriveRoomKey(secret);
  return buildShareLink(relayUrl, room, secret).href;
}
