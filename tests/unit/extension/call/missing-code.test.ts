import { describe, expect, it } from 'vitest';
import { PRELOAD_ERROR, codeMissing, dismissMissingCode, watchMissingCode } from '../../../../extension/call/missing-code.ts';

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
});
