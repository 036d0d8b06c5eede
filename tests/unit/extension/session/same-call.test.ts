// same-call.ts over Node's own BroadcastChannel: the tabs of one origin, in one process here.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SAME_CALL_CHANNEL, answerForCall, callName, findCallElsewhere } from '../../../../extension/session/same-call.ts';

const CALL = callName({ relayOrigin: 'https://relay.example', room: 'room-a' });
const open: BroadcastChannel[] = [];
const channel = () => {
  const c = new BroadcastChannel(SAME_CALL_CHANNEL);
  open.push(c);
  return c;
};

afterEach(() => {
  for (const c of open.splice(0)) c.close();
});

/** A tab in `call`: what it was asked to do. */
function tabInCall(call = CALL) {
  const did: string[] = [];
  const stop = answerForCall(call, { show: () => did.push('show'), leave: () => did.push('leave') }, channel());
  return { did, stop };
}

describe('same call in another tab', () => {
  it('names a call by relay and room, without its secret', () => {
    expect(CALL).toBe('https://relay.example/r/room-a');
  });

  it('finds a tab in the same call, and brings it forward', async () => {
    const other = tabInCall();
    const found = await findCallElsewhere(CALL, 1_000, channel());
    expect(found).toBeDefined();
    found?.show();
    await vi.waitFor(() => expect(other.did).toEqual(['show']));
  });

  it('finds none for another call, or where no tab answers, after the wait', async () => {
    tabInCall(callName({ relayOrigin: 'https://relay.example', room: 'room-b' }));
    tabInCall(callName({ relayOrigin: 'https://other.example', room: 'room-a' }));
    const started = Date.now();
    expect(await findCallElsewhere(CALL, 100, channel())).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });

  it('moves the call here: the other tab leaves first, and every tab in it does', async () => {
    const [one, two] = [tabInCall(), tabInCall()];
    const found = await findCallElsewhere(CALL, 1_000, channel());
    const started = Date.now();
    await found?.moveHere(5_000);
    expect(Date.now() - started).toBeLessThan(2_000); // on the answer, not the timeout
    await vi.waitFor(() => expect([one.did, two.did]).toEqual([['leave'], ['leave']]));
  });

  it('joins anyway when the other tab does not say it left in time', async () => {
    const silent = channel();
    silent.onmessage = (ev) => {
      if ((ev.data as { type?: string }).type === 'who') silent.postMessage({ type: 'here', call: CALL });
    };
    const found = await findCallElsewhere(CALL, 1_000, channel());
    const started = Date.now();
    await found?.moveHere(150);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('ignores what is not its message, and stops answering once stopped', async () => {
    const other = tabInCall();
    const noise = channel();
    for (const junk of [
      null,
      'who',
      { type: 'leave' },
      { type: 'leave', call: 7 },
      { type: 'leave', call: `${CALL}x` },
      { type: 'explode', call: CALL },
    ])
      noise.postMessage(junk);
    await new Promise((r) => setTimeout(r, 50));
    expect(other.did).toEqual([]);
    other.stop();
    expect(await findCallElsewhere(CALL, 100, channel())).toBeUndefined();
  });
});
