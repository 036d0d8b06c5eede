// What noise suppression and background blur cost, against the plain call
// measured in the same run.
//
//   npm run bench:media     (builds first; `tsx bench/media.ts` reuses dist/chrome)
//
// Two real headless Chromiums with the built extension and a relay in this
// process: Alice's microphone plays the speech-plus-noise WAV of the e2e test
// (tests/support/media-files.ts) and her camera is Chromium's fake one at the
// product's default size (720p; BENCH_MEDIA_HEIGHT=360 for another); Bob only receives. Alice switches her effects in
// `Settings` as a person would, one condition at a time:
//
//   plain           Noise suppression off, Blur background off (the baseline)
//   noise           Noise suppression on
//   blur            Blur background on (noise suppression off)
//   blur thumbnail  the same, while Bob shows Alice in a 160×90 tile (shrunk
//                   with the keyboard, as a person can): her one link is sent
//                   at the thumbnail's 10 fps, and the blur composites no more
//                   frames than that (blur-governor.ts, setFrameRateCap)
//
// Conditions alternate over ROUNDS rounds (this machine's load drifts minute to
// minute, so each condition is measured between the others), each after
// SETTLE_MS (the blur's own warm-up is 3 s), over a CPU_WINDOW_MS window:
// Alice's whole Chromium tree and her call page's renderer from /proc
// (bench/lib/call-cpu.ts), frames her own tile presents (with blur on, it shows
// the blurred picture that is sent: the blur's output frame rate) and frames of
// Alice that Bob's tile presents. Medians over the rounds are printed, with
// each effect's extra CPU over the plain call, and the CPU time each blurred
// frame cost over the plain call's.
//
// Not measured: the blur in a hidden tab (headless Chromium never hides a tab,
// whatever is in front).
import { cpus, loadavg } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { DEFAULTS } from '../relay/config.ts';
import { startRelay, type Relay } from '../relay/server.ts';
import { callLinkOf, joinCall, launchPerson, shrinkTile, startCall, videoFrames, type Person } from '../tests/support/browser.ts';
import { writeSpeechAndNoiseWav } from '../tests/support/media-files.ts';
import { PERSON_SWITCH, cpuBetween, snapshot } from './lib/call-cpu.ts';
import { sleep } from './lib/time.ts';

const ROUNDS = Number(process.env.BENCH_MEDIA_ROUNDS ?? 3);
/** Alice's `maxVideoHeight` setting (the camera's capture height); the product's default unless given. */
const HEIGHT = process.env.BENCH_MEDIA_HEIGHT ? Number(process.env.BENCH_MEDIA_HEIGHT) : undefined;
/** After a switch: RNNoise starts at once; the blur judges nothing for its 3 s warm-up, then settles on a level. */
const SETTLE_MS = 5_000;
const CPU_WINDOW_MS = 6_000;
/** The whole run stays under five minutes; past that it prints what it has and stops. */
const RUN_BUDGET_MS = 300_000;

type Condition = 'plain' | 'noise' | 'blur' | 'blur thumbnail';
const CONDITIONS: readonly Condition[] = ['plain', 'noise', 'blur', 'blur thumbnail'];
const WANTS: Record<Condition, { noise: boolean; blur: boolean }> = {
  plain: { noise: false, blur: false },
  noise: { noise: true, blur: false },
  blur: { noise: false, blur: true },
  'blur thumbnail': { noise: false, blur: true },
};
const isBlur = (c: Condition) => WANTS[c].blur;

interface Sample {
  browser: number;
  callPage: number;
  ownFps: number;
  bobFps: number;
  machineBusy: number;
  /** The effects note in Settings after the window, if any (e.g. the blur gave up). */
  note: string;
}

const started = Date.now();
const log = (msg: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${msg}\n`);
const samples = new Map<Condition, Sample[]>(CONDITIONS.map((c) => [c, []]));
const people: Person[] = [];
let relay: Relay | undefined;
let dir: string | undefined;

const watchdog = setTimeout(() => {
  log(`over the ${RUN_BUDGET_MS / 1000} s budget: printing what was measured and stopping`);
  print();
  void Promise.race([cleanUp(), sleep(10_000)]).then(() => process.exit(2));
}, RUN_BUDGET_MS);
watchdog.unref();

async function cleanUp(): Promise<void> {
  await Promise.all(people.map((p) => p.close()));
  await relay?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** Frames presented by `group`'s video in `page` over `ms`, per second. */
function presentedFps(page: Page, group: string, ms: number): Promise<number> {
  return page
    .getByRole('group', { name: group, exact: true })
    .locator('video')
    .evaluate(
      (el, ms) =>
        new Promise<number>((resolve) => {
          const v = el as HTMLVideoElement;
          let frames = 0;
          let on = true;
          const count = () => {
            frames += 1;
            if (on) v.requestVideoFrameCallback(count);
          };
          v.requestVideoFrameCallback(count);
          setTimeout(() => {
            on = false;
            resolve((frames * 1000) / ms);
          }, ms);
        }),
      ms,
    );
}

/** Sets both checkboxes in Alice's `Settings` as wanted, and closes the dialog. */
async function choose(page: Page, want: { noise: boolean; blur: boolean }): Promise<void> {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings', exact: true });
  await dialog.waitFor({ timeout: 5_000 });
  await dialog.getByRole('checkbox', { name: 'Noise suppression', exact: true }).setChecked(want.noise);
  await dialog.getByRole('checkbox', { name: 'Blur background', exact: true }).setChecked(want.blur);
  await page.keyboard.press('Escape');
}

/** The effects note shown in Settings, if any, and whether the blur is still on. */
async function effectsNote(page: Page): Promise<{ note: string; blurOn: boolean }> {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings', exact: true });
  await dialog.waitFor({ timeout: 5_000 });
  const notes = await dialog.locator('.effects-note').allTextContents();
  const blurOn = await dialog.getByRole('checkbox', { name: 'Blur background', exact: true }).isChecked();
  await page.keyboard.press('Escape');
  return { note: notes.join(' '), blurOn };
}

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2; // indexes within s
};
const pad = (v: string, n: number) => v.padStart(n);
const pct = (v: number) => (Number.isFinite(v) ? `${v.toFixed(0)} %` : '—');
const fps = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '—');
const signed = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(0)} %` : '—');

