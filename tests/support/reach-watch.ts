// Watches what a page could use to reach anyone: what it asks getUserMedia for,
// and the relay sockets and peer connections it makes. An init script, so it is
// in place before any page (or frame, extension pages included) of the browser
// context runs its own code.
import type { BrowserContext, Page } from 'playwright-core';

export async function watchReach(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const g = globalThis as { __zingAsked?: string[]; __zingReached?: number };
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

/** What the page asked getUserMedia for, in order: 'audio+video', 'audio', 'video'. */
export const askedFor = (page: Pick<Page, 'evaluate'>) => page.evaluate(() => (globalThis as { __zingAsked?: string[] }).__zingAsked ?? []);

/** Relay sockets and peer connections the page made. */
export const reached = (page: Pick<Page, 'evaluate'>) => page.evaluate(() => (globalThis as { __zingReached?: number }).__zingReached ?? 0);
