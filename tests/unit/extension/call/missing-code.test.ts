import { describe, expect, it, vi } from 'vitest';
import {
  PRELOAD_ERROR,
  codeMissing,
  dismissMissingCode,
  pageUnreachable,
  reloadIfReachable,
  watchMissingCode,
} from '../../../../extension/call/missing-code.ts';

describe('missing code', () => {
  it('says so once the loader reports a chunk that did not load, until dismissed, and again at the next one', () => {
    const page = new EventTarget();
    watchMissingCode(page);
    expect(codeMissing()).toBe(false);
    page.dispatchEvent(new Event('error')); // not the loader's
    expect(codeMissing()).toBe(false);
    page.dispatchEvent(new Event(PRELOAD_ERROR, { cancelable: true }));
    expect(codeMissing()).toBe(true);
    dismissMissingCode();
    expect(codeMissing()).toBe(false);
    page.dispatchEvent(new Event(PRELOAD_ERROR, { cancelable: true }));
    expect(codeMissing()).toBe(true);
    dismissMissingCode();
  });

  it('leaves the loader’s error to whoever imported: the event is not cancelled', () => {
    const page = new EventTarget();
    watchMissingCode(page);
    const event = new Event(PRELOAD_ERROR, { cancelable: true });
    page.dispatchEvent(event);
    expect(event.defaultPrevented).toBe(false);
    dismissMissingCode();
  });

  describe('Reload page', () => {
    const page = () => ({ href: 'https://relay.example/r/room#the-key', reload: vi.fn() });

    it('reloads once the page’s own address answers, asking for it without the fragment', async () => {
      const p = page();
      const get = vi.fn(async () => ({ ok: true }));
      expect(await reloadIfReachable(p, get)).toBe(true);
      expect(p.reload).toHaveBeenCalledTimes(1);
      expect(get).toHaveBeenCalledWith('https://relay.example/r/room', { cache: 'no-store' });
      expect(pageUnreachable()).toBe(false);
    });

    it('does not reload while the network or the relay is down, and says so until dismissed', async () => {
      for (const get of [async () => Promise.reject(new TypeError('Failed to fetch')), async () => ({ ok: false })]) {
        const p = page();
        expect(await reloadIfReachable(p, get)).toBe(false);
        expect(p.reload).not.toHaveBeenCalled();
        expect(pageUnreachable()).toBe(true);
        dismissMissingCode();
        expect(pageUnreachable()).toBe(false);
      }
    });
  });
});
