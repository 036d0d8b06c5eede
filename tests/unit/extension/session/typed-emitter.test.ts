import { afterEach, describe, expect, it, vi } from 'vitest';
import { TypedEmitter } from '../../../../extension/session/typed-emitter.ts';

type Events = {
  ping: [number];
  pair: [string, boolean];
  nothing: [];
};

/** Exposes the protected emit and removeAllListeners to the tests. */
class TestEmitter extends TypedEmitter<Events> {
  fire<K extends keyof Events>(event: K, ...args: Events[K]): void {
    this.emit(event, ...args);
  }
  clear(): void {
    this.removeAllListeners();
  }
}

describe('TypedEmitter', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('calls a listener with every argument of its event', () => {
    const emitter = new TestEmitter();
    const seen: [string, boolean][] = [];
    emitter.on('pair', (a, b) => seen.push([a, b]));
    emitter.fire('pair', 'x', true);
    emitter.fire('pair', 'y', false);
    expect(seen).toEqual([
      ['x', true],
      ['y', false],
    ]);
  });

  it('calls listeners in the order they subscribed', () => {
    const emitter = new TestEmitter();
    const order: string[] = [];
    emitter.on('nothing', () => order.push('first'));
    emitter.on('nothing', () => order.push('second'));
    emitter.on('nothing', () => order.push('third'));
    emitter.fire('nothing');
    expect(order).toEqual(['first', 'second', 'third']);
  });

  it('calls only the listeners of the event emitted', () => {
    const emitter = new TestEmitter();
    const ping = vi.fn();
    const pair = vi.fn();
    emitter.on('ping', ping);
    emitter.on('pair', pair);
    emitter.fire('ping', 1);
    expect(ping).toHaveBeenCalledWith(1);
    expect(pair).not.toHaveBeenCalled();
  });

  it('does nothing when an event has no listeners', () => {
    expect(() => new TestEmitter().fire('ping', 1)).not.toThrow();
  });

  it('stops calling a listener once the function on() returned is called', () => {
    const emitter = new TestEmitter();
    const kept = vi.fn();
    const dropped = vi.fn();
    emitter.on('ping', kept);
    const off = emitter.on('ping', dropped);
    emitter.fire('ping', 1);
    off();
    emitter.fire('ping', 2);
    expect(dropped.mock.calls).toEqual([[1]]);
    expect(kept.mock.calls).toEqual([[1], [2]]);
  });

  it('lets the unsubscribe function be called twice without touching other listeners', () => {
    const emitter = new TestEmitter();
    const other = vi.fn();
    const off = emitter.on('ping', vi.fn());
    emitter.on('ping', other);
    off();
    off();
    emitter.fire('ping', 3);
    expect(other).toHaveBeenCalledWith(3);
  });

  it('keeps calling the other listeners when one throws, and reports the error', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined); // the error is asserted below
    const emitter = new TestEmitter();
    const before = vi.fn();
    const after = vi.fn();
    const boom = new Error('boom');
    emitter.on('ping', before);
    emitter.on('ping', () => {
      throw boom;
    });
    emitter.on('ping', after);
    expect(() => emitter.fire('ping', 7)).not.toThrow();
    expect(before).toHaveBeenCalledWith(7);
    expect(after).toHaveBeenCalledWith(7);
    expect(error).toHaveBeenCalledOnce();
    expect(error.mock.calls[0]).toContain(boom);
    expect(String(error.mock.calls[0]?.[0])).toContain('"ping"');
  });

  it('lets a listener unsubscribe itself while the event is being emitted', () => {
    const emitter = new TestEmitter();
    const calls: string[] = [];
    const off = emitter.on('ping', () => {
      calls.push('once');
      off();
    });
    emitter.on('ping', () => calls.push('always'));
    emitter.fire('ping', 1);
    emitter.fire('ping', 2);
    expect(calls).toEqual(['once', 'always', 'always']);
  });

  it('does not call a listener added while the event is being emitted until the next emit', () => {
    const emitter = new TestEmitter();
    const late = vi.fn();
    emitter.on('ping', () => {
      emitter.on('ping', late);
    });
    emitter.fire('ping', 1);
    expect(late).not.toHaveBeenCalled();
    emitter.fire('ping', 2);
    expect(late).toHaveBeenCalledWith(2);
  });

  it('forgets every listener on removeAllListeners', () => {
    const emitter = new TestEmitter();
    const ping = vi.fn();
    const nothing = vi.fn();
    emitter.on('ping', ping);
    emitter.on('nothing', nothing);
    emitter.clear();
    emitter.fire('ping', 1);
    emitter.fire('nothing');
    expect(ping).not.toHaveBeenCalled();
    expect(nothing).not.toHaveBeenCalled();
  });

  it('keeps the listeners of two emitters apart', () => {
    const a = new TestEmitter();
    const b = new TestEmitter();
    const onA = vi.fn();
    a.on('ping', onA);
    b.fire('ping', 1);
    expect(onA).not.toHaveBeenCalled();
  });
});
