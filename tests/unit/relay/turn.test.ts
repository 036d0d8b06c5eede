import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseServerMessage } from '../../../protocol/relay.ts';
import { turnCredentials, type TurnConfig } from '../../../relay/turn.ts';

const CONFIG: TurnConfig = {
  secret: 'north-sea-shared-secret',
  urls: ['turn:turn.example:3478?transport=udp', 'turns:turn.example:443?transport=tcp'],
  ttlSeconds: 12 * 60 * 60,
};
/** 2023-11-14T22:13:20Z */
const NOW_MS = 1_700_000_000_000;

describe('turnCredentials', () => {
  it('names the user "<expiry unix seconds>:<peer id>", the expiry being now plus the TTL', () => {
    expect(turnCredentials(CONFIG, 'AbCdEfGhIjKl', NOW_MS).username).toBe('1700043200:AbCdEfGhIjKl');
  });

  it('signs the username with HMAC-SHA1 under the secret, base64 (known answer from `openssl dgst -sha1 -hmac`)', () => {
    // printf '%s' '1700043200:AbCdEfGhIjKl' | openssl dgst -sha1 -hmac 'north-sea-shared-secret' -binary | base64
    expect(turnCredentials(CONFIG, 'AbCdEfGhIjKl', NOW_MS).credential).toBe('pvvKJoQqEKnoToNlykPHgD+U9S8=');
  });

  it('matches what coturn computes from the username and its static-auth-secret', () => {
    const { username, credential } = turnCredentials(CONFIG, 'peer0123', NOW_MS + 1234);
    expect(credential).toBe(createHmac('sha1', CONFIG.secret).update(username).digest('base64'));
  });

  it('rounds the clock down to whole seconds', () => {
    expect(turnCredentials(CONFIG, 'p', NOW_MS + 999).username).toBe('1700043200:p');
    expect(turnCredentials(CONFIG, 'p', NOW_MS + 1000).username).toBe('1700043201:p');
  });

  it('follows the injected clock and TTL', () => {
    const oneMinute = { ...CONFIG, ttlSeconds: 60 };
    expect(turnCredentials(oneMinute, 'p', NOW_MS).username).toBe('1700000060:p');
    expect(turnCredentials(oneMinute, 'p', NOW_MS + 3_600_000).username).toBe('1700003660:p');
  });

  it('gives every peer its own credential', () => {
    const a = turnCredentials(CONFIG, 'peerA', NOW_MS);
    const b = turnCredentials(CONFIG, 'peerB', NOW_MS);
    expect(a.username).not.toBe(b.username);
    expect(a.credential).not.toBe(b.credential);
  });

  it('lists every configured URL and never the secret', () => {
    const server = turnCredentials(CONFIG, 'peerA', NOW_MS);
    expect(server.urls).toEqual(CONFIG.urls);
    expect(JSON.stringify(server)).not.toContain(CONFIG.secret);
  });

  it('produces what the client-side parser accepts in joined.iceServers', () => {
    const iceServers = [turnCredentials(CONFIG, 'AbCdEfGhIjKl', NOW_MS)];
    const parsed = parseServerMessage(
      JSON.stringify({ type: 'joined', room: 'roomroomroomroom', self: 'AbCdEfGhIjKl', peers: [], iceServers }),
    );
    expect(parsed).toEqual({ ok: true, msg: { type: 'joined', room: 'roomroomroomroom', self: 'AbCdEfGhIjKl', peers: [], iceServers } });
  });
});
