// The relay cannot read or tamper: during a real call it sees no SDP or ICE
// in the clear, and a relay that alters, forges or replays messages is refused,
// even into a page that opened after the messages were recorded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../relay/config.ts';
import { startRelay, type Relay } from '../../relay/server.ts';
import { launchPerson, openCallPage, tiles, videoFrames, type Person } from '../support/browser.ts';
import { newCallLink } from '../support/links.ts';
import { type ProxiedConnection, startRelayProxy, type RelayProxy, type Tamper } from '../support/relay-proxy.ts';

describe('sealed signaling against the relay', () => {
  let relay: Relay;
  let ann: Person;
  let ben: Person;
  const proxies: RelayProxy[] = [];

  beforeAll(async () => {
    relay = await startRelay({ ...DEFAULTS, port: 0, logLevel: 'silent' });
    // Each person's relay URL is set per test through the link itself (the call page uses the link's relay).
    [ann, ben] = await Promise.all([
      launchPerson({ name: 'Ann', relayUrl: relay.url, settings: { maxVideoHeight: 240 } }),
      launchPerson({ name: 'Ben', relayUrl: relay.url, settings: { maxVideoHeight: 240 } }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([ann?.close(), ben?.close()]);
    await Promise.all(proxies.map((p) => p.close()));
    await relay?.close();
  });

  const callThrough = async (mode: Tamper) => {
    const proxy = await startRelayProxy(relay.url, mode);
    proxies.push(proxy);
    const link = await newCallLink(proxy.url);
    const a = await openCallPage(ann, link);
    await a.getByRole('status').filter({ hasText: 'Waiting for others' }).waitFor({ timeout: 10_000 });
    const b = await openCallPage(ben, link);
    return { proxy, a, b, link };
  };

  it('sees no SDP, ICE candidate or name in the clear during a real call', async () => {
    const { proxy, a, b } = await callThrough('none');
    await Promise.all([videoFrames(a, 'Ben'), videoFrames(b, 'Ann')]);
    // Both ends of the link show the same safety code, in four groups of four digits.
    const codeAt = (page: typeof a, who: string) =>
      page.getByRole('group', { name: who, exact: true }).getByRole('note', { name: 'Safety code', exact: true }).textContent();
    await expect.poll(() => codeAt(a, 'Ben'), { timeout: 5_000 }).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
    expect(await codeAt(b, 'Ann')).toBe(await codeAt(a, 'Ben'));
    await b.getByRole('button', { name: 'Mute microphone', exact: true }).click();
    await a.getByText('Microphone off', { exact: true }).waitFor({ timeout: 2_000 });
    const frames = proxy.received.join('\n');
    expect(proxy.received.filter((f) => f.includes('"signal"')).length).toBeGreaterThan(4);
    // Sealed payloads are base64, which can spell any short word by chance: look for what clear text would carry.
    for (const clear of ['a=fingerprint', 'candidate:', 'v=0', 'm=video', '"Ann"', '"Ben"', 'micMuted', 'presence', '"sdp"']) {
      expect(frames).not.toContain(clear);
    }
    expect(await a.getByRole('alert').count()).toBe(0);
    await Promise.all([a.close(), b.close()]);
  });

  for (const mode of ['flip', 'forge'] as const) {
    it(`refuses every message a relay ${mode === 'flip' ? 'alters' : 'claims came from someone else'}, and says so`, async () => {
      const { proxy, a, b } = await callThrough(mode);
      for (const page of [a, b]) {
        const alert = page.getByRole('alert');
        await alert.waitFor({ timeout: 15_000 });
        expect(await alert.textContent()).toContain('tampering');
        // Nobody was let in on the strength of a tampered message.
        expect(await tiles(page).count()).toBe(1);
      }
      expect(proxy.tampered()).toBeGreaterThanOrEqual(3);
      await Promise.all([a.close(), b.close()]);
    });
  }

  it('shows no ghost in a newcomer’s page when the relay replays everything an earlier page was sent', async () => {
    const { proxy, a, b, link } = await callThrough('none');
    await Promise.all([videoFrames(a, 'Ben'), videoFrames(b, 'Ann')]);
    // Ann's page came first (the room was empty), so everything the relay handed it came from Ben:
    // his hellos, welcome and salt, presence changes, descriptions and candidates, all genuinely signed.
    const [annBefore] = proxy.connections;
    const frames = (c: ProxiedConnection | undefined, type: string) =>
      (c?.delivered ?? [])
        .map((f) => JSON.parse(f) as { type: string; from?: string; to?: string; peers?: string[] })
        .filter((f) => f.type === type);
    expect(frames(annBefore, 'joined')[0]?.peers).toEqual([]);
    const recorded = annBefore!.delivered.filter((f) => (JSON.parse(f) as { type: string }).type === 'signal');
    expect(recorded.length).toBeGreaterThan(5);
    const benThen = frames(annBefore, 'signal')[0]?.from;

    // Ben has gone; Ann leaves too, and comes back: a new page, with no memory of any of it.
    await b.close();
    await a.getByRole('status').filter({ hasText: 'Waiting for others' }).waitFor({ timeout: 5_000 });
    await a.close();
    const fresh = await openCallPage(ann, link);
    await fresh.getByRole('status').filter({ hasText: 'Waiting for others' }).waitFor({ timeout: 10_000 });
    const newcomer = proxy.connections.at(-1)!;
    const sentBefore = newcomer.sent.length;
    for (const frame of recorded) newcomer.inject(frame);

    // The replayed hellos open and verify (they are Ben's): the page answers one with a welcome to Ben's old address…
    await expect
      .poll(() => newcomer.sent.slice(sentBefore).some((f) => (JSON.parse(f) as { to?: string }).to === benThen), { timeout: 5_000 })
      .toBe(true);
    // …which nobody answers, so no Ben appears: only Ann's own tile, still waiting.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await tiles(fresh).count()).toBe(1);
    expect(await fresh.getByRole('group', { name: 'Ben', exact: true }).count()).toBe(0);
    expect(await fresh.getByRole('status').textContent()).toBe('Waiting for others');
    await fresh.close();
  });

  it('drops replayed messages, warns, and still connects on the genuine ones', async () => {
    const { a, b } = await callThrough('replay');
    await Promise.all([videoFrames(a, 'Ben'), videoFrames(b, 'Ann')]);
    const alert = a.getByRole('alert');
    await alert.waitFor({ timeout: 10_000 });
    expect(await alert.textContent()).toContain('re-sent');
    await Promise.all([a.close(), b.close()]);
  });
});
