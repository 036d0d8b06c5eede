// same-call.ts over Node's own BroadcastChannel: each Tabs is one page, all in one process here.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SAME_CALL_CHANNEL, Tabs } from '../../../../extension/session/same-call.ts';

/** A call as share-link.ts callOf names it: relay and the room its key derives. */
const CALL = 'https://relay.example/r/room-a';
const open: BroadcastChannel[] = [];
const channel = () => {
  const c = new BroadcastChannel(SAME_CALL_CHANNEL);
  open.push(c);
  return c;
};
/** A page of its own. */
const page = (name: string) => new Tabs(name, channel);

afterEach(() => {
  for (const c of open.splice(0)) c.close();
});

/** A page in `call`: what it was asked to do. */
function pageInCall(name: string, call = CALL) {
  const did: string[] = [];
  const stop = page(name).answerForCall(call, { show: () => did.push('show'), leave: () => did.push('leave') });
  return { did, stop };
}

describe('same call in another tab', () => {
  it('finds a tab in the same call, and brings it forward', async () => {
    const other = pageInCall('in the call');
    const found = await page('gate').findCallElsewhere(CALL, 1_000);
    expect(found).toBeDefined();
    found?.show();
    await vi.waitFor(() => expect(other.did).toEqual(['show']));
  });

  it('finds none for another call, or where no tab answers, after the wait', async () => {
    pageInCall('other room', 'https://relay.example/r/room-b');
    pageInCall('other relay', 'https://other.example/r/room-a');
    const started = Date.now();
    expect(await page('gate').findCallElsewhere(CALL, 100)).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });

  it('moves the call here: the other tab leaves first, and every tab in it does', async () => {
    const [one, two] = [pageInCall('one'), pageInCall('two')];
    const found = await page('gate').findCallElsewhere(CALL, 1_000);
    const started = Date.now();
    await found?.moveHere(5_000);
    expect(Date.now() - started).toBeLessThan(2_000); // on the answer, not the timeout
    await vi.waitFor(() => expect([one.did, two.did]).toEqual([['leave'], ['leave']]));
  });

  it('joins anyway when the other tab does not say it left in time', async () => {
    const silent = channel();
    silent.onmessage = (ev) => {
      if ((ev.data as { type?: string }).type === 'who') silent.postMessage({ type: 'here', call: CALL, from: 'silent' });
    };
    const found = await page('gate').findCallElsewhere(CALL, 1_000);
    const started = Date.now();
    await found?.moveHere(150);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('takes the call from every other tab when joining straight from the popup, never from itself', async () => {
    const other = pageInCall('other');
    const self = page('self');
    const did: string[] = [];
    self.answerForCall(CALL, { show: () => did.push('show'), leave: () => did.push('leave') });
    self.leaveElsewhere(CALL);
    await vi.waitFor(() => expect(other.did).toEqual(['leave']));
    await new Promise((r) => setTimeout(r, 50));
    expect(did).toEqual([]);
  });

  it('ignores what is not its message, and stops answering once stopped', async () => {
    const other = pageInCall('other');
    const noise = channel();
    for (const junk of [
      null,
      'who',
      { type: 'leave', from: 'x' },
      { type: 'leave', call: 7, from: 'x' },
      { type: 'leave', call: `${CALL}x`, from: 'x' },
      { type: 'explode', call: CALL, from: 'x' },
    ])
      noise.postMessage(junk);
    await new Promise((r) => setTimeout(r, 50));
    expect(other.did).toEqual([]);
    other.stop();
    expect(await page('gate').findCallElsewhere(CALL, 100)).toBeUndefined();
  });
});
