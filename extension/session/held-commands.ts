// Commands for a call page the background does not know (yet), held a moment.
// A restarted background learns its calls only as their pages reconnect, and
// the popup, reconnecting too, may pass a click on before the page is back.
// Pure: the background does the I/O and passes the clock in.
import type { CallCommand } from './toolbar-messages.ts';

/** Longer than a page takes to reconnect to a restarted background (its first retry is 0.5–1 s). */
export const HOLD_COMMAND_MS = 5_000;

export class HeldCommands {
  readonly #held = new Map<number, { readonly command: CallCommand; readonly at: number }>();

  /** Holds `command` for the page of `tabId`, in place of an older one; a held `leave` stays. */
  hold(tabId: number, command: CallCommand, now: number): void {
    this.#prune(now);
    if (this.#held.get(tabId)?.command.type === 'leave') return;
    this.#held.set(tabId, { command, at: now });
  }

  /** The command held for the page of `tabId` that just connected, if still fresh. */
  take(tabId: number, now: number): CallCommand | undefined {
    this.#prune(now);
    const held = this.#held.get(tabId);
    this.#held.delete(tabId);
    return held?.command;
  }

  get size(): number {
    return this.#held.size;
  }

  #prune(now: number): void {
    for (const [tabId, { at }] of this.#held) if (now - at >= HOLD_COMMAND_MS) this.#held.delete(tabId);
  }
}
