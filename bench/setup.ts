// Call set-up time: from the click that joins to the first decoded remote
// frame, on loopback, for 10 calls of each way in, beside a bare WebRTC page
// doing the same call through the same relay in the same run:
//   - popup: `Join` in B's popup opens a cold call page (the page loads, reads
//     storage, makes its keys, opens camera and relay socket);
//   - pre-join: B opened the link, asked for the preview and presses `Join call`
//     on a page that warmed everything it may before the click (camera, keys,
//     device list; the relay socket waits for the click: nothing is sent before it);
//   - bare: a page that opens camera and socket as it loads and offers at once.
//
//   npm run bench:setup      (builds first; `tsx bench/setup.ts` reuses dist/chrome)
//
// Two real Chromium profiles with the built extension (tests/support/browser.ts), a
// real relay in-process, fake camera and microphone. Every time is taken inside
// Chromium (bench/lib/setup-probe.ts): the click, then the first frame each call
// page presents for the other person's tile (requestVideoFrameCallback). The
// bench changes nothing in the extension.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join as join_ } from 'node:path';
import type { Page } from 'playwright-core';
import { DEFAULTS } from '../relay/config.ts';
import { startRelay, type Relay } from '../relay/server.ts';
import { callLinkOf, launchPerson, openPopup, startCall, updateProfile, type Person } from '../tests/support/browser.ts';
import { startBaselineServer, type BaselineServer } from './lib/setup-baseline.ts';
import { installProbe, type ProbeRecord } from './lib/setup-probe.ts';

/** Calls of each way in; ZING_BENCH_CALLS sets fewer for a quick look (a profile). */
const CALLS = Number(process.env.ZING_BENCH_CALLS ?? 10);
/** The whole run is bounded; a stuck call fails the run instead of hanging it. */
const RUN_BUDGET_MS = 480_000;
/** One call that has not shown a frame by then is broken, not slow. */
const FRAME_TIMEOUT_MS = 15_000;
/**
 * The target (#12): Zing's median from `Join call`, B side, at or below the bare
 * page's in the same run. An absolute figure depends on the machine and its load;
 * this one (the bare page's on a quiet machine here) is printed beside it, not judged.
 */
const QUIET_BARE_MS = 350;

const PROBE_PAGES = ['/extension/call/', '/baseline.html'];
/**
 * How long B looks at the pre-join page with the preview on before pressing
 * `Join call`: a person reads the page and their name for longer; the button
 * arms after 500 ms (JOIN_ARMING_MS).
 */
const PREJOIN_LOOK_MS = 700;

interface CallSample {
  /** Start (Join click, or the baseline's navigation request) → first remote frame at B / at A. */
  b: number;
  a: number;
  /** B's page: navigation start → first remote frame (no popup, no tab creation). */
  bFromNav: number;
  /** Marks of B's and A's page, relative to the start. */
  bMarks: Record<string, number>;
  aMarks: Record<string, number>;
  /** Before each side's first remote frame: WebRTC-thread calls (getStats, setParameters…) and long main-thread tasks. */
  bBusy: Busy;
  aBusy: Busy;
  /** The probe ran after the page's own scripts started on one side, so early marks of that call are missing. */
  late: boolean;
  /** A first remote frame was not its video's first presented frame: the probe came too late for that frame time. */
  frameLate: boolean;
}

interface Busy {
  /** name → [count, total ms] */
  calls: Record<string, [number, number]>;
  longTasks: number;
  longTaskMs: number;
}

/** ZING_BENCH_VERBOSE=1 prints every call's marks, WebRTC calls and long tasks to stderr. */
const VERBOSE = process.env.ZING_BENCH_VERBOSE === '1';
/**
 * ZING_BENCH_BEFORE_DIST=<an older build's dist/chrome> also times the pre-join
 * way in on that build, interleaved in the same run (a before/after on one machine load).
 */
const BEFORE_DIST = process.env.ZING_BENCH_BEFORE_DIST;
/**
 * ZING_BENCH_PROFILE_DIR=<dir> writes a V8 CPU profile of B's pre-join page per
 * call, from just before `Join call` to B's first remote frame
 * (`prejoin-<n>.cpuprofile`; read them with bench/cpu-profile.ts). Profiling
 * slows the page: figures of such a run are not comparable.
 */
