import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/** A runtime port as the browser hands it out, which the test can drop as a restarting background does. */
class FakePort {
  readonly sent: unknown[] = [];
  readonly #message = new Set<(m: unknown) => void>();
  readonly #disconnect = new Set<() => void>();
  gone = false;
  readonly onMessage = { addListener: (fn: (m: unknown) => void) => this.#message.add(fn) };
  readonly onDisconnect = { addListener: (fn: () => void) => this.#disconnect.add(fn) };
  constructor(readonly name: string) {}
  postMessage(m: unknown): void {
    if (this.gone) throw new Error('Attempting to use a disconnected port object');
    this.sent.push(m);
  }
  disconnect(): void {
    this.gone = true; // the browser does not tell the side that disconnects
  }
  /** The background went away. */
  drop(): void {
    this.gone = true;
    for (const fn of this.#disconnect) fn();
  }
  deliver(m: unknown): void {
    for (const fn of this.#message) fn(m);
  }
}

const ports: FakePort[] = [];
vi.mock('webextension-polyfill', () => ({
  default: {
    runtime: {
      connect: ({ name }: { name: string }) => {
        const port = new FakePort(name);
        ports.push(port);
        return port;
      },
    },
  },
}));

const { RECONNECT_MAX_MS, RECONNECT_MS, openBackgroundPort, reconnectDelay } = await import(
  '../../../../extension/session/background-port.ts'
);

const last = (): FakePort => {
  const port = ports.at(-1);
  if (!port) throw new Error('no port opened');
  return port;
};

describe('reconnectDelay', () => {
  it('comes back quickly after a port that lasted: the background restarted', () => {
    expect(reconnectDelay(8_000, RECONNECT_MAX_MS + 1)).toBe(RECONNECT_MS);
  });

  it('doubles while ports drop at once, up to the ceiling', () => {
    let delay = RECONNECT_MS;
    const seen: number[] = [];
    for (let i = 0; i < 10; i++) seen.push((delay = reconnectDelay(delay, 5)));
    expect(seen.slice(0, 3)).toEqual([1_000, 2_000, 4_000]);
    expect(seen.at(-1)).toBe(RECONNECT_MAX_MS);
  });
});

describe('openBackgroundPort', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    ports.length = 0;
  });
  afterEach(() => vi.useRealTimers());

  it('opens the named port, tells the page once it may post, and passes messages on', async () => {
    const got: unknown[] = [];
    const onOpen = vi.fn();
    const port = openBackgroundPort('zing-popup', { onMessage: (m) => got.push(m), onOpen });
    expect(last().name).toBe('zing-popup');
    await Promise.resolve();
    expect(onOpen).toHaveBeenCalledTimes(1);
    last().deliver({ type: 'call', call: null });
    expect(got).toEqual([{ type: 'call', call: null }]);
    expect(port.post({ a: 1 })).toBe(true);
    expect(last().sent).toEqual([{ a: 1 }]);
  });

  it('opens again after the background drops it, says so, and the page can post again', async () => {
    const onOpen = vi.fn();
    const onDrop = vi.fn();
    const port = openBackgroundPort('zing-call', { onMessage: () => undefined, onOpen, onDrop });
    await Promise.resolve();
    vi.advanceTimersByTime(RECONNECT_MAX_MS + 1); // a port that lasted
    last().drop();
    expect(onDrop).toHaveBeenCalledTimes(1);
    expect(port.post('lost')).toBe(false);
    vi.advanceTimersByTime(RECONNECT_MS - 1);
    expect(ports).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(ports).toHaveLength(2);
    await Promise.resolve();
    expect(onOpen).toHaveBeenCalledTimes(2);
    expect(port.post('again')).toBe(true);
    expect(last().sent).toEqual(['again']);
  });

  it('backs off from a background that drops it at once, and comes back quickly once a port lasts', () => {
    openBackgroundPort('zing-call', { onMessage: () => undefined });
    const opened: number[] = [];
    for (let i = 0; i < 6; i++) {
      last().drop();
      const before = ports.length;
      const start = Date.now();
      while (ports.length === before) vi.advanceTimersByTime(100);
      opened.push(Date.now() - start);
    }
    expect(opened).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000]);
    vi.advanceTimersByTime(RECONNECT_MAX_MS + 1);
    last().drop();
    vi.advanceTimersByTime(RECONNECT_MS);
    expect(ports).toHaveLength(8);
  });

  it('ignores what an old port says after a new one opened', () => {
    const got: unknown[] = [];
    openBackgroundPort('zing-popup', { onMessage: (m) => got.push(m) });
    const old = last();
    old.drop();
    vi.advanceTimersByTime(RECONNECT_MAX_MS);
    old.deliver('stale');
    last().deliver('fresh');
    expect(got).toEqual(['fresh']);
  });

  it('posts nothing on a port that went a moment before its disconnect event', () => {
    const port = openBackgroundPort('zing-popup', { onMessage: () => undefined });
    last().gone = true;
    expect(port.post('x')).toBe(false);
  });

  it('stays closed once closed, even if the background drops the port later; closing twice is safe', () => {
    const onOpen = vi.fn();
    const port = openBackgroundPort('zing-call', { onMessage: () => undefined, onOpen });
    const first = last();
    port.close();
    port.close();
    expect(first.gone).toBe(true);
    first.drop();
    vi.advanceTimersByTime(RECONNECT_MAX_MS * 2);
    expect(ports).toHaveLength(1);
    expect(port.post('x')).toBe(false);
  });

  it('does not open again when closed while waiting to reopen', () => {
    const port = openBackgroundPort('zing-call', { onMessage: () => undefined });
    last().drop();
    port.close();
    vi.advanceTimersByTime(RECONNECT_MAX_MS * 2);
    expect(ports).toHaveLength(1);
  });
});
