// Watches what a page could use to reach anyone: what it asks getUserMedia for,
// and the relay sockets and peer connections it makes. An init script, so it is
// in place before any page (or frame, extension pages included) of the browser
// context runs its own code. Where it was not (a tab that loaded before the
// driver had it: see holdNewTab in browser.ts), the readers say so rather than
// vouch for what they could not see.
import type { BrowserContext, Page } from 'playwright-core';

export async function watchReach(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const g = globalThis as { __zingAsked?: string[]; __zingReached?: number; __zingWatchLate?: boolean };
    // A page's own scripts run once parsing ends: still loading, none has.
    g.__zingWatchLate = document.readyState !== 'loading';
    const asked: string[] = [];
    g.__zingAsked = asked;
    g.__zingReached = 0;
    const NativeSocket = globalThis.WebSocket;
    globalThis.WebSocket = class extends NativeSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        g.__zingReached = (g.__zingReached ?? 0) + 1;
      }
    };
    const NativePc = globalThis.RTCPeerConnection;
    if (NativePc)
      globalThis.RTCPeerConnection = class extends NativePc {
        constructor(config?: RTCConfiguration) {
          super(config);
          g.__zingReached = (g.__zingReached ?? 0) + 1;
        }
      };
    const media = navigator.mediaDevices;
    if (!media) return;
    const real = media.getUserMedia.bind(media);
    media.getUserMedia = (constraints) => {
      asked.push([constraints?.audio ? 'audio' : '', constraints?.video ? 'video' : ''].filter(Boolean).join('+'));
      return real(constraints);
    };
  });
}

type Watched = { __zingAsked?: string[]; __zingReached?: number; __zingWatchLate?: boolean };

/** Whether the watch was in place before the page's own scripts ran (false for a tab that loaded before the driver had it). */
export const watchedFromStart = (page: Pick<Page, 'evaluate'>): Promise<boolean> =>
  page.evaluate(() => (globalThis as Watched).__zingWatchLate === false);

/**
 * What the page asked getUserMedia for, in order: 'audio+video', 'audio', 'video'.
 * Only from the page's start, unless `sinceWatch` (what it asked after a click
 * made once the watch was in, which a late watch sees too).
 */
export const askedFor = (page: Pick<Page, 'evaluate'>, sinceWatch = false): Promise<string[]> =>
  read(page, sinceWatch, () => ({ late: (globalThis as Watched).__zingWatchLate, value: (globalThis as Watched).__zingAsked ?? [] }));

/** Relay sockets and peer connections the page made since it started. */
export const reached = (page: Pick<Page, 'evaluate'>): Promise<number> =>
  read(page, false, () => ({ late: (globalThis as Watched).__zingWatchLate, value: (globalThis as Watched).__zingReached ?? 0 }));

async function read<T>(
  page: Pick<Page, 'evaluate'>,
  sinceWatch: boolean,
  inPage: () => { late: boolean | undefined; value: T },
): Promise<T> {
  const { late, value } = await page.evaluate(inPage);
  if (late === undefined) throw new Error('no reach watch in this page');
  if (late && !sinceWatch)
    throw new Error('the reach watch was not in place before the page’s own scripts ran, so it cannot vouch for them');
  return value;
}