const PROFILE_DIR = process.env.ZING_BENCH_PROFILE_DIR;
let profiled = 0;
/**
 * ZING_BENCH_NOISE_SUPPRESSION=0 turns noise suppression (on by default, #15)
 * off in every Zing profile: what its RNNoise graph costs the way in.
 */
const NOISE_SUPPRESSION = process.env.ZING_BENCH_NOISE_SUPPRESSION !== '0';
/** ZING_BENCH_BASELINE_DATACHANNEL=1 gives the bare page a data channel in its first offer, as Zing has for chat. */
const BASELINE_DATACHANNEL = process.env.ZING_BENCH_BASELINE_DATACHANNEL === '1';

function busyUntilFrame(record: ProbeRecord): Busy {
  const until = record.marks.firstRemoteFrame ?? Infinity;
  const calls: Record<string, [number, number]> = {};
  for (const c of record.calls) {
    if (c.at > until) continue;
    const entry = (calls[c.name] ??= [0, 0]);
    entry[0] += 1;
    entry[1] += c.ms;
  }
  const tasks = record.longTasks.filter((t) => t.at <= until);
  return { calls, longTasks: tasks.length, longTaskMs: tasks.reduce((sum, t) => sum + t.ms, 0) };
}

function sampleOf(bob: ProbeRecord, alice: ProbeRecord, start: number): CallSample {
  return {
    b: mustMark(bob, 'firstRemoteFrame') - start,
    a: mustMark(alice, 'firstRemoteFrame') - start,
    bFromNav: mustMark(bob, 'firstRemoteFrame') - mustMark(bob, 'nav'),
    bMarks: relative(bob.marks, start),
    aMarks: relative(alice.marks, start),
    bBusy: busyUntilFrame(bob),
    aBusy: busyUntilFrame(alice),
    late: bob.readyState !== 'loading' || alice.readyState !== 'loading',
    frameLate: [bob, alice].some((r) => Object.entries(r.frames).some(([label, f]) => !label.endsWith('(you)') && f.presentedFrames > 1)),
  };
}

const watchdog = setTimeout(() => {
  console.error(`bench:setup: over its ${RUN_BUDGET_MS / 1000} s budget, giving up`);
  process.exit(2);
}, RUN_BUDGET_MS);
watchdog.unref();

const log = (msg: string) => process.stderr.write(`${msg}\n`);

async function probeOf(page: Page): Promise<ProbeRecord> {
  const record = await page.evaluate(() => (globalThis as unknown as { __zingBench?: ProbeRecord }).__zingBench);
  if (!record) throw new Error(`no probe in ${page.url()}`);
  return record;
}

/** Waits until the page has presented a frame of someone else's tile; says what it saw if none comes. */
async function firstRemoteFrame(page: Page, who: string, start: number): Promise<ProbeRecord> {
  try {
    await page.waitForFunction(
      () => (globalThis as unknown as { __zingBench?: ProbeRecord }).__zingBench?.marks.firstRemoteFrame !== undefined,
      undefined,
      { timeout: FRAME_TIMEOUT_MS, polling: 20 },
    );
  } catch (err) {
    const record = await probeOf(page).catch(() => undefined);
    const status = await page
      .getByRole('status')
      .first()
      .textContent({ timeout: 1_000 })
      .catch(() => '?');
    const tiles = await page
      .getByRole('group')
      .evaluateAll((els) => els.map((e) => `${e.getAttribute('aria-label')}${e.querySelector('video')?.srcObject ? ' (stream)' : ''}`))
      .catch(() => []);
    throw new Error(
      `${who}: no remote frame within ${FRAME_TIMEOUT_MS} ms; status "${status}", tiles ${JSON.stringify(tiles)}, ` +
        `marks ${JSON.stringify(record && relative(record.marks, start))}, frames ${JSON.stringify(record?.frames)}`,
      { cause: err },
    );
  }
  return probeOf(page);
}

const relative = (marks: Record<string, number>, start: number): Record<string, number> =>
  Object.fromEntries(Object.entries(marks).map(([k, v]) => [k, Math.round(v - start)]));

function relativeRecord(record: ProbeRecord, start: number) {
  return {
    readyState: record.readyState,
    marks: relative(record.marks, start),
    calls: record.calls.map((c) => `${c.name}@${Math.round(c.at - start)}+${c.ms}`),
    longTasks: record.longTasks.map((t) => `${Math.round(t.at - start)}+${t.ms}`),
    frames: record.frames,
  };
}

