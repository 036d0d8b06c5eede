// Every failure a person can meet shows words in a role="alert", never a blank page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { DEFAULTS } from '../../relay/config.ts';
import { startRelay, type Relay } from '../../relay/server.ts';
import { callLinkOf, joinCall, launchPerson, startCall, videoFrames, type Person } from '../support/browser.ts';
import { seriousViolations } from '../support/axe.ts';
import { newCallLink } from '../support/links.ts';
import { redeployedWebBuild, webBuildWithout } from '../support/web-build.ts';

/** A port nothing listens on: bind one, then let it go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('failures in words', () => {
  let relay: Relay;
  const people: Person[] = [];

  beforeAll(async () => {
    relay = await startRelay({ ...DEFAULTS, port: 0, logLevel: 'silent', maxPeersPerRoom: 2 });
  });

  afterAll(async () => {
    await Promise.all(people.map((p) => p.close()));
    await relay?.close();
  });

  it('tells a person whose camera is denied, and still shows them the others', async () => {
    const [host, denied] = await Promise.all([
      launchPerson({ name: 'Host', relayUrl: relay.url }),
      launchPerson({ name: 'Denied', relayUrl: relay.url, denyMedia: true }),
    ]);
    people.push(host, denied);
    const hostPage = await startCall(host);
    const page = await joinCall(denied, await callLinkOf(hostPage));
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 10_000 });
    expect(await alert.textContent()).toContain('not allowed to use your camera or microphone');
    // The call goes on: the host's video still decodes for the person without a camera.
    expect((await videoFrames(page, 'Host')).framesAdvanced).toBeGreaterThanOrEqual(5);
    await page.close();
    await hostPage.close();
  });

  it('tells a third person that a call capped at two is full, and leaves the two untouched', async () => {
    const [a, b, c] = await Promise.all([
      launchPerson({ name: 'Ann', relayUrl: relay.url }),
      launchPerson({ name: 'Ben', relayUrl: relay.url }),
      launchPerson({ name: 'Cat', relayUrl: relay.url }),
    ]);
    people.push(a, b, c);
    const aPage = await startCall(a);
    const link = await callLinkOf(aPage);
    const bPage = await joinCall(b, link);
    await videoFrames(aPage, 'Ben');
    const cPage = await joinCall(c, link);
    const alert = cPage.getByRole('alert');
    await alert.waitFor({ timeout: 10_000 });
    expect(await alert.textContent()).toContain('This call is full');
    expect(await aPage.getByRole('group', { name: 'Cat', exact: true }).count()).toBe(0);
    expect((await videoFrames(bPage, 'Ann')).framesAdvanced).toBeGreaterThanOrEqual(5);
    expect(await aPage.getByRole('status').textContent()).toBe('Connected');
    // Their call would go on beside every test after this one.
    await Promise.all([aPage.close(), bPage.close(), cPage.close()]);
  });

  it('tells a person when the relay cannot be reached', async () => {
    const lonely = await launchPerson({ name: 'Lonely', relayUrl: `http://127.0.0.1:${await closedPort()}` });
    people.push(lonely);
    const page = await startCall(lonely);
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 10_000 });
    expect(await alert.textContent()).toContain('Cannot reach the Zing relay');
    expect(await page.getByRole('status').textContent()).toBe('Reconnecting…');
  });

  it('shows a damaged call page link as an alert, not a blank page', async () => {
    const person = people[0]!;
    const page = await person.context.newPage();
    await page.goto(person.url('extension/call/index.html#garbage'));
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 5_000 });
    expect(await alert.textContent()).toContain('This call link is not valid');
    expect(await seriousViolations(page, 'main')).toEqual([]);
  });

  it('tells a browser without Zing that opens a link cut before its key what to do, not to use a popup it has not got', async () => {
    const guest = await launchPerson({ name: 'Guest', relayUrl: relay.url, extension: false });
    people.push(guest);
    const page = await guest.context.newPage();
    // A chat app that cut the link at the #: the room is there, the key is not.
    await page.goto(`${relay.url}/r/${'A'.repeat(22)}`);
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 10_000 });
    expect(await alert.textContent()).toContain('This call link is not valid');
    await page.getByText('Ask whoever sent it for the link again', { exact: false }).waitFor({ timeout: 2_000 });
    expect(await page.getByText('Zing popup', { exact: false }).count()).toBe(0);
  });

  it('tells a guest in words when part of the page is gone after the relay was redeployed, and Reload page gets the new build', async () => {
    let deployed = await startRelay({ ...DEFAULTS, port: 0, logLevel: 'silent' });
    const { port, url } = deployed;
    const web = redeployedWebBuild(DEFAULTS.webDir);
    // Closed at the end rather than with everyone else: their call would load the tests after it.
    const inCall: Person[] = [];
    try {
      const ann = await launchPerson({ name: 'Ann', relayUrl: url });
      const guest = await launchPerson({ name: 'Guest', relayUrl: url, extension: false });
      inCall.push(ann, guest);
      // No STUN for the guest either: tests send nothing off this machine.
      await guest.context.addInitScript(() => localStorage.setItem('zing:settings', JSON.stringify({ iceServers: [] })));
      const host = await startCall(ann);
      const page = await guest.context.newPage();
      await page.goto(await callLinkOf(host)); // pasted into the address bar
      await page.getByRole('button', { name: 'Join call', exact: true }).click();
      const you = page.getByRole('group', { name: /\(you\)$/ });
      const guestName = (await you.getAttribute('aria-label'))?.replace(' (you)', '') ?? '';
      await Promise.all([videoFrames(page, 'Ann'), videoFrames(host, guestName)]);

      // The relay is redeployed under the open pages: a new build, every file under a new name.
      await deployed.close();
      deployed = await startRelay({ ...DEFAULTS, port, logLevel: 'silent', webDir: web });
      await expect.poll(() => page.getByRole('status').textContent(), { timeout: 15_000 }).toBe('Connected');
      const stats = page.getByRole('button', { name: 'Stats', exact: true });
      await stats.click();
      const reload = page.getByRole('button', { name: 'Reload page', exact: true });
      const alert = page.getByRole('alert').filter({ has: reload });
      await alert.waitFor({ timeout: 10_000 });
      expect(await alert.textContent()).toContain('Part of Zing did not load');
      expect(await alert.textContent()).toContain('Zing was updated since this page opened');
      expect(await page.getByRole('region', { name: 'Connection stats', exact: true }).count()).toBe(0);
      expect(await seriousViolations(page, '.missing-code')).toEqual([]);
      await videoFrames(host, guestName); // the call itself goes on

      // Reload page while the network is down: not reloaded (that would put the browser's error page
      // where the call is), and told so; the call goes on.
      await guest.context.setOffline(true);
      await reload.click();
      await alert.getByText('so it was not reloaded', { exact: false }).waitFor({ timeout: 5_000 });
      expect(await you.count()).toBe(1);
      await guest.context.setOffline(false);

      // Back online: the relay's page asks again (as it always does), and the call comes from the new build, where Stats opens.
      await reload.click();
      await page.getByRole('button', { name: 'Join call', exact: true }).click();
      await stats.waitFor({ timeout: 15_000 });
      await stats.click();
      await page.getByRole('region', { name: 'Connection stats', exact: true }).waitFor({ timeout: 5_000 });
      expect(await alert.count()).toBe(0);
      await Promise.all([videoFrames(page, 'Ann'), videoFrames(host, guestName)]);
    } finally {
      await Promise.all(inCall.map((p) => p.close()));
      await deployed.close();
      rmSync(web, { recursive: true, force: true });
    }
  });

  it('shows a guest words and Reload page, not a blank page, when the gate’s own code does not come', async () => {
    const web = webBuildWithout(DEFAULTS.webDir, 'PreJoin-');
    const midUpdate = await startRelay({ ...DEFAULTS, port: 0, logLevel: 'silent', webDir: web });
    try {
      const guest = await launchPerson({ name: 'Guest', relayUrl: midUpdate.url, extension: false });
      people.push(guest);
      const page = await guest.context.newPage();
      await page.goto(await newCallLink(midUpdate.url)); // pasted into the address bar
      const alert = page.getByRole('alert').filter({ has: page.getByRole('button', { name: 'Reload page', exact: true }) });
      await alert.waitFor({ timeout: 10_000 });
      expect(await alert.textContent()).toContain('Part of Zing did not load');
      expect(await page.getByRole('button', { name: 'Dismiss', exact: true }).count()).toBe(0);
      expect(await seriousViolations(page, 'main')).toEqual([]);
    } finally {
      await midUpdate.close();
      rmSync(web, { recursive: true, force: true });
    }
  });
});
