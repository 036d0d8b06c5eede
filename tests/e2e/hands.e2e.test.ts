// Raised hands and reactions among three people, peer to peer over the data
// channels. Cai's browser clock runs an hour fast: the order of hands must
// not care (it comes from Lamport stamps, never from a clock).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEFAULTS } from '../../relay/config.ts';
import { startRelay, type Relay } from '../../relay/server.ts';
import { callLinkOf, launchPerson, openCallPage, startCall, tiles, type Person } from '../support/browser.ts';

const NAMES = ['Ann', 'Ben', 'Cai'] as const;
type Name = (typeof NAMES)[number];
const SMALL = { maxVideoHeight: 240 };
/** Cai's clock is this far ahead of everyone else's. */
const SKEW_MS = 60 * 60 * 1000;

/**
 * An init script: every RTCDataChannel the page opens or is given goes into
 * `__zingChannels`, so a test can send on Zing's own channels whatever a
 * modified client could (the channels are DTLS between browsers: nobody else can).
 */
function keepDataChannels(): void {
  const channels: RTCDataChannel[] = [];
  (globalThis as { __zingChannels?: RTCDataChannel[] }).__zingChannels = channels;
  const Native = globalThis.RTCPeerConnection;
  globalThis.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      this.addEventListener('datachannel', (e) => channels.push(e.channel));
    }
    override createDataChannel(label: string, init?: RTCDataChannelInit): RTCDataChannel {
      const channel = super.createDataChannel(label, init);
      channels.push(channel);
      return channel;
    }
  };
}