function mustMark(record: ProbeRecord, name: string): number {
  const at = record.marks[name];
  if (at === undefined) throw new Error(`mark ${name} missing`);
  return at;
}

/** Waits until the relay holds no socket: the previous call is fully gone before the next starts. */
async function relayIdle(relay: Relay): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (relay.transport.connectionCount > 0) {
    if (Date.now() > deadline) throw new Error(`relay still has ${relay.transport.connectionCount} sockets after the call`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function zingCall(relay: Relay, alice: Person, bob: Person): Promise<CallSample> {
  const alicePage = await startCall(alice);
  const link = await callLinkOf(alicePage);
  await alicePage.getByRole('status').filter({ hasText: 'Waiting for others' }).waitFor({ timeout: 10_000 });

  const popup = await openPopup(bob);
  await popup.getByRole('textbox', { name: 'Call link', exact: true }).fill(link);
  const join = popup.getByRole('button', { name: 'Join', exact: true });
  await join.waitFor();
  // The click happens inside the popup, timed there; the popup then opens the
  // call tab and closes itself.
  const [bobPage, clickedAt] = await Promise.all([
    bob.context.waitForEvent('page', { timeout: 10_000 }),
    join.evaluate((button) => {
      const at = performance.timeOrigin + performance.now();
      (button as HTMLButtonElement).click();
      return at;
    }),
  ]);

  const [bobRecord, aliceRecord] = await Promise.all([
    firstRemoteFrame(bobPage, 'Zing B', clickedAt),
    firstRemoteFrame(alicePage, 'Zing A', clickedAt),
  ]);
  const sample = sampleOf(bobRecord, aliceRecord, clickedAt);
  if (VERBOSE) log(`Zing ${JSON.stringify({ bob: relativeRecord(bobRecord, clickedAt), alice: relativeRecord(aliceRecord, clickedAt) })}`);
  // Both leave: closing the call tab hangs up (pagehide → leave()).
  await Promise.all([bobPage.close(), alicePage.close(), popup.isClosed() ? undefined : popup.close()]);
  await relayIdle(relay);
  return sample;
}

/**
 * The way in from a link (the pre-join page): B opens the call page as a
 * clicked or typed link does, asks for the preview, looks at the page for
 * PREJOIN_LOOK_MS, and presses `Join call`; timed from that click. The page
 * warmed everything it may before the click (camera on the preview, the call's
 * keys, the device list), so this is the time a person waits after deciding.
 */
async function prejoinCall(relay: Relay, alice: Person, bob: Person): Promise<CallSample> {
  const alicePage = await startCall(alice);
  const link = await callLinkOf(alicePage);
  await alicePage.getByRole('status').filter({ hasText: 'Waiting for others' }).waitFor({ timeout: 10_000 });

  const bobPage = await bob.context.newPage();
  // The call page's address without Zing's one-time token: what the share-link redirect opens.
  await bobPage.goto(`${bob.url('extension/call/index.html')}#${encodeURIComponent(link)}`);
  await bobPage.getByRole('button', { name: 'Show preview', exact: true }).click({ timeout: 10_000 });
  const preview = bobPage.getByRole('region', { name: 'Preview', exact: true }).locator('video');
  await bobPage.waitForFunction((v) => (v as HTMLVideoElement).videoWidth > 0, await preview.elementHandle(), { timeout: 10_000 });
  const join = bobPage.getByRole('button', { name: 'Join call', exact: true });
  await bobPage.waitForTimeout(PREJOIN_LOOK_MS);
  await join.waitFor();
  const cdp = PROFILE_DIR ? await bob.context.newCDPSession(bobPage) : undefined;
  if (cdp) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
  }
  const clickedAt = await join.evaluate((button) => {
    const at = performance.timeOrigin + performance.now();
    (button as HTMLButtonElement).click();
    return at;
  });

  const [bobRecord, aliceRecord] = await Promise.all([
    firstRemoteFrame(bobPage, 'Zing pre-join B', clickedAt),
    firstRemoteFrame(alicePage, 'Zing pre-join A', clickedAt),
  ]);
  if (cdp && PROFILE_DIR) {
    const { profile } = await cdp.send('Profiler.stop');
    mkdirSync(PROFILE_DIR, { recursive: true });
    writeFileSync(join_(PROFILE_DIR, `prejoin-${++profiled}.cpuprofile`), JSON.stringify(profile));
    await cdp.detach();
  }
  const sample = sampleOf(bobRecord, aliceRecord, clickedAt);
  if (VERBOSE)
    log(`pre-join ${JSON.stringify({ bob: relativeRecord(bobRecord, clickedAt), alice: relativeRecord(aliceRecord, clickedAt) })}`);
  await Promise.all([bobPage.close(), alicePage.close()]);
  await relayIdle(relay);
  return sample;
}

let baselineRoom = 0;
async function baselineCall(relay: Relay, server: BaselineServer, alice: Person, bob: Person): Promise<CallSample> {
  const room = `baselineroom${String(++baselineRoom).padStart(8, '0')}`;
  const socket = encodeURIComponent(`${relay.url.replace(/^http/, 'ws')}/ws`);
  const url = `${server.url}?room=${room}&relay=${socket}${BASELINE_DATACHANNEL ? '&datachannel=1' : ''}`;
  const alicePage = await alice.context.newPage();
  await alicePage.goto(url);
  await alicePage.waitForFunction(() => (globalThis as unknown as { __zingBench?: ProbeRecord }).__zingBench?.marks.joinedIn !== undefined);

  // Like the popup's click: a new tab, and the start timed in the page that asks for it.
  const bobPage = await bob.context.newPage();
  const startedAt = await bobPage.evaluate((target) => {
    const at = performance.timeOrigin + performance.now();
    location.href = target;
    return at;
  }, url);
  await bobPage.waitForURL(url);

  const [bobRecord, aliceRecord] = await Promise.all([
    firstRemoteFrame(bobPage, 'bare B', startedAt),
    firstRemoteFrame(alicePage, 'bare A', startedAt),
  ]);
  const sample = sampleOf(bobRecord, aliceRecord, startedAt);
  if (VERBOSE) log(`bare ${JSON.stringify({ bob: relativeRecord(bobRecord, startedAt), alice: relativeRecord(aliceRecord, startedAt) })}`);
  await Promise.all([bobPage.close(), alicePage.close()]);
  await relayIdle(relay);
  return sample;
}

// --- statistics and printing ------------------------------------------------

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  // sorted is non-empty wherever this is called (one sample per call)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const ms = (v: number) => `${Math.round(v)}`.padStart(6);

/** One line of figures; a sample whose first frame the probe may have missed is starred. */
function row(label: string, values: number[], samples: CallSample[]): string {
  const list = values.map((v, i) => `${Math.round(v)}${samples[i]?.frameLate ? '*' : ''}`).join(' ');
  return `${label.padEnd(54)}${ms(median(values))}${ms(Math.max(...values))}   ${list}`;
}

/** Median time of each mark (ms from the start); a mark missing from some calls says in how many it was seen. */
function timeline(samples: CallSample[], side: 'bMarks' | 'aMarks', names: string[]): string[] {
  const lines: string[] = [];
  for (const name of names) {
    const values = samples.map((s) => s[side][name]).filter((v): v is number => v !== undefined);
    if (values.length === 0) continue;
    lines.push(
      `  ${name.padEnd(26)}${ms(median(values))}${values.length < samples.length ? `  (${values.length}/${samples.length} calls)` : ''}`,
    );
  }
  return lines;
}

// Marks worth printing, in no particular order (sortedPhases orders them by time).
// Zing's peer messages are sealed, so its offer and answer show as sld_/srd_ marks.
/** The product's own marks (extension/session/join-marks.ts): what the sealed handshake and negotiation did when. */
const ZING_PHASES = [
  'zing:start',
  'zing:connect',
  'zing:out:hello',
  'zing:in:hello',
  'zing:out:welcome',
  'zing:in:welcome',
  'zing:earlyLink',
  'zing:admitted',
  'zing:out:reveal',
  'zing:in:reveal',
  'zing:out:offer',
  'zing:in:offer',
  'zing:out:answer',
  'zing:in:answer',
  'zing:out:candidate',
  'zing:in:candidate',
];
const B_PHASES = [
  ...ZING_PHASES,
  'nav',
  'probe',
  'storageGet1Start',
  'storageGet2End',
  'domContentLoaded',
  'importKeyStart',
  'deriveKeyEnd',
  'wsCreate',
  'gumStart',
  'wsOpen',
  'joinOut',
  'joinedIn',
  'pcCreate',
  'sld_offerStart',
  'sld_offerEnd',
  'offerOut',
  'signalOut',
  'firstLocalCandidate',
  'answerIn',
  'signalIn',
  'srd_answerStart',
  'srd_answerEnd',
  'srd_offerStart',
  'srd_offerEnd',
  'sld_answerStart',
  'sld_answerEnd',
  'addIceCandidateStart',
  'gumEnd',
  'replaceTrackStart',
  'setParametersStart',
  'firstLocalFrame',
  'ice_checking',
  'ice_connected',
  'conn_connected',
  'track_video',
  'firstRemoteFrameReceived',
  'firstRemoteFrame',
];
const A_PHASES = [
  ...ZING_PHASES,
  'peerJoinedIn',
  'signalIn',
  'pcCreate',
  'sld_offerStart',
  'sld_offerEnd',
  'srd_answerStart',
  'srd_answerEnd',
  'offerIn',
  'srd_offerStart',
  'srd_offerEnd',
  'replaceTrackStart',
  'replaceTrackEnd',
  'sld_answerStart',
  'sld_answerEnd',
  'answerOut',
  'setParametersStart',
  'ice_checking',
  'ice_connected',
  'conn_connected',
  'track_video',
  'firstRemoteFrameReceived',
  'firstRemoteFrame',
];

function sortedPhases(samples: CallSample[], side: 'bMarks' | 'aMarks', names: string[]): string[] {
  // Order by median time, so the printout reads as what happened first.
  const at = (name: string) => {
    const values = samples.map((s) => s[side][name]).filter((v): v is number => v !== undefined);
    return values.length ? median(values) : Infinity;
  };
  return [...names].sort((x, y) => at(x) - at(y));
}

/** The few milestones every call passes on B's side, to compare Zing with the bare page at a glance. */
const MILESTONES: [label: string, at: (m: Record<string, number>) => number | undefined][] = [
  ['call page running (probe installed)', (m) => m.probe],
  [
    'relay socket and camera requested',
    (m) => (m.wsCreate === undefined || m.gumStart === undefined ? undefined : Math.min(m.wsCreate, m.gumStart)),
  ],
  ['joined the room (relay answered)', (m) => m.joinedIn],
  ['own camera open (getUserMedia resolved)', (m) => m.gumEnd],
  ['ICE connected', (m) => m.ice_connected],
  ['DTLS connected (connectionState)', (m) => m.conn_connected],
  ['first remote frame presented', (m) => m.firstRemoteFrame],
];

function milestones(series: [string, CallSample[]][]): string[] {
  const at = (samples: CallSample[], pick: (m: Record<string, number>) => number | undefined) => {
    const values = samples.map((s) => pick(s.bMarks)).filter((v): v is number => v !== undefined);
    return values.length ? median(values) : NaN;
  };
  const lines = [`  ${'B side, median ms from the start'.padEnd(42)}${series.map(([label]) => label.padStart(10)).join('')}`];
  for (const [label, pick] of MILESTONES) {
    lines.push(`  ${label.padEnd(42)}${series.map(([, samples]) => `${Math.round(at(samples, pick))}`.padStart(10)).join('')}`);
  }
  return lines;
}

function report(
  zing: CallSample[],
  prejoin: CallSample[],
  bare: CallSample[],
  /** The pre-join way in on ZING_BENCH_BEFORE_DIST's build; empty without it. */
  before: CallSample[],
  load: { before: number[]; after: number[] },
  chromium: string,
): void {
  const out: string[] = [];
  out.push(
    `Call set-up on loopback, ${CALLS} calls each (after one warm-up), Chromium ${chromium}, ${process.platform} ${process.arch}, ${cpus().length} cores` +
      (BASELINE_DATACHANNEL ? ', bare page with a data channel' : '') +
      (NOISE_SUPPRESSION ? '' : ', Zing without noise suppression'),
  );
  out.push(
    `load average (1/5/15 min): before ${load.before.map((v) => v.toFixed(2)).join(' ')}, after ${load.after.map((v) => v.toFixed(2)).join(' ')}`,
  );
  out.push('');
  out.push(`${'ms'.padEnd(54)}${'median'.padStart(6)}${'worst'.padStart(6)}   samples`);
  const rows: [string, CallSample[], (s: CallSample) => number][] = [
    ['Zing popup     B sees A  (Join click → frame)', zing, (s) => s.b],
    ['Zing popup     A sees B  (Join click → frame)', zing, (s) => s.a],
    ['Zing pre-join  B sees A  (Join call → frame)', prejoin, (s) => s.b],
    ['Zing pre-join  A sees B  (Join call → frame)', prejoin, (s) => s.a],
    ['bare           B sees A  (start → frame)', bare, (s) => s.b],
    ['bare           A sees B  (start → frame)', bare, (s) => s.a],
    ['Zing popup     B, call page navigation → frame', zing, (s) => s.bFromNav],
    ['bare           B, page navigation → frame', bare, (s) => s.bFromNav],
    ['Zing popup     B, Join click → call page navigation', zing, (s) => s.bMarks.nav ?? NaN],
  ];
  if (before.length > 0) {
    rows.splice(
      4,
      0,
      [`Zing pre-join, older build  B sees A`, before, (s) => s.b],
      [`Zing pre-join, older build  A sees B`, before, (s) => s.a],
    );
  }
  for (const [label, samples, pick] of rows) out.push(row(label, samples.map(pick), samples));
  if (before.length > 0) out.push(`(older build: ${BEFORE_DIST})`);
  out.push('');
  const pm = median(prejoin.map((s) => s.b));
  const zm = median(zing.map((s) => s.b));
  const bm = median(bare.map((s) => s.b));
  const pass = pm <= bm;
  out.push(
    `target: Zing's median from Join call (B) ≤ the bare page's median in this run: ${Math.round(pm)} ms vs ${Math.round(bm)} ms → ${pass ? 'MET' : 'NOT MET'}` +
      ` (a quiet machine's bare page here: about ${QUIET_BARE_MS} ms)` +
      ` (${(pm / bm).toFixed(2)}× bare; the popup's cold page ${Math.round(zm)} ms, ${(zm / bm).toFixed(2)}× bare)`,
  );
  out.push('');
  out.push(
    ...milestones([
      ['popup', zing],
      ['pre-join', prejoin],
      ...(before.length > 0 ? ([['older', before]] as [string, CallSample[]][]) : []),
      ['bare', bare],
    ]),
  );
  out.push('');
  out.push('Where the time goes, median ms from the start (Join click / Join call / bare start; negative: before the click):');
  out.push(' (In Zing either side may offer: the impolite participant id does, random per call; so offer and answer marks');
  out.push('  appear on B in some calls and on A in the others.)');
  for (const [label, samples] of [
    ['Zing popup', zing],
    ['Zing pre-join', prejoin],
  ] as const) {
    out.push(` ${label}, B (joining):`);
    out.push(...timeline(samples, 'bMarks', sortedPhases(samples, 'bMarks', B_PHASES)));
    out.push(` ${label}, A (waiting in the call):`);
    out.push(...timeline(samples, 'aMarks', sortedPhases(samples, 'aMarks', A_PHASES)));
  }
  out.push(' bare, B:');
  out.push(...timeline(bare, 'bMarks', sortedPhases(bare, 'bMarks', B_PHASES)));
  out.push(' bare, A:');
  out.push(...timeline(bare, 'aMarks', sortedPhases(bare, 'aMarks', A_PHASES)));
  out.push('');
  out.push('Before each first remote frame, median per call: WebRTC calls (count / total ms) and long main-thread tasks (>50 ms):');
  for (const [label, samples, side] of [
    ['Zing popup B', zing, 'bBusy'],
    ['Zing popup A', zing, 'aBusy'],
    ['Zing pre-join B', prejoin, 'bBusy'],
    ['Zing pre-join A', prejoin, 'aBusy'],
    ['bare B', bare, 'bBusy'],
    ['bare A', bare, 'aBusy'],
  ] as const) {
    const names = [...new Set(samples.flatMap((s) => Object.keys(s[side].calls)))].sort();
    const calls = names.map((n) => {
      const per = samples.map((s): [number, number] => s[side].calls[n] ?? [0, 0]);
      return `${n} ${median(per.map((p) => p[0]))}/${Math.round(median(per.map((p) => p[1])))}`;
    });
    out.push(
      `  ${label}: ${calls.join(', ') || 'none'}; long tasks ${median(samples.map((s) => s[side].longTasks))}/${Math.round(median(samples.map((s) => s[side].longTaskMs)))} ms`,
    );
  }
  const all = [...zing, ...prejoin, ...bare, ...before];
  const late = all.filter((s) => s.late).length;
  const frameLate = all.filter((s) => s.frameLate).length;
  if (late > 0) {
    out.push(
      `note: in ${late} calls the probe started after the page's scripts (Playwright attached late to the new tab), so their early marks are missing` +
        (frameLate === 0 ? '; every first remote frame was still its video’s first, so the frame times hold.' : '.'),
    );
  }
  if (frameLate > 0) {
    out.push(`WARNING: in ${frameLate} calls (starred *) the probe missed a video's first frame: those times are late by a frame or more.`);
  }
  console.log(out.join('\n'));
}

// --- main --------------------------------------------------------------------

async function main(): Promise<void> {
  const loadBefore = loadavg();
  // The baseline page is served from another local origin and talks to this relay too.
  const relay = await startRelay({ ...DEFAULTS, port: 0, logLevel: 'silent', allowedOrigins: ['*'] });
  const server = await startBaselineServer();
  const people: Person[] = [];
  try {
    const [alice, bob] = await Promise.all([
      launchPerson({ name: 'Alice', relayUrl: relay.url }),
      launchPerson({ name: 'Bob', relayUrl: relay.url }),
    ]);
    people.push(alice, bob);
    const chromium = alice.context.browser()?.version() ?? (await versionOf(alice));
    const older = BEFORE_DIST
      ? await Promise.all([
          launchPerson({ name: 'Alice', relayUrl: relay.url, dist: BEFORE_DIST }),
          launchPerson({ name: 'Bob', relayUrl: relay.url, dist: BEFORE_DIST }),
        ])
      : undefined;
    if (older) people.push(...older);
    if (!NOISE_SUPPRESSION) for (const person of people) await updateProfile(person, { noiseSuppression: false });
    for (const person of people) await person.context.addInitScript(installProbe, PROBE_PAGES);

    // One warm-up of each, not counted: the first call pays for cold caches and process start-up.
    log('warm-up');
    await zingCall(relay, alice, bob);
    await prejoinCall(relay, alice, bob);
    await baselineCall(relay, server, alice, bob);
    if (older) await prejoinCall(relay, ...older);

    const zing: CallSample[] = [];
    const prejoin: CallSample[] = [];
    const bare: CallSample[] = [];
    const before: CallSample[] = [];
    // Interleaved, so all see the same machine load, and in a rotating order: a way in that always came
    // right after the popup's call (tabs still closing) would pay for it every time.
    const ways: (() => Promise<unknown>)[] = [
      async () => zing.push(await zingCall(relay, alice, bob)),
      async () => prejoin.push(await prejoinCall(relay, alice, bob)),
      async () => bare.push(await baselineCall(relay, server, alice, bob)),
      ...(older ? [async () => before.push(await prejoinCall(relay, ...older))] : []),
    ];
    for (let i = 0; i < CALLS; i++) {
      for (let k = 0; k < ways.length; k++) await ways[(i + k) % ways.length]?.();
      const [z, p, b, o] = [zing.at(-1), prejoin.at(-1), bare.at(-1), before.at(-1)];
      log(
        `call ${i + 1}/${CALLS}: Zing popup B ${Math.round(z?.b ?? NaN)} ms, A ${Math.round(z?.a ?? NaN)} ms; ` +
          `pre-join B ${Math.round(p?.b ?? NaN)} ms, A ${Math.round(p?.a ?? NaN)} ms; bare B ${Math.round(b?.b ?? NaN)} ms, A ${Math.round(b?.a ?? NaN)} ms` +
          (o ? `; pre-join on the older build B ${Math.round(o.b)} ms, A ${Math.round(o.a)} ms` : ''),
      );
    }
    report(zing, prejoin, bare, before, { before: loadBefore, after: loadavg() }, chromium);
  } finally {
    await Promise.all(people.map((p) => p.close()));
    await server.close();
    await relay.close();
  }
}

/** A persistent context has no Browser object; ask a page instead. */
async function versionOf(person: Person): Promise<string> {
  const page = await person.context.newPage();
  try {
    const ua = await page.evaluate(() => navigator.userAgent);
    return /Chrome\/([\d.]+)/.exec(ua)?.[1] ?? '?';
  } finally {
    await page.close();
  }
}

main().then(
  () => clearTimeout(watchdog),
  (err: unknown) => {
    console.error('bench:setup failed:', err);
    process.exitCode = 1;
  },
);
