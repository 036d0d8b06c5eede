// Links that open the call: Chromium with Zing goes straight from a share link
// to the call page (the relay sees no request for it), and a browser without
// Zing gets the call itself from the relay, with the key still only in the fragment.
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../relay/config.ts';
import { startRelay, type Relay } from '../../relay/server.ts';
import { callLinkOf, launchPerson, startCall, videoFrames, type Person } from '../support/browser.ts';

describe('share links opened in a browser', () => {
  let relay: Relay;
  const requests: string[] = [];
  const people: Person[] = [];

  beforeAll(async () => {
    relay = await startRelay({ ...DEFAULTS, port: 0, logLevel: 'silent' });
    const record = (req: IncomingMessage) => requests.push(`${req.method} ${req.url} ${JSON.stringify(req.headers)}`);
    relay.server.on('request', record);
    relay.server.on('upgrade', record);
  });

  afterAll(async () => {
    await Promise.all(people.map((p) => p.close()));
    await relay?.close();
  });

  it('takes Chromium with Zing from the link straight into the call, unseen by the relay', async () => {
    const [host, clicker] = await Promise.all([
      launchPerson({ name: 'Host', relayUrl: relay.url }),
      launchPerson({ name: 'Clicker', relayUrl: relay.url }),
    ]);
    people.push(host, clicker);
    const hostPage = await startCall(host);
    const link = await callLinkOf(hostPage);
    const roomPath = new URL(link).pathname;

    const page = await clicker.context.newPage();
    // The background installs its redirect rule at install time; a fresh profile needs a moment.
    await expect
      .poll(
        async () => {
          await page.goto(link);
          return page.url();
        },
        { timeout: 10_000 },
      )
      .toMatch(/^chrome-extension:\/\//);
    expect(page.url()).toContain(`#${new URL(link).hash.slice(1)}`);
    await Promise.all([videoFrames(page, 'Host'), videoFrames(hostPage, 'Clicker')]);
    expect(requests.filter((r) => r.includes(roomPath))).toEqual([]);
  });

  it('gives a browser without Zing the call itself, and the relay never sees the key', async () => {
    const host = people[0]!;
    const guest = await launchPerson({ name: 'Guest', relayUrl: relay.url, extension: false });
    people.push(guest);
    const hostPage = await startCall(host);
    const link = await callLinkOf(hostPage);
    const key = new URL(link).hash.slice(1);
    const page = await guest.context.newPage();
    // No STUN for the guest either: tests send nothing off this machine.
    await page.addInitScript(() => localStorage.setItem('zing:settings', JSON.stringify({ iceServers: [] })));
    await page.goto(link);
    await page.getByRole('textbox', { name: 'Call link', exact: true }).waitFor();
    expect(await callLinkOf(page)).toBe(link);
    const guestName = await page.getByRole('group', { name: /\(you\)$/ }).getAttribute('aria-label');
    expect(guestName).toMatch(/^Guest \d{4} \(you\)$/);
    await Promise.all([videoFrames(page, 'Host'), videoFrames(hostPage, guestName!.replace(' (you)', ''))]);
    await page.getByRole('button', { name: 'Mute microphone', exact: true }).click();
    await hostPage.getByText('Microphone off', { exact: true }).waitFor({ timeout: 1_000 });
    expect(requests.some((r) => r.includes(new URL(link).pathname))).toBe(true); // the guest page came from the relay
    expect(requests.filter((r) => r.includes(key))).toEqual([]);
  });
});
