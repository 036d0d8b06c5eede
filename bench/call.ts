// Group calls on loopback: how long until everyone decodes everyone, what a
// call costs each person in CPU, frames per remote tile and upload, for 2, 3,
// 4, 6 and 8 people, beside two baselines measured in the same run:
//
//  - naive: a bare page (bench/lib/naive-mesh.ts) where each person sends the
//    full camera, captured as Zing's setting captures it, to every other over
//    its own peer connection, with no governor at all (no setParameters caps,
//    no receiver-driven sizing). The issue's CPU target is against this one.
//  - even split: Zing as it was before #16 (the governor split the budget
//    evenly and capped lines and frames by link count, whatever each receiver
//    showed), built from BENCH_CALL_BEFORE (a commit; default the last one
//    before #16) into .tmp/bench-call-before, once (kept for the next run).
//    Measured at BENCH_CALL_EVEN_SIZES (default 4): the upload target with
//    mixed tiles is against this one.
//  - zing: Zing as it is (each link sized to what its receiver shows).
//
//   npm run bench:call      (builds first; `tsx bench/call.ts` reuses dist/chrome)
//   BENCH_CALL_SIZES=4 npm run bench:call      (only some sizes)
//   BENCH_CALL_SIZES=4 BENCH_CALL_MAX_HEIGHT=720 npm run bench:call
//       (the product's default camera for both: the naive page then sends
//       720p to every link, Zing what each tile shows)
//   BENCH_CALL_TOP_THREADS=30 …      (more threads in "where the CPU went"; default 12)
//
// Every person is a real headless Chromium with its own profile (Zing's people
// with the built extension, tests/support/browser.ts; the naive mesh's without),
// fake camera and microphone, the product's own `maxVideoHeight: 240` setting
// (so eight fit on two cores; the naive page opens the camera with the same
// constraints) and the default 2.5 Mbps upload budget; the relay runs in this
// process and carries every variant's signaling. Per group size and variant:
//
//  1. All but the last person open the call link at once; the bench waits until
//     they decode each other (bounded by FIRST_PAIRS_TIMEOUT_MS).
//  2. The last person joins. "Last join → all pairs" runs from that page's
//     navigation start to the moment the last of the N×(N−1) remote tiles
//     presents its first decoded frame (requestVideoFrameCallback inside each
//     page: bench/lib/call-probe.ts). If some pairs never do within the limit,
//     the table says how many did. The log gives each pair's first frame both
//     ways, so a slow join shows which way was slow: at 4 people here
//     (2026-12-06) the newcomer showed the others 5-8 s after its navigation
//     and they showed it at 8-16 s. Timelines of its page (three runs) put
//     its getUserMedia at 2.3-5.2 s on the saturated machine, resolving 6.9-8.4 s
//     after navigation, and its links up at 4.3-10.3 s; its video reached the
//     others 1-3 s after the later of the two.
//  3. STEADY_MS of call, then a CPU_WINDOW_MS window with the stats panel closed:
//     CPU per person from /proc (bench/lib/call-cpu.ts: the whole Chromium
//     tree, and the renderer that runs the call page), frames presented per
//     remote tile per second, upload from getStats, and the machine's busy share.
//  4. A meeting: everyone but the first person mutes (Zing's button; the naive
//     page disables its microphone track), and MEETING_SETTLE_MS later CPU and
//     upload are measured again over CPU_WINDOW_MS; then everyone unmutes.
//     Fake microphones never fall silent, so this is where DTX and a muted
//     microphone's cost show.
//  5. Zing only: the Stats panel is opened on every page; after it has two
//     samples, the `Total upload` figure (outbound RTP payload bytes, audio and
//     video, all links; no IP/UDP/SRTP headers) is read UPLOAD_READS times a
//     second apart and its median kept, with every link's sending resolution.
//  6. Zing only: mixed tiles: everyone pins the next person (one spotlighted
//     tile, the rest small in the strip), MIXED_SETTLE_MS later upload per
//     person is measured again from getStats over MIXED_WINDOW_MS.
//  7. Zing and the even split, at BENCH_CALL_EVEN_SIZES, in a call of their
//     own (fresh browsers; the last one launched so its pages report real
//     visibility): the last person opens another tab in front of the call, and
//     their own page times how long from its going hidden until the last
//     video packet of each link (its packet times), checks that audio goes
//     on, then, with the call in front again, times until every remote tile
//     presents new frames (bench/lib/hidden-tab.ts).
//
// Bounded: RUN_BUDGET_MS for the whole run; a size that does not mesh within
// PAIRS_TIMEOUT_MS is reported with the pairs reached and the run goes on; a
// step from 4 to 6 that a starved page cannot finish is reported as not
// measured, and the size keeps its other figures.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { DEFAULTS } from '../relay/config.ts';
import { startRelay, type Relay } from '../relay/server.ts';
import { DEFAULT_UPLOAD_BUDGET_KBPS } from '../extension/session/bandwidth.ts';
import { DIST, launchPerson, openCallPage, type Person } from '../tests/support/browser.ts';
import { newCallLink } from '../tests/support/links.ts';
import { PERSON_SWITCH, cpuBetween, snapshot, type CallPageProcess } from './lib/call-cpu.ts';
import { installFrameProbe, measureUpload, type FrameRecord, type UploadMeasure } from './lib/call-probe.ts';
import { measureHiddenTab, notMeasured, type HiddenTab } from './lib/hidden-tab.ts';
import { NAIVE_MESH_PATH, startNaiveMeshServer, type NaiveMeshServer } from './lib/naive-mesh.ts';
import { sleep } from './lib/time.ts';

const SIZES = (process.env.BENCH_CALL_SIZES ?? '2,3,4,6,8').split(',').map(Number);
/** Sizes at which the even split (Zing before #16) is measured too: the mixed-tiles upload target is against it. */
const EVEN_SIZES = (process.env.BENCH_CALL_EVEN_SIZES ?? '4').split(',').map(Number);
const NAMES = ['Ada', 'Bo', 'Cy', 'Di', 'Ed', 'Flo', 'Gus', 'Hal'];
/**
 * The camera setting both Zing's people and the naive page use: 240 lines by
 * default so eight fit on two cores; BENCH_CALL_MAX_HEIGHT=720 is the product's
 * own default, what a person who never opened the options gets.
 */
