// Preloaded into every server bench:relay starts (`--expose-gc --import`), so the
// bench can ask for a full GC before reading VmRSS, and read the V8 heap beside it,
// and ask how often and how long the server paused for GC since it last asked.
// The same for every server.
import { PerformanceObserver } from 'node:perf_hooks';

let pauses: number[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) pauses.push(e.duration);
}).observe({ entryTypes: ['gc'] });

process.on('message', (msg) => {
  if (msg === 'pauses') {
    process.send?.({ pausesDone: true, count: pauses.length, maxMs: Math.max(0, ...pauses) });
    pauses = [];
    return;
  }
  if (msg !== 'gc') return;
  globalThis.gc?.();
  pauses = []; // asked for, not the server's own
  const { heapUsed, external, arrayBuffers } = process.memoryUsage();
  process.send?.({ gcDone: true, heapUsed, external, arrayBuffers });
});
// The IPC channel must not keep a server alive that would otherwise exit.
process.channel?.unref();
