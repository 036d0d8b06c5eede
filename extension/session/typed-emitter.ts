// A small typed event emitter: each emitter declares its event map, `on()`
// returns the unsubscribe function, and a throwing listener never breaks the emitter.
export type EventMap = Record<string, unknown[]>;
type Listener<A extends unknown[]> = (...args: A) => void;

export class TypedEmitter<E extends EventMap> {
  // One map for every event: each set only ever holds listeners of its own key's type.
  readonly #listeners = new Map<keyof E, Set<unknown>>();

  on<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  protected emit<K extends keyof E>(event: K, ...args: E[K]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<E[K]>)(...args); // stored under `event` by on<K>, so typed by E[K]
      } catch (err) {
        console.error(`zing: a "${String(event)}" listener threw`, err);
      }
    }
  }

  protected removeAllListeners(): void {
    this.#listeners.clear();
  }
}
