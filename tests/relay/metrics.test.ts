// GET /metrics of a real relay: Prometheus's text format, and counters that move with traffic.
import type { IncomingMessage } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Relay } from '../../relay/server.ts';
import { TestClient, joinedClients, newRoomId, socketUrl, startTestRelay } from './helpers.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

// https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(
  `^(${NAME})(?:\\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\.)*",?)*)\\})? (-?[0-9.]+(?:e[+-]?[0-9]+)?|[Nn]a[Nn]|[+-]Inf)$`,
); // Go's ParseFloat, which Prometheus uses, reads NaN in any case
const HELP = new RegExp(`^# HELP (${NAME}) .+$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);

/** Parses the text format strictly: every line a HELP, a TYPE or a sample of a declared family. Throws on anything else. */
function parseMetrics(text: string): Sample[] {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = TYPE.exec(line);
    if (type) {
      types.set(type[1]!, type[2]!); // both groups always match
      continue;
    }
    if (HELP.test(line)) continue;
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a Prometheus text line: ${JSON.stringify(line)}`);
    const name = m[1]!; // group 1 always matches
    const family = [...types.keys()].find(
      (f) => name === f || (name.startsWith(f) && /^_(bucket|sum|count|total)$/.test(name.slice(f.length))),
    );
    if (!family) throw new Error(`sample before its # TYPE: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[k!] = v!; // both groups always match
    samples.push({ name, labels, value: Number(m[3]) });
  }
  return samples;
}

async function scrape(relay: Relay): Promise<Sample[]> {
  const res = await fetch(`${relay.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseMetrics(await res.text());
}

/** The value of one sample, 0 if absent (a labelled counter appears only once counted). */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const s = samples.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  return s?.value ?? 0;
}

describe('GET /metrics', () => {
  let relay: Relay;
  let clients: TestClient[] = [];

  beforeAll(async () => {
    relay = await startTestRelay();
  });

  afterEach(async () => {
    await Promise.all(clients.map((c) => c.close()));
    clients = [];
  });

  afterAll(async () => {
    await relay.close();
  });

  it('answers in the Prometheus text format, with the relay’s families and the process’s', async () => {
    const samples = await scrape(relay);
    const names = new Set(samples.map((s) => s.name));
    for (const n of [
      'zing_relay_connections',
      'zing_relay_rooms',
      'zing_relay_messages_routed_total',
      'zing_relay_routed_bytes_total',
      'zing_relay_joins_total',
      'process_resident_memory_bytes',
    ]) {
      expect(names).toContain(n);
    }
    expect(names).not.toContain('zing_relay_bus_up'); // no Redis here
  });

  it('counts connections, rooms, joins, routed messages and bytes, leaves, errors by code and refused upgrades by reason', async () => {
    const before = await scrape(relay);
    const room = newRoomId();
    const [alice, bob] = await joinedClients(relay, room, ['alice', 'bob']);
    clients.push(alice, bob);
    for (const data of ['one', 'two', 'three']) alice.send({ type: 'signal', to: bob.id, data });
    for (let i = 0; i < 3; i++) await bob.next('signal');
    bob.sendRaw('not json');
    await bob.next('error');
    const refused = new WebSocket(socketUrl(relay, '/not-the-socket'));
    refused.on('error', () => undefined); // the refusal itself, checked below
    expect(
      await new Promise((resolve) => refused.once('unexpected-response', (_req, res: IncomingMessage) => resolve(res.statusCode))),
    ).toBe(404);
    refused.terminate();

    const during = await scrape(relay);
    expect(value(during, 'zing_relay_connections')).toBe(2);
    expect(value(during, 'zing_relay_rooms')).toBe(1);
    expect(value(during, 'zing_relay_joins_total') - value(before, 'zing_relay_joins_total')).toBe(2);
    expect(value(during, 'zing_relay_messages_routed_total') - value(before, 'zing_relay_messages_routed_total')).toBe(3);
    expect(value(during, 'zing_relay_routed_bytes_total') - value(before, 'zing_relay_routed_bytes_total')).toBe('onetwothree'.length);
    expect(
      value(during, 'zing_relay_errors_total', { code: 'BAD_JSON' }) - value(before, 'zing_relay_errors_total', { code: 'BAD_JSON' }),
    ).toBe(1);
    expect(value(during, 'zing_relay_rejected_upgrades_total', { reason: 'NOT_FOUND' })).toBeGreaterThanOrEqual(1);

    alice.send({ type: 'leave' });
    await bob.next('peerLeft');
    await bob.close();
    await expect.poll(async () => value(await scrape(relay), 'zing_relay_connections')).toBe(1);
    const after = await scrape(relay);
    expect(value(after, 'zing_relay_rooms')).toBe(0);
    expect(value(after, 'zing_relay_leaves_total', { reason: 'left' }) - value(before, 'zing_relay_leaves_total', { reason: 'left' })).toBe(
      1,
    );
    expect(
      value(after, 'zing_relay_leaves_total', { reason: 'closed' }) - value(before, 'zing_relay_leaves_total', { reason: 'closed' }),
    ).toBe(1);
  });

  it('never carries a payload, a room id or a peer id', async () => {
    const room = newRoomId();
    const [alice, bob] = await joinedClients(relay, room, ['alice', 'bob']);
    clients.push(alice, bob);
    alice.send({ type: 'signal', to: bob.id, data: 'secret-sdp-payload' });
    await bob.next('signal');
    const text = await (await fetch(`${relay.url}/metrics`)).text();
    for (const s of ['secret-sdp-payload', room, alice.id, bob.id]) expect(text).not.toContain(s);
  });
});

describe('GET /metrics with Redis', () => {
  let redis: RedisServer;
  let relays: Relay[] = [];

  beforeAll(async () => {
    redis = await startRedis();
  });

  afterAll(async () => {
    await Promise.all(relays.map((r) => r.close()));
    await redis?.stop();
  });

  it('adds the bus: up, and signals published to and received from the other instance', async () => {
    const config = { redis: { url: redis.url, instanceTtlMs: 2_000 } };
    relays = [await startTestRelay(config), await startTestRelay(config)];
    const [one, two] = relays as [Relay, Relay]; // two started just above
    const room = newRoomId();
    const alice = await TestClient.connect(socketUrl(one), 'alice');
    const bob = await TestClient.connect(socketUrl(two), 'bob');
    try {
      await alice.join(room);
      await bob.join(room);
      await alice.next('peerJoined');
      alice.send({ type: 'signal', to: bob.id, data: 'across' });
      await bob.next('signal');
      const a = await scrape(one);
      const b = await scrape(two);
      expect(value(a, 'zing_relay_bus_up')).toBe(1);
      expect(value(a, 'zing_relay_bus_published_total')).toBe(1);
      expect(value(b, 'zing_relay_bus_received_total')).toBeGreaterThanOrEqual(2); // bob's own join and the signal
      expect(value(a, 'zing_relay_bus_errors_total')).toBe(0);
    } finally {
      await alice.close();
      await bob.close();
    }
  });
});
