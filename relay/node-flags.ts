// The Node flags the relay runs with, wherever it runs: `npm run relay`, the
// Docker image, the tests that start it as a process and bench:relay. A relay
// unit test checks that package.json and the Dockerfile pass these.

/**
 * A young generation of 32 MiB semi-spaces (Node 20's default is 16 MiB).
 * Every frame the relay handles allocates a few KiB that die within
 * milliseconds (the frame as a string, its parse, the encoded frame for its
 * recipients). At 10,000 msg/s the default young generation filled several
 * times a second and copied what was still in flight into the old generation,
 * whose collections then held every message behind them for 10–40 ms: bench:relay's
 * one-way p99 was 1.4–1.8× a bare ws forwarder's. With 32 MiB it was 3 ms
 * against bare's 12 ms, at a lower CPU cost per message (bench:relay, 2026-12-03).
 * It costs up to 32 MiB more resident memory while busy and for a while after: right
 * after 10,000 joins RSS was 8.5 KiB per connection against bare ws's 6.5, and once
 * V8 gave the young generation back (30-100 s of quiet) 2.4 against 2.9 (bench:relay).
 */
export const RELAY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32'];
