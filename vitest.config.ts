import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Three projects: unit (pure logic), relay (a real relay on port 0 with real ws
// clients) and e2e (the built extension in real Chromium). `npm test` runs all.
export default defineConfig({
  test: {
    // The watchdog stops a run in which one file never ends, naming it (tests/support/watchdog-reporter.ts).
    reporters: ['default', './tests/support/watchdog-reporter.ts'],
    // At least two workers, where vitest's default (cores - 1) gives one on a 2-core machine: the unit
    // and relay files, which run first and alone (groupOrder), took 67 s one at a time and 39 s two at
    // a time there. The e2e files then run one at a time all the same (fileParallelism below).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
          sequence: { groupOrder: 0 },
          // Threads, no fresh module graph per file: the unit tests are pure, and
          // isolation cost three times their run time (36 s against 10 s on 2 cores).
          // Stubbed globals and env vars are put back after each test, so none leaks into the next file.
          pool: 'threads',
          isolate: false,
          unstubGlobals: true,
          unstubEnvs: true,
        },
      },
      {
        test: {
          name: 'relay',
          include: ['tests/relay/**/*.test.ts'],
          environment: 'node',
          sequence: { groupOrder: 0 },
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.e2e.test.ts'],
          environment: 'node',
          // After the unit and relay files, never beside them: they would take cores the browsers need.
          sequence: { groupOrder: 1 },
          testTimeout: 90_000,
          hookTimeout: 60_000,
          // Two e2e files at once would starve 2 cores: each took 1.6-1.75 times as long.
          fileParallelism: false,
          // One worker for every file, so a browser a file is done with serves the next
          // (tests/support/browser-pool.ts); e2e-run.ts ends what is left. A stubbed global
          // (identity.e2e's WebSocket) is put back after its test.
          isolate: false,
          unstubGlobals: true,
          globalSetup: ['tests/support/e2e-run.ts'],
        },
      },
    ],
  },
});
