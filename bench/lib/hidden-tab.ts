// The hidden-tab step of bench/call.ts: one person opens another tab in front
// of their call (their call page becomes `hidden`, as in a person's browser;
// that person must be launched with realVisibility), and the bench times, from
// that person's own page, how long until no link brings them video, whether
// their audio goes on meanwhile, and, once the call tab is in front again, how
// long until every remote tile presents new frames.
import type { Page } from 'playwright-core';
import type { Person } from '../../tests/support/browser.ts';
import type { FrameRecord } from './call-probe.ts';
import { sleep } from './time.ts';

export interface HiddenTab {
  /** Peer connections that were bringing video when the tab was hidden. */
  links: number;
  /** From hiding the tab to the last read in which any link's video still grew (an upper bound); undefined: it never stopped. */
  stoppedMs: number | undefined;
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

/** Runs in the page: inbound video and audio bytes of each open peer connection (the call probe's list). */
async function inboundBytes(): Promise<{ video: number; audio: number }[]> {
  const pcs = ((globalThis as unknown as Record<string, RTCPeerConnection[] | undefined>).__zingCallBenchPcs ?? []).filter(
    (pc) => pc.connectionState === 'connected',
  );
  return Promise.all(
    pcs.map(async (pc) => {
      const out = { video: 0, audio: 0 };
      (await pc.getStats()).forEach((s: Record<string, unknown>) => {
        if (s.type !== 'inbound-rtp' || typeof s.bytesReceived !== 'number') return;
        if (s.kind === 'video') out.video += s.bytesReceived;
        else if (s.kind === 'audio') out.audio += s.bytesReceived;
      });
      return out;
    }),
  );
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
          stoppedMs = grewAt - hiddenAt;
          audioFlowed = audio > flatAudioFrom;
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
    return { links, stoppedMs, audioFlowed, resumedMs };
  } finally {
    await other.close().catch(() => undefined);
  }
}