const SETTINGS = { maxVideoHeight: Number(process.env.BENCH_CALL_MAX_HEIGHT ?? 240) };
/** A JSON object from the environment variable `name`; {} where it is unset. */
function jsonObjectEnv(name: string): Record<string, unknown> {
  const value: unknown = JSON.parse(process.env[name] ?? '{}');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${name} must be a JSON object`);
  return value as Record<string, unknown>;
}
/** More settings for Zing's people (the options page's), as JSON: e.g. BENCH_CALL_ZING_SETTINGS='{"uploadBudgetKbps":1200}'. */
const ZING_SETTINGS: Record<string, unknown> = { ...jsonObjectEnv('BENCH_CALL_ZING_SETTINGS'), ...SETTINGS };
/**
 * Profile fields for Zing's people (their own toggles), as JSON: e.g.
 * BENCH_CALL_ZING_PROFILE='{"noiseSuppression":false}' prices a feature the
 * naive page does not have (RNNoise is on by default).
 */
const ZING_PROFILE: Record<string, unknown> = jsonObjectEnv('BENCH_CALL_ZING_PROFILE');
/** Every variant of every size stays under fourteen minutes; past that it prints what it has and stops. */
const RUN_BUDGET_MS = 840_000;
/**
 * Zing before #16: the last commit whose governor split the budget evenly and
 * capped height and frame rate by link count, whatever each receiver showed.
 */
const BEFORE_REV = process.env.BENCH_CALL_BEFORE ?? 'ba703f3508271393f138146d6d65ad7366d334d4';
const BEFORE_DIR = resolve('.tmp/bench-call-before');
/** After everyone pins someone: the views' debounce, the encoders' ramp down, and the capture's 5 s hysteresis. */
const MIXED_SETTLE_MS = 6_000;
const MIXED_WINDOW_MS = 3_000;
/** The issue's bound on a hidden tab's senders dropping its video. */
const HIDDEN_STOP_TARGET_MS = 2_000;
/** Machine busy (both cores) from which per-person CPU reads as a share of a saturated machine. */
const SATURATED_PERCENT = 90;
/** Threads named in the "where the CPU went" lines, per variant and size. */
const TOP_THREADS = Number(process.env.BENCH_CALL_TOP_THREADS ?? 12);

interface Variant {
  name: 'naive' | 'even split' | 'zing';
  /** The unpacked extension its people load; undefined: the naive mesh's page, no extension. */
  dist: string | undefined;
}
const isZing = (v: Variant): v is Variant & { dist: string } => v.dist !== undefined;
/** A mesh that has not formed in this long will not form: report how far it got. */
const PAIRS_TIMEOUT_MS = 60_000;
/** Bandwidth estimation ramps up in the first seconds of a link; measure after it. */
const STEADY_MS = 5_000;
const CPU_WINDOW_MS = 5_000;
/** After muting: a muted microphone's encoder needs a moment before DTX (or its absence) settles. */
const MEETING_SETTLE_MS = 2_000;
const UPLOAD_READS = 3;
/** How long the Stats panel may take to show its first rates (two getStats rounds; slow on a saturated machine). */
const UPLOAD_WAIT_MS = 10_000;
/** The first N−1 join at once: a shorter limit, so a size that cannot mesh still leaves time for the last join. */
const FIRST_PAIRS_TIMEOUT_MS = 20_000;

const started = Date.now();
/** The last thing said about a size still being measured, for a run cut short by its budget. */
let unfinished: string | undefined;
const log = (msg: string) => {
  unfinished = msg;
  process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${msg}\n`);
};

interface SizeResult {
  variant: string;
  size: number;
  /** Per person: outbound RTP payload with one spotlighted tile and the rest small everywhere, kbps. */
  mixedKbps: number[];
  /** Its audio part, per person. */
  mixedAudioKbps: number[];
  /** Every outbound camera stream with mixed tiles: height, frame rate, payload kbps. */
  mixedVideo: UploadMeasure['video'];
  /** Per person: percent of one core (whole browser) over the same window. */
  mixedCpuBrowser: number[];
  /** "A meeting": everyone but the first muted, each page with its own mute. Per person: % of one core. */
  meetingCpuBrowser: number[];
  /** Per person in the meeting: outbound RTP payload, and its audio part, kbps. */
  meetingKbps: number[];
  meetingAudioKbps: number[];
  /** First N−1 joining at once → all their pairs decoding (ms); undefined for N−1 = 1. */
  firstMeshMs: number | undefined;
  firstMeshPairs: [reached: number, of: number];
  /** Last join → all N×(N−1) pairs decoding (ms); undefined if not all did. */
  lastJoinMs: number | undefined;
  pairs: [reached: number, of: number];
  /** Presented frames per second per remote tile, over the CPU window. */
  fps: number[];
  /** Per person: outbound RTP payload over the steady window (getStats, report timestamps), kbps. */
  uploadKbps: number[];
  /** Its audio part, per person. */
  audioKbps: number[];
  /** The same with RTP headers. */
  uploadWithHeadersKbps: number[];
  /** Per person: the Stats panel's `Total upload`, median of its reads. */
  panelKbps: number[];
  /** Outbound camera streams by qualityLimitationReason. */
  limitations: Record<string, number>;
  /** Frame rate of each outbound camera stream. */
  sentFps: number[];
  /** Encoder implementations seen (getStats encoderImplementation). */
  encoders: string[];
  /** Every process outside the people's browsers (this one, the relay, anything else), percent of one core. */
  othersPercent: number;
  /** Sending resolutions seen over all links, with counts. */
  sendResolutions: Record<string, number>;
  /** Per person: percent of one core. */
  cpuBrowser: number[];
  cpuCallPage: number[];
  /** Mean over people, percent of one core, by "<process>/<thread>", over the steady window. */
  threads: Map<string, number>;
  /** Keys of `threads` scheduled real-time. */
  realtime: Set<string>;
  machineBusy: number;
  /** Zing and the even split, at EVEN_SIZES: the last person's call tab hidden behind another tab, and shown again (step 7). */
  hidden?: HiddenTab;
}

const results: SizeResult[] = [];
/** Variants that could not be measured to the end, and why (the run goes on to the next). */
const stopped: string[] = [];
/** The people of the size being measured now. */
const people: Person[] = [];

const watchdog = setTimeout(() => {
  log(`over the ${RUN_BUDGET_MS / 1000} s budget: printing what was measured and stopping`);
  print();
  // Close the browsers (and remove their profiles), but never wait long for it.
  void Promise.race([Promise.all(people.map((p) => p.close())), sleep(10_000)]).then(() => process.exit(2));
}, RUN_BUDGET_MS);
watchdog.unref();

