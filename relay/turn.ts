// Short-lived TURN credentials in coturn's REST scheme (`use-auth-secret` with
// `static-auth-secret`, from draft-uberti-behave-turn-rest-00): the relay and
// coturn share a secret, the relay signs a username that carries an expiry,
// and coturn checks the signature and the expiry without asking anyone.
// Nothing secret ever ships in the extension.
import { createHmac } from 'node:crypto';
import type { PeerId, TurnServer } from '../protocol/relay.ts';

export interface TurnConfig {
  /** Shared with coturn (`static-auth-secret`). */
  secret: string;
  /** `turn:` / `turns:` URLs of the coturn servers that share the secret. */
  urls: readonly string[];
  /** How long a credential can start new allocations. */
  ttlSeconds: number;
}

/**
 * Credentials for one connection: username `<expiry unix seconds>:<peer id>`,
 * credential base64(HMAC-SHA1(secret, username)). The peer id makes them
 * per connection, so coturn's logs and per-user quotas tell connections apart.
 */
export function turnCredentials(config: TurnConfig, peer: PeerId, nowMs: number): TurnServer {
  const expiry = Math.floor(nowMs / 1000) + config.ttlSeconds;
  const username = `${expiry}:${peer}`;
  const credential = createHmac('sha1', config.secret).update(username).digest('base64');
  return { urls: [...config.urls], username, credential };
}