describe('raised hands and reactions', () => {
  let relay: Relay;
  let link: string;
  const people = new Map<Name, Person>();
  const pages = new Map<Name, Page>();
  const page = (name: Name) => pages.get(name)!;

  const raiseButton = (name: Name) => page(name).getByRole('button', { name: 'Raise hand', exact: true });
  /** `who`'s tile as `viewer` sees it. */
  const tile = (viewer: Name, who: Name) => page(viewer).getByRole('group', { name: viewer === who ? `${who} (you)` : who, exact: true });
  const hand = (viewer: Name, who: Name) => tile(viewer, who).getByRole('note', { name: 'Hand raised', exact: true });
  /** The place in line `viewer` sees for `who`'s hand, as shown on the tile; undefined with no hand up. */
  const placeOf = async (viewer: Name, who: Name): Promise<number | undefined> => {
    // allTextContents does not wait: a hand that just went down is simply not there.
    const [text] = await hand(viewer, who).allTextContents();
    const shown = text?.match(/✋\s*(\d+)/)?.[1];
    return shown === undefined ? undefined : Number(shown);
  };
  /** Every place in line, as each viewer sees it: { viewer: { who: place } }. */
  const lineAt = async (viewers: readonly Name[]) => {
    const out: Record<string, Record<string, number | undefined>> = {};
    for (const viewer of viewers) {
      out[viewer] = {};
      for (const who of NAMES) if (pages.has(who)) out[viewer]![who] = await placeOf(viewer, who);
    }
    return out;
  };
  const sameLineEverywhere = (expected: Partial<Record<Name, number>>, viewers: readonly Name[] = [...pages.keys()]) => {
    const want: Record<string, Record<string, number | undefined>> = {};
    for (const viewer of viewers) {
      want[viewer] = {};
      for (const who of NAMES) if (pages.has(who)) want[viewer]![who] = expected[who];
    }
    return expect.poll(() => lineAt(viewers), { timeout: 3_000 }).toEqual(want);
  };

  beforeAll(async () => {
    relay = await startRelay({ ...DEFAULTS, port: 0, logLevel: 'silent' });
    const launched = await Promise.all(NAMES.map((name) => launchPerson({ name, relayUrl: relay.url, settings: SMALL })));
    for (const p of launched) people.set(p.name as Name, p);
    await people.get('Cai')!.context.addInitScript(`{ const now = Date.now; Date.now = () => now() + ${SKEW_MS}; }`);
    // Ben turns hostile in the last test: his pages keep every data channel where the test can write to it raw.
    await people.get('Ben')!.context.addInitScript(keepDataChannels);
    pages.set('Ann', await startCall(people.get('Ann')!));
    link = await callLinkOf(page('Ann'));
    pages.set('Ben', await openCallPage(people.get('Ben')!, link));
    pages.set('Cai', await openCallPage(people.get('Cai')!, link));
    // Everyone sees all three tiles (and so has a link to each of the others).
    await Promise.all([...pages.values()].map((p) => tiles(p).nth(2).waitFor({ timeout: 15_000 })));
    // Cai's page really runs an hour ahead.
    expect((await page('Cai').evaluate(() => Date.now())) - Date.now()).toBeGreaterThan(SKEW_MS - 60_000);
  });

  afterAll(async () => {
    await Promise.all([...people.values()].map((p) => p.close()));
    await relay?.close();
  });

  it('shows hands in the order they went up, the same at all three, whatever Cai’s clock says', async () => {
    await raiseButton('Ann').click();
    expect(await raiseButton('Ann').getAttribute('aria-pressed')).toBe('true');
    await sameLineEverywhere({ Ann: 1 });
    await raiseButton('Cai').click();
    await sameLineEverywhere({ Ann: 1, Cai: 2 });
    await raiseButton('Ben').click();
    await sameLineEverywhere({ Ann: 1, Cai: 2, Ben: 3 });
    // Each hand is named for what it is, and says its place to a screen reader too.
    expect(await hand('Ben', 'Cai').getAttribute('title')).toBe('Hand raised, 2nd in line');
  });

  it('takes a lowered hand out of line everywhere, and the others move up', async () => {
    await raiseButton('Ann').click();
    expect(await raiseButton('Ann').getAttribute('aria-pressed')).toBe('false');
    await sameLineEverywhere({ Cai: 1, Ben: 2 });
  });

  it('agrees on one order at all three when two hands go up at the same moment', async () => {
    await raiseButton('Ben').click(); // down: only Cai's is up
    await sameLineEverywhere({ Cai: 1 });
    // Two browsers raise at once: their messages cross, and the stamps may tie.
    await Promise.all([raiseButton('Ann').click(), raiseButton('Ben').click()]);
    await expect
      .poll(
        async () => {
          const line = await lineAt(NAMES);
          const agreed = NAMES.every((v) => JSON.stringify(line[v]) === JSON.stringify(line.Ann));
          return agreed ? [line.Ann?.Cai, [line.Ann?.Ann, line.Ann?.Ben].sort()] : 'not yet the same everywhere';
        },
        { timeout: 3_000 },
      )
      .toEqual([1, [2, 3]]);
  });

  it('drops the hand of someone who leaves, and shows a late joiner the hands already up', async () => {
    const before = await lineAt(['Ann']);
    const annBefore = before.Ann!.Ann!;
    const benBefore = before.Ann!.Ben!;
    await page('Ben').getByRole('button', { name: 'Leave call', exact: true }).click();
    await page('Ben').close();
    pages.delete('Ben');
    await tile('Ann', 'Ben').waitFor({ state: 'detached', timeout: 3_000 });
    // Ben's place is gone; whoever stood behind him moves up.
    const after = { Cai: 1, Ann: annBefore > benBefore ? annBefore - 1 : annBefore };
    await sameLineEverywhere(after, ['Ann', 'Cai']);
    // Ben comes back: a newcomer, who has seen none of the raises.
    pages.set('Ben', await openCallPage(people.get('Ben')!, link));
    await sameLineEverywhere(after);
    expect(await raiseButton('Ben').getAttribute('aria-pressed')).toBe('false');
    // His own raise now goes to the back of the line.
    await raiseButton('Ben').click();
    await sameLineEverywhere({ ...after, Ben: 3 });
  });

  it('shows a reaction over the sender’s tile at both others, announces it once, and takes it away', async () => {
    const reactions = page('Ann').getByRole('group', { name: 'Reactions', exact: true });
    await reactions.getByRole('button', { name: 'Thumbs up', exact: true }).click();
    const shown = (viewer: Name) => tile(viewer, 'Ann').getByRole('img', { name: 'Thumbs up', exact: true });
    await Promise.all((['Ben', 'Cai'] as const).map((v) => shown(v).waitFor({ state: 'visible', timeout: 2_000 })));
    await shown('Ann').waitFor({ state: 'visible', timeout: 1_000 });
    for (const viewer of ['Ben', 'Cai'] as const) {
      // Said once: one line in the page's polite region, and the tile's emoji in no live region of its own.
      const line = page(viewer).locator('[aria-live="polite"] p').filter({ hasText: 'Ann: Thumbs up' });
      await line.waitFor({ state: 'attached', timeout: 1_000 });
      expect(await line.count()).toBe(1);
      expect(await shown(viewer).evaluate((el) => el.closest('[aria-live], [role="status"], [role="log"], [role="alert"]'))).toBeNull();
      expect(await shown(viewer).count()).toBe(1);
    }
    await Promise.all((['Ann', 'Ben', 'Cai'] as const).map((v) => shown(v).waitFor({ state: 'detached', timeout: 8_000 })));
  });

  it('sends no more than a few reactions however fast the buttons are pressed', async () => {
    const heart = page('Cai').getByRole('group', { name: 'Reactions', exact: true }).getByRole('button', { name: 'Heart', exact: true });
    // Twelve presses within one task, faster than any hand: the burst of three goes out, the rest does not.
    await heart.evaluate((button) => {
      for (let i = 0; i < 12; i++) (button as HTMLButtonElement).click(); // a button, found by its role
    });
    const hearts = (viewer: Name) => tile(viewer, 'Cai').getByRole('img', { name: 'Heart', exact: true });
    await Promise.all((['Ann', 'Ben'] as const).map((v) => expect.poll(() => hearts(v).count(), { timeout: 2_000 }).toBe(3)));
    expect(await hearts('Cai').count()).toBe(3);
  });

  it('offers to lower a raised hand once its owner has been speaking a while, and lowers it everywhere', async () => {
    // Cai's hand is up, and Chromium's fake microphone keeps sounding: to the detector he is speaking.
    expect(await raiseButton('Cai').getAttribute('aria-pressed')).toBe('true');
    const lower = page('Cai').getByRole('button', { name: 'Lower hand', exact: true });
    await lower.waitFor({ timeout: 10_000 });
    await lower.click();
    expect(await raiseButton('Cai').getAttribute('aria-pressed')).toBe('false');
    await Promise.all(NAMES.map((v) => hand(v, 'Cai').waitFor({ state: 'detached', timeout: 2_000 })));
    await lower.waitFor({ state: 'detached', timeout: 1_000 });
  });

  it('gives every new control a name: the hand toggle, the reaction buttons and their group', async () => {
    const p = page('Ann');
    expect(await p.getByRole('button', { name: 'Raise hand', exact: true }).count()).toBe(1);
    const group = p.getByRole('group', { name: 'Reactions', exact: true });
    expect(await group.getByRole('button').evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label')))).toEqual([
      'Thumbs up',
      'Clap',
      'Laugh',
      'Heart',
      'Surprised',
    ]);
  });

  it('holds a peer flooding hands and reactions over the data channel to the limits, refuses malformed ones, and the call goes on', async () => {
    // Nobody's hand up to begin with.
    for (const who of ['Ann', 'Ben'] as const) {
      if ((await raiseButton(who).getAttribute('aria-pressed')) === 'true') await raiseButton(who).click();
    }
    await sameLineEverywhere({});
    // Everything Ann's and Cai's pages announce from here on, line by line, and every heart shown over
    // Ben's tile (each shows for REACTION_SHOW_MS: a count taken later, on a busy machine, could find none left).
    for (const viewer of ['Ann', 'Cai'] as const) {
      await page(viewer).evaluate(() => {
        const heard: string[] = [];
        const g = globalThis as { __heard?: string[]; __hearts?: number };
        g.__heard = heard;
        g.__hearts = 0;
        const observer = new MutationObserver((changes) => {
          for (const c of changes) for (const n of c.addedNodes) heard.push(n.textContent ?? '');
        });
        for (const region of document.querySelectorAll('[aria-live="polite"]'))
          observer.observe(region, { childList: true, subtree: true });
        const ben = [...document.querySelectorAll('[role="group"]')].find((t) => t.getAttribute('aria-label') === 'Ben');
        const seen = new WeakSet<Element>(); // each heart once, however often it is re-rendered
        new MutationObserver(() => {
          for (const e of ben?.querySelectorAll('[role="img"][aria-label="Heart"]') ?? []) {
            if (seen.has(e)) continue;
            seen.add(e);
            g.__hearts = (g.__hearts ?? 0) + 1;
          }
        }).observe(ben ?? document.body, { childList: true, subtree: true });
      });
    }
    const started = Date.now();
    const FLOOD = 2_000;
    const BIG_STAMP = 1_000_000;
    // Ben's page, as a modified client: thousands of reactions and hand toggles, then malformed messages, all raw on his chat channels.
    const open = await page('Ben').evaluate(
      ({ flood, big }) => {
        const channels = ((globalThis as { __zingChannels?: RTCDataChannel[] }).__zingChannels ?? []).filter(
          (c) => c.label === 'chat' && c.readyState === 'open',
        );
        for (const channel of channels) {
          for (let i = 0; i < flood; i++) channel.send(JSON.stringify({ type: 'reaction', reaction: 'heart' }));
          // Up and down, up and down…, ending up (the last stamp is odd).
          for (let i = 0; i < flood; i++) channel.send(JSON.stringify({ type: 'hand', raised: i % 2 === 1, stamp: big + i }));
          // Each of these, if it were taken, would lower his hand or break the line: the parser refuses them all.
          for (const junk of [
            '{',
            'null',
            '[]',
            JSON.stringify({ type: 'hand', raised: false, stamp: 2 ** 31 }),
            JSON.stringify({ type: 'hand', raised: false, stamp: -1 }),
            JSON.stringify({ type: 'hand', raised: false, stamp: big + flood + 0.5 }),
            JSON.stringify({ type: 'hand', raised: 'no', stamp: big + flood }),
            JSON.stringify({ type: 'hand', raised: 0, stamp: big + flood }),
            '{"type":"hand","raised":false,"stamp":1e400}',
            JSON.stringify({ type: 'hand', stamp: big + flood }),
            JSON.stringify({ type: 'reaction', reaction: 'bomb' }),
            JSON.stringify({ type: 'reaction', reaction: { toString: 'heart' } }),
            JSON.stringify({ type: 'reaction' }),
            `{"__proto__":{"type":"hand","raised":false,"stamp":${big + flood}}}`,
            'x'.repeat(200_000),
          ]) {
            channel.send(junk);
          }
          channel.send(new Uint8Array([123, 34, 116, 121, 112, 101, 34, 125])); // binary on the chat channel
        }
        return channels.length;
      },
      { flood: FLOOD, big: BIG_STAMP },
    );
    expect(open).toBe(2); // one to Ann, one to Cai
    // Then an ordinary message through Ben's own page, on the same ordered channels: once it shows, the flood has all arrived.
    const message = page('Ben').getByRole('textbox', { name: 'Message', exact: true });
    await message.fill('after the flood');
    await page('Ben').getByRole('button', { name: 'Send', exact: true }).click();
    const chatLine = (viewer: Name) => page(viewer).getByRole('log', { name: 'Chat', exact: true }).getByText('after the flood');
    await Promise.all((['Ann', 'Cai'] as const).map((v) => chatLine(v).waitFor({ timeout: 5_000 })));
    const seconds = (Date.now() - started) / 1000;

    // What the limits let through in that time: the burst, plus what refilled (2 a second), of 2,000 sent.
    const heartsAllowed = 5 + Math.ceil(2 * seconds);
    const handNewsAllowed = 2 + Math.ceil(seconds / 5);
    for (const viewer of ['Ann', 'Cai'] as const) {
      // Said aloud: each heart shown once, and a raised hand twice at most, though it went up a thousand times.
      const heard = await page(viewer).evaluate(() => (globalThis as { __heard?: string[] }).__heard ?? []);
      const heartsHeard = heard.filter((l) => l === 'Ben: Heart').length;
      expect(heartsHeard).toBeGreaterThan(0); // the flood did arrive
      expect(heartsHeard).toBeLessThanOrEqual(heartsAllowed);
      expect(heard.filter((l) => l.startsWith('Ben raised their hand')).length).toBeLessThanOrEqual(handNewsAllowed);
      // Over Ben's tile: no more than were let through, and a few, not thousands.
      const hearts = await page(viewer).evaluate(() => (globalThis as { __hearts?: number }).__hearts ?? 0);
      expect(hearts).toBeGreaterThan(0);
      expect(hearts).toBeLessThanOrEqual(heartsAllowed);
    }
    // The last valid message left Ben's hand up; none of the malformed ones after it took it down.
    await sameLineEverywhere({ Ben: 1 }, ['Ann', 'Cai']);
    // The call goes on: Ann's hand queues behind Ben's (her counter moved past his stamps), her chat and her mute reach the others.
    await raiseButton('Ann').click();
    await sameLineEverywhere({ Ben: 1, Ann: 2 }, ['Ann', 'Cai']);
    await page('Ann').getByRole('textbox', { name: 'Message', exact: true }).fill('still here');
    await page('Ann').getByRole('button', { name: 'Send', exact: true }).click();
    await Promise.all(
      (['Ben', 'Cai'] as const).map((v) =>
        page(v).getByRole('log', { name: 'Chat', exact: true }).getByText('still here').waitFor({ timeout: 2_000 }),
      ),
    );
    await page('Ann').getByRole('button', { name: 'Mute microphone', exact: true }).click();
    await Promise.all(
      (['Ben', 'Cai'] as const).map((v) =>
        tile(v, 'Ann').getByText('Microphone off', { exact: true }).waitFor({ state: 'visible', timeout: 2_000 }),
      ),
    );
  });
});