function print(): void {
  const base = samples.get('plain') ?? [];
  const baseBrowser = median(base.map((s) => s.browser));
  const basePage = median(base.map((s) => s.callPage));
  const rows = CONDITIONS.map((c) => {
    const s = samples.get(c) ?? [];
    const browser = median(s.map((x) => x.browser));
    const page = median(s.map((x) => x.callPage));
    return [
      c,
      `${s.length}`,
      pct(browser),
      c === 'plain' ? '' : signed(browser - baseBrowser),
      pct(page),
      c === 'plain' ? '' : signed(page - basePage),
      fps(median(s.map((x) => x.ownFps))),
      fps(median(s.map((x) => x.bobFps))),
      pct(median(s.map((x) => x.machineBusy))),
      // Percent of a core is 10 ms of CPU a second: the extra over the plain call, per frame the own tile showed.
      isBlur(c) ? `${((10 * (browser - baseBrowser)) / median(s.map((x) => x.ownFps))).toFixed(0)} ms` : '',
      [...new Set(s.map((x) => x.note).filter(Boolean))].join(' | '),
    ];
  });
  const head = ['condition', 'rounds', 'Alice CPU', 'extra', 'call page', 'extra', 'own fps', 'Bob fps', 'machine', 'extra/frame', 'note'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i] ?? 0) : pad(c, widths[i] ?? 0))).join('  ');
  console.log(`\nbench:media — ${cpus().length} cores, load average ${loadavg()[0]?.toFixed(1)} at the end, ${ROUNDS} rounds`);
  console.log('CPU in percent of one core over each window (Alice: her whole Chromium; call page: its renderer); medians over rounds.');
  console.log(
    'own fps: frames Alice’s own tile presents (with blur on, the blurred picture she sends); Bob fps: frames of Alice at Bob.\n',
  );
  console.log(line(head));
  for (const r of rows) console.log(line(r));
}

async function main(): Promise<void> {
  dir = mkdtempSync(join(tmpdir(), 'zing-bench-media-'));
  const wav = join(dir, 'speech-and-noise.wav');
  writeSpeechAndNoiseWav(wav, 60);
  relay = await startRelay({ ...DEFAULTS, port: 0, logLevel: 'silent' });
  const [alice, bob] = await Promise.all([
    launchPerson({
      name: 'Alice',
      relayUrl: relay.url,
      extraArgs: [`${PERSON_SWITCH}=Alice`, `--use-file-for-fake-audio-capture=${wav}`],
      ...(HEIGHT && { settings: { maxVideoHeight: HEIGHT } }),
    }),
    launchPerson({ name: 'Bob', relayUrl: relay.url, extraArgs: [`${PERSON_SWITCH}=Bob`] }),
  ]);
  people.push(alice, bob);
  const alicePage = await startCall(alice);
  const bobPage = await joinCall(bob, await callLinkOf(alicePage));
  await Promise.all([videoFrames(alicePage, 'Bob'), videoFrames(bobPage, 'Alice')]);
  log(`call up; Alice’s camera: ${JSON.stringify(await videoFrames(alicePage, 'Alice (you)'))}`);

  for (let round = 1; round <= ROUNDS; round++) {
    for (const condition of CONDITIONS) {
      await choose(alicePage, WANTS[condition]);
      if (condition === 'blur thumbnail') await shrinkTile(bobPage, 'Alice', 160, 90);
      await sleep(SETTLE_MS);
      const before = snapshot(['Alice']);
      const [ownFps, bobFps] = await Promise.all([
        presentedFps(alicePage, 'Alice (you)', CPU_WINDOW_MS),
        presentedFps(bobPage, 'Alice', CPU_WINDOW_MS),
      ]);
      const after = snapshot(['Alice']);
      const cpu = cpuBetween(before, after);
      const share = cpu.people.get('Alice');
      const { blurOn } = await effectsNote(alicePage);
      const sample: Sample = {
        browser: share?.browser ?? Number.NaN,
        callPage: share?.callPage ?? Number.NaN,
        ownFps,
        bobFps,
        machineBusy: cpu.machineBusyPercent,
        // The note stays until the blur is switched on again: only a blur round's own counts.
        note: isBlur(condition) && !blurOn ? 'gave up (too slow)' : '',
      };
      if (condition === 'blur thumbnail') await bobPage.getByRole('button', { name: 'Reset layout', exact: true }).click();
      samples.get(condition)?.push(sample);
      log(
        `round ${round} ${condition}: Alice ${sample.browser.toFixed(0)} %, call page ${sample.callPage.toFixed(0)} %, ` +
          `own ${ownFps.toFixed(1)} fps, at Bob ${bobFps.toFixed(1)} fps${sample.note ? `; ${sample.note}` : ''}`,
      );
    }
  }
  print();
}

main()
  .catch((err: unknown) => {
    console.error(err);
    print();
    process.exitCode = 1;
  })
  .finally(async () => {
    clearTimeout(watchdog);
    await cleanUp();
  });
