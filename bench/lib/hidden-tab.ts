// The hidden-tab step of bench/call.ts: one person opens another tab in front
// of their call (their call page becomes `hidden`, as in a person's browser;
// that person must be launched with realVisibility), and the bench times, from
// that person's own page, how long until no link brings them video, whether
// their audio goes on meanwhile, and, once the call tab is in front again, how
// long until every remote tile presents new frames. The stop is timed from the
// page's own visibilitychange to each link's last video packet, so a page slow
// to answer the bench's reads (a starved background tab) does not stretch it.
import type { Page } from 'playwright-core';
import type { Person } from '../../tests/support/browser.ts';
import type { FrameRecord } from './call-probe.ts';
import { sleep } from './time.ts';

export interface HiddenTab {
  /** Peer connections that were bringing video when the tab was hidden. */
  links: number;
  /**
   * From the page going hidden (its own visibilitychange) to the last video packet any link brought
   * (each link's `lastPacketReceivedTimestamp`); undefined: it never stopped. Where those times cannot
   * be had, from asking for the other tab to the last read in which video still grew (an upper bound).
   */
  stoppedMs: number | undefined;
  /** The same per link, in the page's order, where measured from packet times (absent: stoppedMs is the read bound). */
  linkStopMs?: number[];
  /** Audio bytes arrived while no video did. */
  audioFlowed: boolean;
  /** From showing the tab again to every remote tile presenting two new frames; undefined: not within the limit. */
  resumedMs: number | undefined;
  /** Why the step could not run, if it could not. */
  error?: string;
}

/** The step could not run, and why. */
export const notMeasured = (error: string): HiddenTab => ({
  links: 0,
  stoppedMs: undefined,
  audioFlowed: false,
  resumedMs: undefined,
  error,
});

/** How often the hidden page's inbound bytes are read. */
const READ_EVERY_MS = 200;
/** Video counts as stopped once no link's video grew for this long. */
const FLAT_FOR_MS = 1_000;
const STOP_LIMIT_MS = 10_000;
const RESUME_LIMIT_MS = 10_000;

/** One link's inbound counters at one read. */
interface Inbound {
  video: number;
  audio: number;
  /** The latest `lastPacketReceivedTimestamp` of its video streams, if the report has one. */
  lastVideoAt: number | undefined;
  /** The report's own time. */
  at: number;
}

/** Runs in the page: inbound video and audio of each open peer connection (the call probe's list). */
async function inboundBytes(): Promise<Inbound[]> {
  const pcs = ((globalThis as unknown as Record<string, RTCPeerConnection[] | undefined>).__zingCallBenchPcs ?? []).filter(
    (pc) => pc.connectionState === 'connected',
  );
  return Promise.all(
    pcs.map(async (pc) => {
      const out: Inbound = { video: 0, audio: 0, lastVideoAt: undefined, at: 0 };
      (await pc.getStats()).forEach((s: Record<string, unknown>) => {
        if (s.type !== 'inbound-rtp' || typeof s.bytesReceived !== 'number') return;
        if (typeof s.timestamp === 'number') out.at = Math.max(out.at, s.timestamp);
        if (s.kind === 'video') {
          out.video += s.bytesReceived;
          const last = s.lastPacketReceivedTimestamp;
          if (typeof last === 'number') out.lastVideoAt = Math.max(out.lastVideoAt ?? 0, last);
        } else if (s.kind === 'audio') out.audio += s.bytesReceived;
      });
      return out;
    }),
  );
}

/**
 * Each link's last video packet after `hiddenAt`, in ms (0: none came after), from the packet times
 * the page's reports give; undefined where a link has none, or where they do not read as wall-clock
 * times in the report's own time base (after its own `timestamp`, or a minute before hiding: a bug
 * in some Chromium versions gave them another offset).
 */
export function stopsFromPackets(links: readonly Inbound[], hiddenAt: number): number[] | undefined {
  const stops: number[] = [];
  for (const l of links) {
    if (l.lastVideoAt === undefined || l.lastVideoAt > l.at + 1 || l.lastVideoAt < hiddenAt - 60_000) return undefined;
    stops.push(Math.max(0, l.lastVideoAt - hiddenAt));
  }
  return stops;
}

const presented = (page: Page) =>
  page.evaluate(() => ((globalThis as unknown as Record<string, FrameRecord>).__zingCallBench?.presented ?? {}) as Record<string, number>);

export async function measureHiddenTab(person: Person, page: Page, remotes: string[]): Promise<HiddenTab> {
  // The new tab comes to the front as it opens: time from asking for it (an upper bound, like the rest).
  const hiddenAt = Date.now();
  const other = await person.context.newPage();
  try {
    if ((await page.evaluate(() => document.visibilityState)) !== 'hidden') {
      return notMeasured('the call tab stayed visible');
    }
    let last = await page.evaluate(inboundBytes);
    const links = last.length;
    // Nothing before the first read can be told apart: the bound starts there.
    let grewAt = Date.now();
    let flatAudioFrom: number | undefined;
    let stoppedMs: number | undefined;
    let linkStopMs: number[] | undefined;
    let audioFlowed = false;
    while (Date.now() - hiddenAt < STOP_LIMIT_MS) {
      await sleep(READ_EVERY_MS);
      const now = await page.evaluate(inboundBytes);
      const at = Date.now();
      const videoGrew = now.some((l, i) => l.video > (last[i]?.video ?? 0));
      const audio = now.reduce((sum, l) => sum + l.audio, 0);
      if (videoGrew || now.length !== last.length) {
        grewAt = at;
        flatAudioFrom = audio;
      } else {
        flatAudioFrom ??= audio;
        if (at - grewAt >= FLAT_FOR_MS) {
          audioFlowed = audio > flatAudioFrom;
          const pageHiddenAt = await page.evaluate(() => (globalThis as unknown as Record<string, FrameRecord>).__zingCallBench?.hiddenAt);
          linkStopMs = pageHiddenAt === undefined ? undefined : stopsFromPackets(now, pageHiddenAt);
          stoppedMs = linkStopMs ? Math.max(0, ...linkStopMs) : grewAt - hiddenAt;
          break;
        }
      }
      last = now;
    }

    const before = await presented(page);
    // From asking, as for hiding: bringToFront returns once the tab is in front, which can be after frames flow again.
    const shownAt = Date.now();
    await page.bringToFront();
    let resumedMs: number | undefined;
    while (Date.now() - shownAt < RESUME_LIMIT_MS) {
      const now = await presented(page);
      if (remotes.every((name) => (now[name] ?? 0) >= (before[name] ?? 0) + 2)) {
        resumedMs = Date.now() - shownAt;
        break;
      }
      await sleep(50);
    }
    return { links, stoppedMs, linkStopMs, audioFlowed, resumedMs };
  } finally {
    await other.close().catch(() => undefined);
  }
}
