// The background's view of the calls running in this browser: one entry per
// call tab, from what each call page reports over its port, and what the
// toolbar icon's badge should say about them. Pure; the background does the I/O.
import type { CallReport, ToolbarCall } from './toolbar-messages.ts';

export interface RunningCall extends ToolbarCall {
  readonly startedAt: number;
}

export interface Badge {
  /** At most four characters: Chromium shows no more. */
  readonly text: string;
  /** Background colour, CSS hex. */
  readonly color: string;
  /** The icon's tooltip, which is also what a screen reader says for it. */
  readonly title: string;
}

/** What the icon says outside a call (the manifest's own title). */
export const IDLE_BADGE: Badge = { text: '', color: '#000000', title: 'Zing: start or join a call' };
/** A shortcut was pressed with no call to act on. */
export const NO_CALL_BADGE: Badge = { text: 'none', color: '#5f6b7a', title: 'Zing: no call is running, so the shortcut did nothing' };
/** How long NO_CALL_BADGE shows: long enough to glance at the toolbar after pressing the keys. */
export const NO_CALL_BADGE_MS = 2_500;

export class CallRegistry {
  readonly #calls = new Map<number, RunningCall>();

  /** Takes a call page's report: a live call is added or updated, an ended one removed. */
  report(tabId: number, report: CallReport): void {
    if (!report.live) {
      this.#calls.delete(tabId);
      return;
    }
    this.#calls.set(tabId, {
      tabId,
      micMuted: report.micMuted,
      cameraOff: report.cameraOff,
      startedAt: report.startedAt,
      call: report.call,
    });
  }

  /** The tab closed, navigated away or lost its port. */
  remove(tabId: number): void {
    this.#calls.delete(tabId);
  }

  get size(): number {
    return this.#calls.size;
  }

  /** The call the toolbar and the shortcuts act on: the one started last (ties: the newer tab). */
  current(): RunningCall | undefined {
    let best: RunningCall | undefined;
    for (const call of this.#calls.values()) {
      if (!best || call.startedAt > best.startedAt || (call.startedAt === best.startedAt && call.tabId > best.tabId)) best = call;
    }
    return best;
  }
}

/** The badge for the current call: live (green) or live with the microphone muted (red). */
export function badgeFor(call: RunningCall | undefined): Badge {
  if (!call) return IDLE_BADGE;
  return call.micMuted
    ? { text: 'mute', color: '#c62828', title: 'Zing: in a call, microphone muted' }
    : { text: 'live', color: '#1a7f37', title: 'Zing: in a call, microphone on' };
}
