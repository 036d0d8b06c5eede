// bench:relay's load generator against the real relay: every frame of the rate test arrives in
// order, is read as bytes (the shape the generator expects is the relay's), and is timed.
import { afterEach, expect, it } from 'vitest';
import { Load } from '../../bench/lib/load.ts';
import type { Relay } from '../../relay/server.ts';
import { socketUrl, startTestRelay } from './helpers.ts';

let relay: Relay | undefined;
let load: Load | undefined;
afterEach(async () => {
  load?.close();
  await relay?.close();
  relay = load = undefined;
});

it('drives the real relay at a fixed rate with every frame read, in order, and timed', async () => {
  relay = await startTestRelay({ maxMessageBytes: 64 * 1024 });
  load = await Load.open(socketUrl(relay), 20, { messageBytes: 1_000, concurrency: 10, ms: 10_000 });
  const zero = () => 0;
  const res = await load.rate({ rate: 2_000, warmupMs: 100, measureMs: 500, clocks: { server: zero, self: zero, machine: zero } });
  expect(load.violations).toEqual({ count: 0, examples: [] });
  expect(load.slowFrames).toBe(0);
  expect(res.undelivered).toBe(0);
  expect(res.measured).toBeGreaterThan(500);
  // Latencies are kept for frames delivered within the window; a few sent late in it arrive after.
  expect(res.latencies.length).toBeGreaterThan(res.measured * 0.9);
  expect(res.latencies.every((ms, i) => ms >= 0 && (i === 0 || ms >= (res.latencies[i - 1] as number)))).toBe(true);
});