/** `p`, or undefined if it has not settled within `ms` (a starved page can take that long to answer). */
async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const late = new Promise<undefined>((r) => {
      timer = setTimeout(() => r(undefined), ms);
    });
    return await Promise.race([p.catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}

async function recordOf(page: Page): Promise<FrameRecord | undefined> {
  return within(
    page.evaluate(() => (globalThis as unknown as { __zingCallBench?: FrameRecord }).__zingCallBench),
    5_000,
  );
}

/**
 * Polls every page until each shows a decoded frame from each other person, or
 * until `deadline`. Returns the last first-frame time over all pairs (if all
 * pairs decoded) and how many pairs did.
 */
async function awaitMesh(
  pages: Map<string, Page>,
  deadline: number,
): Promise<{ lastFirstFrame: number | undefined; reached: number; of: number; records: Map<string, FrameRecord> }> {
  const of = pages.size * (pages.size - 1);
  // A starved page may not answer within recordOf's limit; first frames never go away,
  // so its last answer still counts.
  const records = new Map<string, FrameRecord>();
  for (;;) {
    // All pages at once: one by one, a round over eight saturated pages takes seconds.
    const entries = [...pages];
    const got = await Promise.all(entries.map(([, page]) => recordOf(page)));
    let reached = 0;
    let last = 0;
    entries.forEach(([viewer], i) => {
      const fresh = got[i];
      if (fresh) records.set(viewer, fresh);
      const rec = records.get(viewer);
      if (!rec) return;
      for (const other of pages.keys()) {
        const at = other === viewer ? undefined : rec.first[other];
        if (at === undefined) continue;
        reached += 1;
        last = Math.max(last, at);
      }
    });
    if (reached === of) return { lastFirstFrame: last, reached, of, records };
    if (Date.now() > deadline) return { lastFirstFrame: undefined, reached, of, records };
    // Polling every page costs CPU the call needs: not too often.
    await sleep(250);
  }
}

/**
 * Which pairs took the time after a join: the first frame the newcomer showed of
 * each other person, and each other person of the newcomer, seconds after the
 * newcomer's navigation (— where none yet).
 */
function firstFramesOf(newcomer: string, records: Map<string, FrameRecord>, nav: number): string {
  const at = (t: number | undefined) => (t === undefined ? '—' : ((t - nav) / 1000).toFixed(1));
  const others = [...records.keys()].filter((n) => n !== newcomer);
  const sees = others.map((o) => `${o} ${at(records.get(newcomer)?.first[o])}`).join(', ');
  const seen = others.map((o) => `${o} ${at(records.get(o)?.first[newcomer])}`).join(', ');
  return `first frames after the join, s: ${newcomer} shows ${sees}; shown by ${seen}`;
}

/** How people join: Zing's call link through the popup, or the naive mesh's page for a room. */
type Join = (person: Person) => Promise<Page>;

async function openAll(members: Person[], join: Join, pages: Map<string, Page>): Promise<void> {
  const opened = await Promise.all(members.map(join));
  for (const [i, page] of opened.entries()) pages.set(members[i]!.name, page); // one page per member, same order
}

interface UploadRead {
  /** `Total upload` figures, kbps, one per read; empty if the panel never had rates. */
  totals: number[];
  /** Each link's sending cell, "<kbps> kbps · <W>×<H>". */
  cells: string[];
}

/** Opens the Stats panel on every page and reads each person's total upload once it shows rates. */
async function readUploads(pages: Map<string, Page>): Promise<{ kbps: number[]; resolutions: Record<string, number> }> {
  // One evaluate per page, clicking from inside: on a saturated machine Playwright's
  // input pipeline (and every round trip) can take longer than the whole read.
  const reads = await Promise.all(
    [...pages.values()].map((page) =>
      within(
        page.evaluate(
          async ({ reads, waitMs }): Promise<UploadRead> => {
            const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
            const toggle = [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Stats');
            if (toggle?.getAttribute('aria-expanded') !== 'true') toggle?.click();
            const cells = () => [...document.querySelectorAll('#stats-panel tbody tr td:first-of-type')].map((td) => td.textContent ?? '');
            // The panel samples once a second and needs two samples before a link shows a rate ("…" until then).
            const deadline = Date.now() + waitMs;
            while (!(cells().length > 0 && cells().every((c) => /^\d/.test(c)))) {
              if (Date.now() > deadline) return { totals: [], cells: cells() };
              await sleep(100);
            }
            const totals: number[] = [];
            for (let i = 0; i < reads; i++) {
              if (i > 0) await sleep(1_000);
              const text = document.querySelector('[data-stat="total-upload"]')?.textContent ?? '';
              const kbps = Number(text.replace(/\D+/g, '') || NaN);
              if (Number.isFinite(kbps)) totals.push(kbps);
            }
            return { totals, cells: cells() };
          },
          { reads: UPLOAD_READS, waitMs: UPLOAD_WAIT_MS },
        ),
        UPLOAD_WAIT_MS + UPLOAD_READS * 1_000 + 5_000,
      ).then((r): UploadRead => r ?? { totals: [], cells: [] }),
    ),
  );
  const resolutions: Record<string, number> = {};
  for (const cell of reads.flatMap((r) => r.cells)) {
    const res = cell.split('·')[1]?.trim() ?? '?';
    resolutions[res] = (resolutions[res] ?? 0) + 1;
  }
  return { kbps: reads.map((r) => median(r.totals)), resolutions };
}

/** Everyone pins the person after them: one tile spotlighted, the others in the strip (clicked from inside, as readUploads does). */
async function pinNext(pages: Map<string, Page>): Promise<void> {
  const names = [...pages.keys()];
  await Promise.all(
    [...pages.values()].map((page, i) =>
      within(
        page.evaluate(
          (name) => {
            const group = [...document.querySelectorAll('[role="group"]')].find((g) => g.getAttribute('aria-label') === name);
            const pin = [...(group?.querySelectorAll('button') ?? [])].find((b) => b.textContent?.trim() === 'Pin');
            if (pin?.getAttribute('aria-pressed') !== 'true') pin?.click();
          },
          names[(i + 1) % names.length]!,
        ),
        5_000,
      ),
    ),
  );
}

let naiveRooms = 0;

/**
 * One measuring window of `ms` on every page at once: CPU per person from /proc
 * (snapshots at its start and end), upload from getStats, and whatever `atEnd`
 * reads right after the closing snapshot.
 */
async function measureWindow<T = undefined>(
  pages: Map<string, Page>,
  names: string[],
  callPage: CallPageProcess,
  ms: number,
  atEnd?: () => Promise<T>,
): Promise<{ cpu: ReturnType<typeof cpuBetween>; uploads: (UploadMeasure | undefined)[]; seconds: number; atEnd: T | undefined }> {
  const before = snapshot(names, callPage);
  const uploads = Promise.all([...pages.values()].map((page) => within<UploadMeasure>(page.evaluate(measureUpload, ms), ms + 5_000)));
  await sleep(ms);
  const after = snapshot(names, callPage);
  const end = atEnd ? await atEnd() : undefined;
  return { cpu: cpuBetween(before, after), uploads: await uploads, seconds: (after.at - before.at) / 1000, atEnd: end };
}

async function measureSize(relay: Relay, naive: NaiveMeshServer, size: number, variant: Variant): Promise<SizeResult> {
  const members = people.slice(0, size);
  const tag = `${size} ${variant.name}`;
  let join: Join;
  if (isZing(variant)) {
    const link = await newCallLink(relay.url);
    join = (person) => openCallPage(person, link);
  } else {
    const room = `naivemeshroom${String(++naiveRooms).padStart(8, '0')}`;
    join = async (person) => {
      const page = await person.context.newPage();
      await page.goto(naive.pageUrl(relay.url, room, person.name));
      return page;
    };
  }
  const callPage: CallPageProcess = isZing(variant) ? 'extension' : 'web';
  const pages = new Map<string, Page>();
  try {
    // 1. Everyone but the last, at once.
    const early = members.slice(0, -1);
    await openAll(early, join, pages);
    let firstMeshMs: number | undefined;
    let firstMeshPairs: [number, number] = [0, 0];
    if (early.length > 1) {
      const mesh = await awaitMesh(pages, Date.now() + FIRST_PAIRS_TIMEOUT_MS);
      const lastNav = Math.max(...[...mesh.records.values()].map((r) => r.nav));
      firstMeshMs = mesh.lastFirstFrame === undefined ? undefined : mesh.lastFirstFrame - lastNav;
      firstMeshPairs = [mesh.reached, mesh.of];
      log(
        `${tag}: first ${early.length} meshed ${mesh.reached}/${mesh.of} pairs${firstMeshMs === undefined ? '' : ` in ${ms(firstMeshMs)} ms`}`,
      );
    }

    // 2. The last person joins.
    await openAll(members.slice(-1), join, pages);
    const mesh = await awaitMesh(pages, Date.now() + PAIRS_TIMEOUT_MS);
    const lastNav = mesh.records.get(members.at(-1)!.name)?.nav; // the last member always has a record once its page runs
    const lastJoinMs = mesh.lastFirstFrame === undefined || lastNav === undefined ? undefined : mesh.lastFirstFrame - lastNav;
    log(
      `${tag}: all ${mesh.reached}/${mesh.of} pairs${lastJoinMs === undefined ? ' (not all)' : ` ${ms(lastJoinMs)} ms after the last join`}`,
    );
    if (lastNav !== undefined) log(`${tag}: ${firstFramesOf(members.at(-1)!.name, mesh.records, lastNav)}`);

    // 3. Steady state, with the stats panel closed: CPU, frame rate, and upload from getStats.
    await sleep(STEADY_MS);
    const names = members.map((p) => p.name);
    const readFrames = () => Promise.all([...pages.values()].map(recordOf));
    const framesBefore = await readFrames();
    const { cpu, uploads: measured, seconds, atEnd } = await measureWindow(pages, names, callPage, CPU_WINDOW_MS, readFrames);
    const fps: number[] = [];
    (atEnd ?? []).forEach((after, i) => {
      const before = framesBefore[i];
      for (const other of names) {
        const b = before?.presented[other];
        const a = after?.presented[other];
        if (other === names[i]) continue;
        fps.push(a === undefined || b === undefined ? 0 : (a - b) / seconds);
      }
    });
    const shares = names.map((n) => cpu.people.get(n) ?? { browser: NaN, callPage: NaN });
    const limitations: Record<string, number> = {};
    const sentFps: number[] = [];
    const encoders = new Set<string>();
    for (const v of measured.flatMap((m) => m?.video ?? [])) {
      limitations[v.limitation] = (limitations[v.limitation] ?? 0) + 1;
      sentFps.push(v.fps);
      encoders.add(v.encoder);
    }
    log(`${tag}: steady window done, machine ${cpu.machineBusyPercent.toFixed(0)} % busy`);

    // 4. A meeting, as most are: one person talks, everyone else is muted, each page with its own mute
    //    (Zing's button; the naive page disables its microphone track, which is what such a page's mute does).
    const listeners = [...pages.values()].slice(1);
    // To a state, not a toggle: a page whose click was lost is not flipped the wrong way by the next.
    const setMuted = (muted: boolean) =>
      Promise.all(
        listeners.map(async (page) => {
          if (!isZing(variant)) {
            return page.evaluate((on) => {
              const pcs = (globalThis as unknown as { __zingCallBenchPcs?: RTCPeerConnection[] }).__zingCallBenchPcs ?? [];
              for (const pc of pcs) for (const s of pc.getSenders()) if (s.track?.kind === 'audio') s.track.enabled = on;
            }, !muted);
          }
          const button = page.getByRole('button', { name: 'Mute microphone', exact: true });
          if ((await button.getAttribute('aria-pressed')) === String(muted)) return;
          // force: no waiting for two steady animation frames first, which a page starved by 8 browsers on
          // 2 cores did not get within 30 s (two full runs stopped here at 8 people); still a real click.
          await button.click({ force: true });
        }),
      );
    // Steps 4-6 are figures beside the steady window's: one that a starved page cannot finish (a click past
    // its timeout at 8 people) is reported as not measured, and the size keeps what it measured before.
    const meetingWindow = await optionalStep(tag, 'the meeting', async () => {
      try {
        await setMuted(true);
        await sleep(MEETING_SETTLE_MS);
        return await measureWindow(pages, names, callPage, CPU_WINDOW_MS);
      } finally {
        // Everyone talks again for the steps after this one, also when some click above failed.
        await setMuted(false);
      }
    });
    const meeting = meetingWindow?.uploads ?? names.map(() => undefined);
    const meetingCpu = meetingWindow?.cpu;
    if (meetingWindow) {
      log(`${tag}: a meeting (all but one muted), upload ${meeting.map((m) => Math.round(m?.payloadKbps ?? NaN)).join(', ')} kbps`);
    }

    // 5. Upload per person as the product's own Stats panel shows it (the naive page has none).
    const notRead = { kbps: names.map(() => NaN), resolutions: {} };
    const upload = isZing(variant) ? ((await optionalStep(tag, 'the Stats panel upload', () => readUploads(pages))) ?? notRead) : notRead;
    if (isZing(variant)) log(`${tag}: Stats panel upload ${upload.kbps.map((k) => Math.round(k)).join(', ')} kbps`);

    // 6. Mixed tiles: one spotlighted, the rest small, on every page (the naive page has one layout).
    let mixed: (UploadMeasure | undefined)[] = names.map(() => undefined);
    let mixedCpuBrowser = names.map(() => NaN);
    const mixedWindow = isZing(variant)
      ? await optionalStep(tag, 'mixed tiles', async () => {
          await pinNext(pages);
          await sleep(MIXED_SETTLE_MS);
          return measureWindow(pages, names, callPage, MIXED_WINDOW_MS);
        })
      : undefined;
    if (mixedWindow) {
      mixed = mixedWindow.uploads;
      mixedCpuBrowser = names.map((n) => mixedWindow.cpu.people.get(n)?.browser ?? NaN);
      log(`${tag}: mixed tiles upload ${mixed.map((m) => Math.round(m?.payloadKbps ?? NaN)).join(', ')} kbps`);
    }
    const mixedKbps = mixed.map((m) => m?.payloadKbps ?? NaN);

    return {
      variant: variant.name,
      size,
      mixedKbps,
      mixedAudioKbps: mixed.map((m) => m?.audioKbps ?? NaN),
      mixedVideo: mixed.flatMap((m) => m?.video ?? []),
      mixedCpuBrowser,
      meetingCpuBrowser: names.map((n) => meetingCpu?.people.get(n)?.browser ?? NaN),
      meetingKbps: meeting.map((m) => m?.payloadKbps ?? NaN),
      meetingAudioKbps: meeting.map((m) => m?.audioKbps ?? NaN),
      firstMeshMs,
      firstMeshPairs,
      lastJoinMs,
      pairs: [mesh.reached, mesh.of],
      fps,
      uploadKbps: measured.map((m) => m?.payloadKbps ?? NaN),
      audioKbps: measured.map((m) => m?.audioKbps ?? NaN),
      uploadWithHeadersKbps: measured.map((m) => m?.withHeadersKbps ?? NaN),
      panelKbps: upload.kbps,
      limitations,
      sentFps,
      encoders: [...encoders],
      othersPercent: cpu.othersPercent,
      sendResolutions: upload.resolutions,
      cpuBrowser: shares.map((s) => s.browser),
      cpuCallPage: shares.map((s) => s.callPage),
      threads: cpu.threads,
      realtime: cpu.realtime,
      machineBusy: cpu.machineBusyPercent,
    };
  } finally {
    await Promise.all([...pages.values()].map((p) => p.close().catch(() => undefined))); // a page already gone is closed
    // The next size starts with an empty relay.
    const deadline = Date.now() + 5_000;
    while (relay.transport.connectionCount > 0 && Date.now() < deadline) await sleep(50);
  }
}

/**
 * Runs one of the steps after the steady window; if it throws, says so (in the log and in the
 * table's notes) and gives undefined, so that the size keeps the figures it has.
 */
async function optionalStep<T>(tag: string, step: string, run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    stopped.push(`${tag}: ${step} not measured: ${why}`);
    log(`${tag}: ${step} not measured (${why})`);
    return undefined;
  }
}

/**
 * Launches the first `size` people for `variant` into `people`, each with the
 * frame probe and the marker bench/lib/call-cpu.ts finds them by;
 * `lastSeesVisibility`: the last one's pages report real visibility (step 7).
 */
async function launchPeople(relay: Relay, size: number, variant: Variant, opts: { lastSeesVisibility?: boolean } = {}): Promise<Person[]> {
  const launched = await Promise.all(
    NAMES.slice(0, size).map((name, i) =>
      launchPerson({
        name,
        relayUrl: relay.url,
        settings: ZING_SETTINGS,
        profile: ZING_PROFILE,
        extension: isZing(variant),
        ...(isZing(variant) ? { dist: variant.dist } : {}),
        extraArgs: [`${PERSON_SWITCH}=${name}`],
        realVisibility: opts.lastSeesVisibility === true && i === size - 1,
      }),
    ),
  );
  for (const person of launched) {
    await person.context.addInitScript(installFrameProbe, isZing(variant) ? '/extension/call/' : NAIVE_MESH_PATH);
    people.push(person);
  }
  return launched;
}

/**
 * Step 7, in a call of its own so that nothing about it touches the figures
 * above: `size` fresh people, the last launched so that its pages report real
 * visibility (tests/support/browser.ts, realVisibility), which Playwright's own
 * launch does not; once everyone decodes everyone and STEADY_MS has passed, the
 * last person puts another tab in front of the call and brings it back.
 */
async function measureHiddenSize(relay: Relay, size: number, variant: Variant): Promise<HiddenTab> {
  const tag = `${size} ${variant.name}`;
  const members = await launchPeople(relay, size, variant, { lastSeesVisibility: true });
  const pages = new Map<string, Page>();
  try {
    const link = await newCallLink(relay.url);
    await openAll(members, (person) => openCallPage(person, link), pages);
    const mesh = await awaitMesh(pages, Date.now() + PAIRS_TIMEOUT_MS);
    if (mesh.lastFirstFrame === undefined) return notMeasured(`only ${mesh.reached}/${mesh.of} pairs decoded`);
    await sleep(STEADY_MS);
    const last = members.at(-1)!; // a size has at least two members
    const hidden = await measureHiddenTab(last, pages.get(last.name)!, NAMES.slice(0, size - 1)); // every member has a page
    log(`${tag}: hidden tab ${describeHidden(hidden)}`);
    return hidden;
  } finally {
    await closeEveryone(relay);
  }
}

/** Closes every browser launched so far, and waits (5 s at most) for the relay to see them gone. */
async function closeEveryone(relay: Relay): Promise<void> {
  await Promise.all(people.splice(0).map((p) => p.close()));
  const deadline = Date.now() + 5_000;
  while (relay.transport.connectionCount > 0 && Date.now() < deadline) await sleep(50);
}

// --- figures and printing ------------------------------------------------------

const seconds1 = (v: number | undefined) => (v === undefined ? undefined : `${(v / 1000).toFixed(1)} s`);
/** Measured from each link's last video packet, or bounded by the reads where the page gave no packet times. */
const stopTime = (h: HiddenTab) =>
  h.linkStopMs
    ? `${seconds1(h.stoppedMs)} (last packet per link: ${h.linkStopMs.map((ms) => (ms / 1000).toFixed(1)).join(', ')} s)`
    : `≤ ${seconds1(h.stoppedMs)}`;
function describeHidden(h: HiddenTab): string {
  if (h.error) return `not measured: ${h.error}`;
  const stop =
    h.stoppedMs === undefined
      ? `video still arriving on some of ${h.links} links after 10 s`
      : `video on all ${h.links} links stopped ${stopTime(h)} after hiding it, ${h.audioFlowed ? 'audio went on' : 'AUDIO STOPPED TOO'}`;
  const resume =
    h.resumedMs === undefined
      ? 'not every tile had frames again within 10 s of showing it'
      : `every tile had new frames ${seconds1(h.resumedMs)} after showing it`;
  return `${stop}; ${resume}`;
}

function median(values: number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2; // indices within a non-empty array
}
const ms = (v: number) => `${Math.round(v)}`;
/** "median (min–max)", and how many had a figure where some did not. */
const spread = (values: number[], digits = 0) => {
  const f = values.filter(Number.isFinite);
  if (f.length === 0) return 'n/a';
  const fmt = (v: number) => v.toFixed(digits);
  const missing = f.length < values.length ? ` [${f.length}/${values.length}]` : '';
  return `${fmt(median(f))} (${fmt(Math.min(...f))}–${fmt(Math.max(...f))})${missing}`;
};

let printed = false;
const loadBefore = loadavg();

function print(): void {
  if (printed) return;
  printed = true;
  const budget = DEFAULT_UPLOAD_BUDGET_KBPS;
  const out: string[] = [];
  out.push(
    `Group calls on loopback: each person a headless Chromium (own profile), maxVideoHeight ${SETTINGS.maxVideoHeight}, upload budget ${budget} kbps; ` +
      (process.env.BENCH_CALL_ZING_SETTINGS ? `Zing's settings ${JSON.stringify(ZING_SETTINGS)}; ` : '') +
      (process.env.BENCH_CALL_ZING_PROFILE ? `Zing's profile ${JSON.stringify(ZING_PROFILE)}; ` : '') +
      `${cpus().length} cores, ${process.platform} ${process.arch}`,
  );
  out.push(
    `load average (1/5/15 min): before ${loadBefore.map((v) => v.toFixed(2)).join(' ')}, after ${loadavg()
      .map((v) => v.toFixed(2))
      .join(' ')}`,
  );
  out.push('');
  const head = [
    'peers',
    'variant',
    'first N−1 at once → mesh',
    'last join → all pairs',
    'fps per remote tile',
    'CPU % per person: browser',
    'call page',
    'upload kbps per person',
    'of it audio',
    'max / budget',
    'Stats panel kbps',
    'mixed tiles kbps',
    'mixed CPU %',
    'machine busy',
    'others',
  ];
  const rows: string[][] = results.map((r) => [
    String(r.size),
    r.variant,
    r.firstMeshPairs[1] === 0
      ? '—'
      : r.firstMeshMs === undefined
        ? `${r.firstMeshPairs[0]}/${r.firstMeshPairs[1]} pairs in ${FIRST_PAIRS_TIMEOUT_MS / 1000} s`
        : `${(r.firstMeshMs / 1000).toFixed(1)} s`,
    r.lastJoinMs === undefined
      ? `${r.pairs[0]}/${r.pairs[1]} pairs in ${PAIRS_TIMEOUT_MS / 1000} s`
      : `${(r.lastJoinMs / 1000).toFixed(1)} s (${r.pairs[0]} pairs)`,
    spread(r.fps, 1),
    spread(r.cpuBrowser),
    spread(r.cpuCallPage),
    spread(r.uploadKbps),
    spread(r.audioKbps),
    `${((100 * Math.max(...r.uploadWithHeadersKbps.filter(Number.isFinite), 0)) / budget).toFixed(0)} %`,
    spread(r.panelKbps),
    spread(r.mixedKbps),
    spread(r.mixedCpuBrowser),
    `${r.machineBusy.toFixed(0)} %`,
    `${r.othersPercent.toFixed(0)} %`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length))); // every row has one cell per column
  const line = (cells: string[]) => cells.map((c, i) => (i <= 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  out.push(line(head));
  out.push(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) out.push(line(row));
  for (const line of stopped) out.push(`(${line})`);
  if (unfinished !== undefined) out.push(`(cut short by the run budget; last step: ${unfinished})`);
  out.push('');
  out.push('naive: every person sends the full camera to every other, no governor (bench/lib/naive-mesh.ts);');
  out.push(`even split: Zing at ${BEFORE_REV.slice(0, 7)} (the budget split evenly, lines and frames capped by link count);`);
  out.push('zing: each link sized to what its receiver shows (#16). Same run, same machine, sizes in turn.');
  out.push('Ratios of medians over people (CPU: whole browser tree; call page: the renderer that runs it):');
  const ratio = (x: number, y: number) => (Number.isFinite(x) && Number.isFinite(y) && x > 0 ? y / x : NaN);
  const times = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : 'n/a');
  const m = (v: number[]) => median(v);
  const pairs = (r: SizeResult) =>
    r.lastJoinMs === undefined ? `${r.pairs[0]}/${r.pairs[1]} pairs` : `all ${r.pairs[1]} in ${(r.lastJoinMs / 1000).toFixed(1)} s`;
  for (const size of SIZES) {
    const of = (v: Variant['name']) => results.find((r) => r.size === size && r.variant === v);
    const [n, e, z] = [of('naive'), of('even split'), of('zing')];
    if (!z) continue;
    const parts: string[] = [];
    if (n) {
      parts.push(
        `vs naive: pairs decoding ${pairs(n)} → ${pairs(z)}; CPU ${m(n.cpuBrowser).toFixed(0)} → ${m(z.cpuBrowser).toFixed(0)} % (${times(ratio(m(n.cpuBrowser), m(z.cpuBrowser)))}), ` +
          `call page ${times(ratio(m(n.cpuCallPage), m(z.cpuCallPage)))}; fps per tile ${m(n.fps).toFixed(1)} → ${m(z.fps).toFixed(1)}; ` +
          `upload ${m(n.uploadKbps).toFixed(0)} → ${m(z.uploadKbps).toFixed(0)} kbps (${times(ratio(m(n.uploadKbps), m(z.uploadKbps)))})`,
      );
    }
    if (n) {
      parts.push(
        `a meeting (all but one muted): CPU ${m(n.meetingCpuBrowser).toFixed(0)} → ${m(z.meetingCpuBrowser).toFixed(0)} % ` +
          `(${times(ratio(m(n.meetingCpuBrowser), m(z.meetingCpuBrowser)))}), upload ${m(n.meetingKbps).toFixed(0)} → ` +
          `${m(z.meetingKbps).toFixed(0)} kbps (${times(ratio(m(n.meetingKbps), m(z.meetingKbps)))}), of it audio ` +
          `${m(n.meetingAudioKbps).toFixed(0)} → ${m(z.meetingAudioKbps).toFixed(0)} kbps`,
      );
    }
    if (e) {
      parts.push(
        `vs even split: CPU ${times(ratio(m(e.cpuBrowser), m(z.cpuBrowser)))}; upload ${times(ratio(m(e.uploadKbps), m(z.uploadKbps)))}; ` +
          `mixed tiles: upload ${m(e.mixedKbps).toFixed(0)} → ${m(z.mixedKbps).toFixed(0)} kbps (${times(ratio(m(e.mixedKbps), m(z.mixedKbps)))}), ` +
          `CPU ${times(ratio(m(e.mixedCpuBrowser), m(z.mixedCpuBrowser)))}`,
      );
    }
    if (parts.length > 0) out.push(`  ${size} peers: ${parts.join('; ')}`);
  }
  const n4 = results.find((r) => r.size === 4 && r.variant === 'naive');
  const e4 = results.find((r) => r.size === 4 && r.variant === 'even split');
  const z4 = results.find((r) => r.size === 4 && r.variant === 'zing');
  if (n4 && z4) {
    const cpu = ratio(m(n4.cpuBrowser), m(z4.cpuBrowser));
    const met = cpu <= 0.7 && z4.lastJoinMs !== undefined;
    out.push(
      `target, 4 people: CPU per person ≤ 0.7× the naive mesh's and every pair decoding: ${times(cpu)}, ${pairs(z4)} → ${met ? 'MET' : 'NOT MET'}`,
    );
    // Where both keep both cores busy, each person's figure is their share of the machine, which hides what they would use.
    const busy = Math.min(n4.machineBusy, z4.machineBusy);
    if (busy >= SATURATED_PERCENT) {
      out.push(
        `  (both variants kept the machine ≥ ${SATURATED_PERCENT} % busy (naive ${n4.machineBusy.toFixed(0)} %, zing ${z4.machineBusy.toFixed(0)} %): ` +
          'the ratio compares shares of a saturated machine, not what each would use on its own)',
      );
    }
  }
  for (const r of results.filter((x) => x.hidden))
    out.push(`  ${r.size} peers, ${r.variant}, the last person's call tab behind another tab: ${describeHidden(r.hidden!)}`);
  if (z4?.hidden && !z4.hidden.error) {
    const met = z4.hidden.stoppedMs !== undefined && z4.hidden.stoppedMs <= HIDDEN_STOP_TARGET_MS && z4.hidden.audioFlowed;
    out.push(
      `target, 4 people: a hidden tab's senders drop its video within ${HIDDEN_STOP_TARGET_MS / 1000} s (audio going on): ` +
        `${z4.hidden.stoppedMs === undefined ? 'not within 10 s' : stopTime(z4.hidden)} → ${met ? 'MET' : 'NOT MET'}`,
    );
  }
  if (e4 && z4) {
    const up = ratio(m(e4.mixedKbps), m(z4.mixedKbps));
    out.push(`target, 4 people: upload with mixed tiles ≤ 0.5× the even split's: ${times(up)} → ${up <= 0.5 ? 'MET' : 'NOT MET'}`);
    // The sizing itself acts on video; audio (Opus on every link; the fake microphone beeps throughout, so DTX
    // engages only now and then) is much the same in both and dilutes the ratio.
    const video = (r: SizeResult) => r.mixedKbps.map((k, i) => k - (r.mixedAudioKbps[i] ?? Number.NaN));
    out.push(
      `  of it video alone: ${m(video(e4)).toFixed(0)} → ${m(video(z4)).toFixed(0)} kbps (${times(ratio(m(video(e4)), m(video(z4))))}); ` +
        `audio ${m(e4.mixedAudioKbps).toFixed(0)} → ${m(z4.mixedAudioKbps).toFixed(0)} kbps`,
    );
  }
  out.push('');
  out.push('Figures are "median (min–max)" over people (upload, CPU) or over remote tiles (fps); [k/n]: only k of n had a figure.');
  out.push('upload: outbound RTP payload (audio + video, all links) from getStats over the 5 s steady window, timed by the');
  out.push('reports\' own timestamps; "max / budget" uses the largest with RTP headers. "Stats panel": the call page\'s own');
  out.push('`Total upload` read 3× a second apart after it first showed rates (median per person). "mixed tiles": payload');
  out.push(
    `from getStats over ${MIXED_WINDOW_MS / 1000} s, ${MIXED_SETTLE_MS / 1000} s after everyone pinned the next person (one spotlighted tile, the rest in the strip).`,
  );
  out.push('Outbound camera streams at the end of the window (getStats): sent fps, and why the encoder held back:');
  for (const r of results) {
    const reasons = Object.entries(r.limitations)
      .map(([reason, k]) => `${reason} ×${k}`)
      .join(', ');
    out.push(
      `  ${r.size} ${r.variant}: sent fps ${spread(r.sentFps, 1)}; qualityLimitationReason ${reasons || 'n/a'}; encoder ${r.encoders.join(', ') || 'n/a'}`,
    );
  }
  out.push('Camera streams with mixed tiles (getStats at the end of the window), by height and frame rate: count, median payload kbps:');
  for (const r of results.filter((x) => x.mixedVideo.length > 0)) {
    const groups = new Map<string, number[]>();
    for (const v of r.mixedVideo) {
      const key = v.height === 0 ? 'off' : `${v.height} lines ${Math.round(v.fps)} fps`;
      groups.set(key, [...(groups.get(key) ?? []), v.kbps]);
    }
    const cells = [...groups]
      .sort((x, y) => y[1].length - x[1].length)
      .map(([key, kbps]) => `${key} ×${kbps.length} (${median(kbps).toFixed(0)} kbps)`);
    out.push(`  ${r.size} ${r.variant}: audio ${spread(r.mixedAudioKbps)} kbps per person; video ${cells.join(', ')}`);
  }
  out.push('Sending resolution per link, from the Stats panel (count of links):');
  for (const r of results.filter((x) => Object.keys(x.sendResolutions).length > 0)) {
    out.push(
      `  ${r.size} ${r.variant}: ${Object.entries(r.sendResolutions)
        .map(([res, k]) => `${res} ×${k}`)
        .join(', ')}`,
    );
  }
  out.push(
    `Where a person's CPU went in the steady window, by process/thread (mean over people, % of one core; the ${TOP_THREADS} largest):`,
  );
  for (const r of results) {
    const ranked = [...r.threads].filter(([, v]) => v > 0).sort((x, y) => y[1] - x[1]);
    const rest = ranked.slice(TOP_THREADS).reduce((sum, [, v]) => sum + v, 0);
    const cells = ranked.slice(0, TOP_THREADS).map(([key, v]) => `${key} ${v.toFixed(1)}`);
    const realtime = ranked.filter(([key]) => r.realtime.has(key)).reduce((sum, [, v]) => sum + v, 0);
    out.push(
      `  ${r.size} ${r.variant}: ${cells.join(', ')}; the rest ${rest.toFixed(1)}; of all, real-time threads ${realtime.toFixed(1)}`,
    );
  }
  out.push('  (thread names are Chromium\'s, cut to 15 characters: "Realtime AudioW" is an AudioWorklet (RNNoise), "AudioOutputDevi"');
  out.push('  renders sound for playback or an AudioContext, "VizCompositorTh" composites the page (software GL here), "WebRTC_W_and_N"');
  out.push('  is WebRTC\'s worker and network thread, "main" a process\'s main thread, pools lose their trailing digits.');
  out.push('  "Real-time threads": those scheduled SCHED_RR or SCHED_FIFO, as Chromium runs its audio threads where the system');
  out.push('  lets it (here it does): they take a core before any other thread, so on a saturated machine they keep their');
  out.push('  share and everything else, main threads and encoders included, waits.)');
  out.push('CPU % is percent of one core over a 5 s window (200 % = both cores): "browser" is the person\'s whole Chromium');
  out.push('process tree (renderer, GPU, network, audio, capture), "call page" the renderer that runs the call page (Zing\'s');
  out.push("extension renderer; the naive page's web renderer); all people share the same 2 cores, so at high machine busy these");
  out.push('are shares of a saturated machine, not demand. "machine busy" is /proc/stat over both cores (tick-sampled: it can');
  out.push('read low against the per-process figures); "others" is every other process (this one with the relay and Playwright,');
  out.push('anything else), percent of one core.');
  console.log(out.join('\n'));
}

/** Builds Zing as it was at BEFORE_REV into BEFORE_DIR, unless a build of that commit is there already. */
function buildBefore(): string {
  const dist = join(BEFORE_DIR, 'dist', 'chrome');
  const marker = join(BEFORE_DIR, 'built-from');
  if (existsSync(join(dist, 'manifest.json')) && existsSync(marker) && readFileSync(marker, 'utf8') === BEFORE_REV) return dist;
  rmSync(BEFORE_DIR, { recursive: true, force: true });
  mkdirSync(BEFORE_DIR, { recursive: true });
  log(`building Zing at ${BEFORE_REV.slice(0, 7)} (before #16) into ${BEFORE_DIR}`);
  const archive = execFileSync('git', ['archive', '--format=tar', BEFORE_REV], { maxBuffer: 512 * 1024 * 1024 });
  execFileSync('tar', ['-x', '-C', BEFORE_DIR], { input: archive });
  symlinkSync(resolve('node_modules'), join(BEFORE_DIR, 'node_modules'));
  const { ZING_TARGET: _target, ...env } = process.env; // the Chromium build, whatever this shell builds
  execFileSync('npx', ['vite', 'build'], { cwd: BEFORE_DIR, env, stdio: ['ignore', 'ignore', 'inherit'] });
  writeFileSync(marker, BEFORE_REV);
  return dist;
}

async function main(): Promise<void> {
  const before = buildBefore();
  const naive = await startNaiveMeshServer(SETTINGS.maxVideoHeight);
  // The naive page is served from another local origin and talks to this relay too.
  const relay = await startRelay({
    ...DEFAULTS,
    port: 0,
    logLevel: 'silent',
    allowedOrigins: [...DEFAULTS.allowedOrigins, new URL(naive.url).origin],
  });
  try {
    for (const size of SIZES) {
      const variants: Variant[] = [
        { name: 'naive', dist: undefined },
        ...(EVEN_SIZES.includes(size) ? [{ name: 'even split', dist: before } as const] : []),
        { name: 'zing', dist: DIST },
      ];
      for (const variant of variants) {
        // Fresh browsers for each variant: the two extensions share an id, so one profile cannot hold both.
        await launchPeople(relay, size, variant);
        log(`${size} ${variant.name}: ${people.length} browsers up`);
        try {
          const result = await measureSize(relay, naive, size, variant);
          results.push(result);
          await closeEveryone(relay);
          if (isZing(variant) && EVEN_SIZES.includes(size)) result.hidden = await measureHiddenSize(relay, size, variant);
        } catch (err) {
          // A machine this loaded can starve a page past a click's timeout: say where it stopped and go on.
          const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
          stopped.push(`${size} ${variant.name}: stopped after "${unfinished}": ${why}`);
          log(`${size} ${variant.name}: could not finish (${why})`);
        } finally {
          await closeEveryone(relay);
        }
        unfinished = undefined;
      }
    }
    print();
  } finally {
    await Promise.all(people.map((p) => p.close()));
    await naive.close();
    await relay.close();
  }
}

main().then(
  () => clearTimeout(watchdog),
  (err: unknown) => {
    console.error('bench:call failed:', err);
    print();
    process.exitCode = 1;
  },
);
