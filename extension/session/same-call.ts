// Whether this browser already has a call open in another tab, and moving it.
//
// A person in a call who clicks its link again (in the chat where it was
// shared, say) lands on the pre-join page in a new tab; joining there made
// them a second participant: the others saw them twice, and each tab played
// the other's microphone back. So the tabs of one origin (Zing's own pages, or
// the relay's guest pages) ask each other over a BroadcastChannel: a tab in a
// call answers for it, shows itself, or leaves it when the call moves to the
// tab that asked. Only pages of the same origin share a channel; what arrives
// is checked all the same.

/** The channel's name: one per origin. */
export const SAME_CALL_CHANNEL = 'zing:calls';
/** How long the pre-join page waits for a tab in the call to answer (a message between tabs takes a few ms). */
export const ANSWER_WITHIN_MS = 300;
/** How long a call that moves here waits for the other tab to leave it before joining anyway. */
export const LEAVE_WITHIN_MS = 2_000;

/** What a BroadcastChannel offers that this uses; tests pass their own. */
export interface Channel {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (ev: MessageEvent) => void): void;
  close(): void;
}

type Said = { type: 'who' | 'here' | 'show' | 'leave' | 'left'; call: string };

/** The call, running in another tab of this browser. */
export interface CallElsewhere {
  /** Brings that tab to the front. */
  show(): void;
  /** Ends the call in that tab, to join it here: resolves once it left, or after `waitMs` regardless. */
  moveHere(waitMs?: number): Promise<void>;
  /** No longer needed (the person went to the other tab, or left this page). */
  close(): void;
}

/** A page's id among the tabs: only told apart, never trusted (getRandomValues, unlike randomUUID, works off a secure context too). */
const pageId = (): string => Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');

const TYPES = new Set(['who', 'here', 'show', 'leave', 'left']);

/**
 * One page among the tabs. A page's own channels hear each other too, so each
 * message says which page sent it, and a page never acts on its own word.
 */
export class Tabs {
  readonly #self: string;
  readonly #open: () => Channel;

  constructor(self: string = pageId(), open: () => Channel = () => new BroadcastChannel(SAME_CALL_CHANNEL)) {
    this.#self = self;
    this.#open = open;
  }

  /**
   * A joined call's side, for as long as it runs: answers a tab that asks for
   * `call`, shows itself when asked, and leaves when the call moves to another
   * tab. Returns the stop.
   */
  answerForCall(call: string, on: { show(): void; leave(): void }): () => void {
    const channel = this.#open();
    this.#hear(channel, call, (type) => {
      if (type === 'who') this.#say(channel, 'here', call);
      else if (type === 'show') on.show();
      else if (type === 'leave') {
        on.leave();
        this.#say(channel, 'left', call);
      }
    });
    return () => channel.close();
  }

  /** The pre-join page's side: another tab in `call`, if one answers within `waitMs`. */
  async findCallElsewhere(call: string, waitMs = ANSWER_WITHIN_MS): Promise<CallElsewhere | undefined> {
    const channel = this.#open();
    const answered = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), waitMs);
      this.#hear(channel, call, (type) => {
        if (type !== 'here') return;
        clearTimeout(timer);
        resolve(true);
      });
      this.#say(channel, 'who', call);
    });
    if (answered) return this.#elsewhere(channel, call);
    channel.close();
    return undefined;
  }

  /**
   * Joining `call` here straight from Zing's own UI: any other tab in it
   * leaves it. Not waited for (that would slow every join): the old tab's
   * leave usually reaches the relay before this one's join, but on a loaded
   * machine the others may see both for a moment.
   */
  leaveElsewhere(call: string): void {
    const channel = this.#open();
    this.#say(channel, 'leave', call);
    channel.close();
  }

  /** The call that answered on `channel`, running in another tab. */
  #elsewhere(channel: Channel, call: string): CallElsewhere {
    return {
      show: () => this.#say(channel, 'show', call),
      moveHere: (waitMs = LEAVE_WITHIN_MS) =>
        new Promise((resolve) => {
          const done = () => {
            clearTimeout(timer);
            channel.close();
            resolve();
          };
          const timer = setTimeout(done, waitMs);
          this.#hear(channel, call, (type) => {
            if (type === 'left') done();
          });
          this.#say(channel, 'leave', call);
        }),
      close: () => channel.close(),
    };
  }

  #say(channel: Channel, type: Said['type'], call: string): void {
    channel.postMessage({ type, call, from: this.#self });
  }

  /** Calls `on` with each message about `call` from another page. */
  #hear(channel: Channel, call: string, on: (type: Said['type']) => void): void {
    channel.addEventListener('message', (ev) => {
      if (typeof ev.data !== 'object' || ev.data === null) return;
      const { type, call: about, from } = ev.data as Record<string, unknown>;
      if (from !== this.#self && about === call && typeof type === 'string' && TYPES.has(type)) on(type as Said['type']);
    });
  }
}

/** This page, among the tabs. */
export const tabs = new Tabs();
