// The event half of a fake data channel, shared by the session tests' fakes:
// listeners as a Channel takes them, and dispatchEvent for the test or the fake.
import type { Channel, ChannelEventMap } from '../../../../extension/session/channel.ts';

export abstract class ChannelEvents implements Pick<Channel, 'addEventListener' | 'removeEventListener'> {
  readonly #events = new EventTarget();

  addEventListener<K extends keyof ChannelEventMap>(type: K, listener: (ev: ChannelEventMap[K]) => void): void {
    // Fakes dispatch a MessageEvent as 'message' and a plain Event otherwise, so type K brings ChannelEventMap[K].
    this.#events.addEventListener(type, listener as EventListener);
  }

  removeEventListener<K extends keyof ChannelEventMap>(type: K, listener: (ev: ChannelEventMap[K]) => void): void {
    this.#events.removeEventListener(type, listener as EventListener);
  }

  dispatchEvent(event: Event): void {
    this.#events.dispatchEvent(event);
  }
}
