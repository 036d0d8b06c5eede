// One call across two relay instances that share a Redis: each person's link
// points at a different instance (same room, same key), frames flow both ways,
// and when one instance is SIGKILLed its person leaves the other's call within
// the instance TTL, with no ghost tile left behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../relay/config.ts';
import { startRelay, type Relay } from '../../relay/server.ts';
import { deriveRoomKey, newSecret } from '../../extension/session/room-key.ts';
import { buildShareLink } from '../../extension/session/share-link.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';
import { launchPerson, openCallPage, videoFrames, type Person } from '../support/browser.ts';
import { spawnRelay, type RelayProcess } from '../support/relay-process.ts';

/** Short, so the test waits little; the default is 10 s. A sweep runs every quarter of it. */
const TTL_MS = 2_000;

describe('a call across two relay instances on one Redis', () => {
  let redis: RedisServer;
  let here: Relay;
  let there: RelayProcess;
  let alice: Person;
  let bob: Person;

  beforeAll(async () => {
    redis = await startRedis();
    const bus = { url: redis.url, instanceTtlMs: TTL_MS };
    here = await startRelay({ ...DEFAULTS, port: 0, logLevel: 'silent', redis: bus });
    // A child process, so it can die as a crashed host does.
    there = await spawnRelay({ env: { REDIS_URL: redis.url, ZING_INSTANCE_TTL_MS: String(TTL_MS) } });
    [alice, bob] = await Promise.all([
      launchPerson({ name: 'Alice', relayUrl: here.url }),
      launchPerson({ name: 'Bob', relayUrl: there.url }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([alice?.close(), bob?.close()]);
    await there?.kill();
    await here?.close();
    await redis?.stop();
  });

  it('connects people on different instances, and drops the one whose instance crashed within the TTL', async () => {
    // The same room and key behind two relay origins: each person talks to their own instance.
    const secret = newSecret();
    const { room } = await deriveRoomKey(secret);
    const a = await openCallPage(alice, buildShareLink(here.url, room, secret).href);
    const b = await openCallPage(bob, buildShareLink(there.url, room, secret).href);
    const [bobSeen, aliceSeen] = await Promise.all([videoFrames(a, 'Bob', 30_000), videoFrames(b, 'Alice', 30_000)]);
    expect(bobSeen.framesAdvanced).toBeGreaterThanOrEqual(5);
    expect(aliceSeen.framesAdvanced).toBeGreaterThanOrEqual(5);
    // Both instances hold a member of the room, and each sees both.
    expect(here.rooms.peersIn(room)).toHaveLength(2);
    expect(await redis.client.zcard(`zing:r:${room}`)).toBe(2);

    await there.kill();
    const killedAt = Date.now();
    // Bob's browser is fine and media may still flow, but his relay address is gone:
    // the surviving instance sweeps him out and Alice's call page drops his tile.
    await a.getByRole('group', { name: 'Bob', exact: true }).waitFor({ state: 'detached', timeout: TTL_MS * 3 + 5_000 });
    const gone = Date.now() - killedAt;
    console.log(`scale e2e: Bob's tile gone ${gone} ms after his instance was killed (TTL ${TTL_MS} ms)`);
    // Key expiry (at most TTL after the last refresh) + one sweep period + the page's reaction; slack for 2 loaded cores.
    expect(gone).toBeLessThan(TTL_MS + TTL_MS / 4 + 3_000);
    expect(here.rooms.peersIn(room)).toHaveLength(1);
    expect(await redis.client.zcard(`zing:r:${room}`)).toBe(1);
    await expect.poll(() => a.getByRole('status').textContent(), { timeout: 5_000 }).not.toBe('Reconnecting…');
  });
});
