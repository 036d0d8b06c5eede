// The call floats above other tabs in a Document Picture-in-Picture window.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../relay/config.ts';
import { startRelay, type Relay } from '../../relay/server.ts';
import { callLinkOf, clickClosing, joinCall, launchPerson, startCall, videoFrames, type Person } from '../support/browser.ts';

describe('pop out', () => {
  let relay: Relay;
  let alice: Person;
  let bob: Person;

  beforeAll(async () => {
    relay = await startRelay({ ...DEFAULTS, port: 0, logLevel: 'silent' });
    [alice, bob] = await Promise.all([
      launchPerson({ name: 'Alice', relayUrl: relay.url }),
      launchPerson({ name: 'Bob', relayUrl: relay.url }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([alice?.close(), bob?.close()]);
    await relay?.close();
  });

  it('moves the call into a floating window where the remote tile decodes and Leave call ends the call', async () => {
    const a = await startCall(alice);
    const b = await joinCall(bob, await callLinkOf(a));
    await videoFrames(a, 'Bob');
    const [pip] = await Promise.all([
      alice.context.waitForEvent('page', { timeout: 10_000 }),
      a.getByRole('button', { name: 'Pop out', exact: true }).click(),
    ]);
    expect((await videoFrames(pip, 'Bob')).framesAdvanced).toBeGreaterThanOrEqual(5);
    // The tab keeps no second set of media controls while the window floats.
    expect(await a.getByRole('button', { name: 'Mute microphone', exact: true }).count()).toBe(0);
    await pip.getByRole('button', { name: 'Mute microphone', exact: true }).click();
    await b.getByRole('group', { name: 'Alice', exact: true }).getByText('Microphone off', { exact: true }).waitFor({ timeout: 3_000 });
    // Leaving closes the floating window, which may be before the click returns.
    await clickClosing(pip, 'Leave call');
    await expect.poll(() => a.getByRole('status').textContent()).toBe('You left the call');
    await b.getByRole('group', { name: 'Alice', exact: true }).waitFor({ state: 'detached', timeout: 3_000 });
    await expect.poll(() => pip.isClosed(), { timeout: 3_000 }).toBe(true);
  });
});
