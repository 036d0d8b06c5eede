// What a local recording costs: the recorder's extra CPU against the same
// call without it, measured in the same run.
//
//   npm run bench:record      (builds first; `tsx bench/record.ts` reuses dist/chrome)
//
// Three people (Ada, Bo, Cy) in one call on loopback, each a real headless
// Chromium with the built extension, fake camera and microphone, and the
// product's `maxVideoHeight: 240` setting; the relay runs in this process.
// After STEADY_MS of call, Ada's CPU is read from /proc (bench/lib/call-cpu.ts:
// her whole Chromium tree, and the extension renderer that runs the call page)
// in WINDOW_MS windows that alternate: plain call, then recording (Ada presses
// Record; the window starts once her own tile says Recording), ROUNDS times,
// so a drift in the machine's load falls on both sides alike. Each row is the
// median over the rounds. The recordings are saved nowhere; their size gives
// the bitrate the recorder actually wrote.
import { cpus, loadavg } from 'node:os';
import type { Page } from 'playwright-core';
import { DEFAULTS } from '../relay/config.ts';
import { startRelay } from '../relay/server.ts';
import { RECORDING_FPS, RECORDING_MAX_WIDTH } from '../extension/session/recording-state.ts';
import { callLinkOf, joinCall, launchPerson, startCall, videoFrames, type Person } from '../tests/support/browser.ts';
import { PERSON_SWITCH, cpuBetween, snapshot } from './lib/call-cpu.ts';
import { sleep } from './lib/time.ts';

const NAMES = ['Ada', 'Bo', 'Cy'] as const;
const SETTINGS = { maxVideoHeight: 240 };
/** Bandwidth estimation and the encoders settle in the first seconds of a call. */
const STEADY_MS = 5_000;
/** One window of each kind per round: long enough for 75 recorded frames and a few chunks. */
const WINDOW_MS = 5_000;
const ROUNDS = Number(process.env.BENCH_RECORD_ROUNDS ?? 3);

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

interface Sample {
  browser: number;
  callPage: number;
  others: number;
}

function measure(ms: number): Promise<Sample> {
  const names = [...NAMES];
  const before = snapshot(names);
  return sleep(ms).then(() => {
    const cpu = cpuBetween(before, snapshot(names));
    const ada = cpu.people.get('Ada');
    let others = 0;
    for (const [name, share] of cpu.people) if (name !== 'Ada') others += share.browser;
    return { browser: ada?.browser ?? Number.NaN, callPage: ada?.callPage ?? Number.NaN, others };
  });
}

const recordButton = (page: Page) => page.getByRole('button', { name: 'Record', exact: true });

async function main(): Promise<void> {
  console.log(`bench:record on ${cpus().length} cores, load ${loadavg()[0]?.toFixed(2)} at start`);
  const relay = await startRelay({ ...DEFAULTS, port: 0, logLevel: 'silent' });
  const people: Person[] = await Promise.all(
    NAMES.map((name) => launchPerson({ name, relayUrl: relay.url, settings: SETTINGS, extraArgs: [`${PERSON_SWITCH}=${name}`] })),
  );
  try {
    const [ada, bo, cy] = people as [Person, Person, Person];
    const adaPage = await startCall(ada);
    const link = await callLinkOf(adaPage);
    const [boPage, cyPage] = await Promise.all([joinCall(bo, link), joinCall(cy, link)]);
    await Promise.all([
      videoFrames(adaPage, 'Bo', 30_000),
      videoFrames(adaPage, 'Cy', 30_000),
      videoFrames(boPage, 'Ada', 30_000),
      videoFrames(cyPage, 'Ada', 30_000),
    ]);
    await sleep(STEADY_MS);

    const plain: Sample[] = [];
    const recording: Sample[] = [];
    const recordedBytesPerSecond: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      plain.push(await measure(WINDOW_MS));
      await recordButton(adaPage).click();
      await adaPage
        .getByRole('group', { name: 'Ada (you)', exact: true })
        .getByText('Recording', { exact: true })
        .waitFor({ state: 'visible', timeout: 10_000 });
      const t0 = performance.now();
      recording.push(await measure(WINDOW_MS));
      await recordButton(adaPage).click();
      const save = adaPage.getByRole('link', { name: 'Save recording', exact: true });
      await save.waitFor({ timeout: 10_000 });
      const seconds = (performance.now() - t0) / 1000;
      const bytes = await save.evaluate(async (el) => (await (await fetch((el as HTMLAnchorElement).href)).blob()).size);
      recordedBytesPerSecond.push(bytes / seconds);
      // The Save link stays until the next recording is done; let the page settle before the next plain window.
      await sleep(1_000);
    }

    const row = (label: string, s: Sample[]) =>
      `  ${label.padEnd(24)} ${median(s.map((x) => x.browser))
        .toFixed(0)
        .padStart(6)}%  ${median(s.map((x) => x.callPage))
        .toFixed(0)
        .padStart(8)}%  ${median(s.map((x) => x.others))
        .toFixed(0)
        .padStart(10)}%`;
    console.log(
      `\nAda's CPU, percent of one core, median of ${ROUNDS} alternating ${WINDOW_MS / 1000} s windows (3 people, 240p cameras):`,
    );
    console.log(`  ${''.padEnd(24)} ${'browser'.padStart(7)}  ${'call page'.padStart(9)}  ${'Bo + Cy'.padStart(11)}`);
    console.log(row('plain call (baseline)', plain));
    console.log(row(`recording ${RECORDING_MAX_WIDTH}px ${RECORDING_FPS} fps`, recording));
    const extra = median(recording.map((r, i) => r.browser - (plain[i]?.browser ?? Number.NaN)));
    const extraPage = median(recording.map((r, i) => r.callPage - (plain[i]?.callPage ?? Number.NaN)));
    console.log(`  ${'extra for recording'.padEnd(24)} ${extra.toFixed(0).padStart(6)}%  ${extraPage.toFixed(0).padStart(8)}%`);
    console.log(
      `\nRecorded: ${(median(recordedBytesPerSecond) / 1024).toFixed(0)} KiB/s written (median), load ${loadavg()[0]?.toFixed(2)} at end`,
    );
  } finally {
    await Promise.all(people.map((p) => p.close()));
    await relay.close();
  }
}

await main();
