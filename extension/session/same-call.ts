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

const openChannel = (): Channel => new BroadcastChannel(SAME_CALL_CHANNEL);

type Said =
  | { type: 'who'; call: string }
  | { type: 'here'; call: string }
  | { type: 'show'; call: string }
  | { type: 'leave'; call: string }
  | { type: 'left'; call: string };

const TYPES = new Set(['who', 'here', 'show', 'leave', 'left']);

function said(data: unknown): Said | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { type, call } = data as Record<string, unknown>;
  return typeof type === 'string' && TYPES.has(type) && typeof call === 'string' ? ({ type, call } as Said) : undefined;
}

/**
 * A call's name between tabs: its relay and room, never its secret (a tab of
 * the same origin could read the link anyway; this keeps the key out of it).
 */
export const callName = (link: { relayOrigin: string; room: string }): string => `${link.relayOrigin}/r/${link.room}`;

/**
 * A joined call's side, for as long as it runs: answers a tab that asks for
 * `call`, shows itself when asked, and leaves when the call moves to another
 * tab (`leave` returns once the relay was told). Returns the stop.
 */
export function answerForCall(call: string, on: { show(): void; leave(): void }, channel: Channel = openChannel()): () => void {
  channel.addEventListener('message', (ev) => {
    const msg = said(ev.data);
    if (msg?.call !== call) return;
    if (msg.type === 'who') channel.postMessage({ type: 'here', call });
    else if (msg.type === 'show') on.show();
    else if (msg.type === 'leave') {
      on.leave();
      channel.postMessage({ type: 'left', call });
    }
  });
  return () => channel.close();
}

/** The pre-join page's side: another tab in `call`, if one answers within `waitMs`. */
export async function findCallElsewhere(
  call: string,
  waitMs = ANSWER_WITHIN_MS,
  channel: Channel = openChannel(),
): Promise<CallElsewhere | undefined> {
  const answered = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), waitMs);
    channel.addEventListener('message', (ev) => {
      const msg = said(ev.data);
      if (msg?.type === 'here' && msg.call === call) {
        clearTimeout(timer);
        resolve(true);
      }
    });
    channel.postMessage({ type: 'who', call });
  });
  if (answered) return new CallElsewhere(call, channel);
  channel.close();
  return undefined;
}

/** The call, running in another tab of this browser. */
export class CallElsewhere {
  readonly #call: string;
  readonly #channel: Channel;

  constructor(call: string, channel: Channel) {
    this.#call = call;
    this.#channel = channel;
  }

  /** Brings that tab to the front. */
  show(): void {
    this.#channel.postMessage({ type: 'show', call: this.#call });
  }

  /** Ends the call in that tab, to join it here: resolves once it left, or after `waitMs` regardless. */
  moveHere(waitMs = LEAVE_WITHIN_MS): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#channel.close();
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      this.#channel.addEventListener('message', (ev) => {
        const msg = said(ev.data);
        if (msg?.type === 'left' && msg.call === this.#call) done();
      });
      this.#channel.postMessage({ type: 'leave', call: this.#call });
    });
  }

  /** No longer needed (the person went to the other tab, or left this page). */
  close(): void {
    this.#channel.close();
  }
}
