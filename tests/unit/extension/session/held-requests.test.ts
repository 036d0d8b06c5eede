import { describe, expect, it } from 'vitest';
import { HeldRequests } from '../../../../extension/session/held-requests.ts';

const LIMITS = { burst: 2, perSecond: 1 / 10 };

describe('HeldRequests', () => {
  it('lets the burst through at once, with each request’s payload', () => {
    const r = new HeldRequests<string, string>(LIMITS);
    expect(r.request('ben', 'offer 1', 0)).toEqual({ payload: 'offer 1' });
    expect(r.request('ben', undefined, 0)).toEqual({ payload: undefined });
    expect(r.release(60_000)).toEqual([]);
  });

  it('holds requests past the burst and releases only the latest, once its token is due', () => {
    const r = new HeldRequests<string, string>(LIMITS);
    r.request('ben', 'offer 1', 0);
    r.request('ben', 'offer 2', 0);
    for (let n = 3; n <= 10; n++) expect(r.request('ben', `offer ${n}`, n)).toBeUndefined();
    expect(r.release(9_999)).toEqual([]);
    expect(r.release(10_000)).toEqual([{ key: 'ben', payload: 'offer 10' }]);
    // Released once: nothing more is held, whatever the bucket holds later.
    expect(r.release(60_000)).toEqual([]);
  });

  it('keeps a held payload when a later request brings none', () => {
    const r = new HeldRequests<string, string>({ burst: 1, perSecond: 1 });
    r.request('ben', undefined, 0);
    r.request('ben', 'offer', 0);
    r.request('ben', undefined, 0);
    expect(r.release(1_000)).toEqual([{ key: 'ben', payload: 'offer' }]);
  });

  it('sends a new request behind a held one, not past it, even once a token is back', () => {
    const r = new HeldRequests<string, string>({ burst: 1, perSecond: 1 });
    r.request('ben', 'first', 0);
    r.request('ben', 'held', 0);
    // A token is back at 1 s, but the held request goes first: this one joins it as the latest.
    expect(r.request('ben', 'later', 1_000)).toBeUndefined();
    expect(r.release(1_000)).toEqual([{ key: 'ben', payload: 'later' }]);
  });

  it('keeps each key apart', () => {
    const r = new HeldRequests<string, string>({ burst: 1, perSecond: 1 });
    r.request('ben', 'b1', 0);
    r.request('ben', 'b2', 0);
    expect(r.request('cat', 'c1', 0)).toEqual({ payload: 'c1' });
    expect(r.release(1_000)).toEqual([{ key: 'ben', payload: 'b2' }]);
  });

  it('forgets what a key held when dropped, but not its bucket: leaving and coming back refills nothing', () => {
    const r = new HeldRequests<string, string>({ burst: 1, perSecond: 1 / 10 });
    r.request('ben', 'a', 0);
    r.request('ben', 'b', 0);
    r.drop('ben');
    expect(r.release(10_000)).toEqual([]);
    // Back at once: the bucket is still empty, so this one is held.
    expect(r.request('ben', 'c', 1)).toBeUndefined();
  });
});
