// Preloaded into every server bench:relay starts (`--expose-gc --import`), so the
// bench can ask for a full GC before reading VmRSS, and read the V8 heap beside it.
// The same for all three servers.
process.on('message', (msg) => {
  if (msg !== 'gc') return;
  globalThis.gc?.();
  const { heapUsed, external, arrayBuffers } = process.memoryUsage();
  process.send?.({ gcDone: true, heapUsed, external, arrayBuffers });
});
// The IPC channel must not keep a server alive that would otherwise exit.
process.channel?.unref();
