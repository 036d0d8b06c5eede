// A call outlives its relay: kill the relay mid-call, start it again, and
// media never stops while signaling comes back on its own. It outlives a
// path to the relay that goes dark, a sleeping computer, and a TURN path that
// fails and comes back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEFAULTS } from '../../relay/config.ts';
import { startRelay, type Relay } from '../../relay/server.ts';
import {
  callLinkOf,
  joinCall,
  launchPerson,
  startCall,
  videoFrames,
  watchPeerConnections,
  type LaunchOptions,
  type Person,
} from '../support/browser.ts';
import { startCoturn, type Coturn } from '../support/coturn.ts';
import { startDarkPath, type DarkPath } from '../support/dark-path.ts';
import { freeze, freezeMarker } from '../support/freeze.ts';
import { spawnRelay, type RelayProcess } from '../support/relay-process.ts';

interface Sample {
  at: number;
  frames: number;
  tile: boolean;
}

/** Samples, every 200 ms, how many frames of `name`'s video were presented and whether the tile is there. */
async function startSampling(page: Page, name: string): Promise<void> {
  await page.evaluate((who) => {
    const w = window as unknown as { __samples: Sample[] };
    w.__samples = [];
    let frames = 0;
    let watched: HTMLVideoElement | null = null;
    const group = () => [...document.querySelectorAll('[role="group"]')].find((g) => g.getAttribute('aria-label') === who);
    const count = () => {
      frames += 1;
      watched?.requestVideoFrameCallback(count);
    };
    setInterval(() => {
      const video = group()?.querySelector('video') ?? null;
      if (video !== watched) {
        watched = video;
        video?.requestVideoFrameCallback(count);
      }
      w.__samples.push({ at: Date.now(), frames, tile: group() !== undefined });
    }, 200);
  }, name);
}

/** Alice and Bob, each in a Chromium of their own on `relayUrl`, with what `more` adds for each. */
const launchAliceAndBob = (relayUrl: string, more: (name: string) => Partial<LaunchOptions> = () => ({})): Promise<[Person, Person]> =>
  Promise.all([launchPerson({ name: 'Alice', relayUrl, ...more('Alice') }), launchPerson({ name: 'Bob', relayUrl, ...more('Bob') })]);

/** Alice starts a call from her popup, Bob joins by its link from his, and each decodes the other. */
async function aliceCallsBob(alice: Person, bob: Person): Promise<{ a: Page; b: Page }> {
  const a = await startCall(alice);
  const b = await joinCall(bob, await callLinkOf(a));
  await Promise.all([videoFrames(a, 'Bob'), videoFrames(b, 'Alice')]);
  return { a, b };
}

/**
 * Lets a test drop whatever a page sends on its relay socket, as a socket gone
 * dark drops it (an init script: the page's WebSocket must be the wrapped one).
 */
function darkenableSockets(): void {
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (this: WebSocket, data: Parameters<WebSocket['send']>[0]) {
    if (!(globalThis as { __zingSocketDark?: boolean }).__zingSocketDark) send.call(this, data);
  };
}

const setSocketDark = (page: Page, dark: boolean) =>
  page.evaluate((on) => {
    (globalThis as { __zingSocketDark?: boolean }).__zingSocketDark = on;
  }, dark);

/** The signaling state of each open link of `page` (needs watchPeerConnections). */
const signalingStates = (page: Page) =>
  page.evaluate(() =>
    ((globalThis as { __zingPeerConnections?: RTCPeerConnection[] }).__zingPeerConnections ?? [])
      .filter((pc) => pc.connectionState !== 'closed')
      .map((pc) => pc.signalingState),
  );

/** Which of two pages in a call made its link's first offer: the side that offers, and drives ICE recovery. */
const offersFirst = (page: Page) =>
  page.evaluate(() =>
    ((globalThis as { __zingPeerConnections?: RTCPeerConnection[] }).__zingPeerConnections ?? []).some(
      (pc) => pc.connectionState === 'connected' && pc.localDescription?.type === 'offer',
    ),
  );

const samples = (page: Page) => page.evaluate(() => (window as unknown as { __samples: Sample[] }).__samples);

describe('a relay restart mid-call', () => {
  let relay: RelayProcess;
  let alice: Person;
  let bob: Person;

  beforeAll(async () => {
    relay = await spawnRelay();
    [alice, bob] = await launchAliceAndBob(relay.url);
  });

  afterAll(async () => {
    await Promise.all([alice?.close(), bob?.close()]);
    await relay?.kill();
  });

  it('keeps frames decoding through the outage, brings signaling back within 3 s, and shows no one leaving', async () => {
    const { a, b } = await aliceCallsBob(alice, bob);
    await Promise.all([startSampling(a, 'Bob'), startSampling(b, 'Alice')]);
    await new Promise((r) => setTimeout(r, 600));

    await relay.kill();
    await expect.poll(() => a.getByRole('status').textContent(), { timeout: 5_000 }).toBe('Reconnecting…');
    await new Promise((r) => setTimeout(r, 1_500));
    // Back where the browsers expect it: the same port.
    relay = await spawnRelay({ port: relay.port });
    const up = Date.now();

    // Signaling is back: a mute reaches the other side.
    await expect.poll(() => a.getByRole('status').textContent(), { timeout: 3_000 }).toBe('Connected');
    await a.getByRole('button', { name: 'Mute microphone', exact: true }).click();
    await b
      .getByRole('group', { name: 'Alice', exact: true })
      .getByText('Microphone off', { exact: true })
      .waitFor({ timeout: Math.max(100, 3_000 - (Date.now() - up)) });
    await new Promise((r) => setTimeout(r, 600));

    for (const page of [a, b]) {
      const s = await samples(page);
      expect(s.length).toBeGreaterThan(15);
      expect(s.every((x) => x.tile)).toBe(true); // nobody left, not even for a moment
      // Frames kept coming: no 200 ms sample window without a new frame for over a second.
      let stalled = 0;
      for (let i = 1; i < s.length; i++) {
        stalled = s[i]!.frames > s[i - 1]!.frames ? 0 : stalled + (s[i]!.at - s[i - 1]!.at);
        expect(stalled).toBeLessThan(1_000);
      }
    }
  });
});

describe('a TURN path that fails and comes back', () => {
  let coturn: Coturn;
  let relay: Relay;
  let alice: Person;
  let bob: Person;

  beforeAll(async () => {
    coturn = await startCoturn();
    relay = await startRelay({ ...DEFAULTS, port: 0, logLevel: 'silent', turnSecret: coturn.secret, turnUrls: [coturn.url] });
    // TURN only: when coturn stops, the media path is gone, as on a network change.
    const settings = { relayOnly: true, maxVideoHeight: 240 };
    [alice, bob] = await launchAliceAndBob(relay.url, () => ({ settings }));
    await Promise.all([alice, bob].map(watchPeerConnections));
    await Promise.all([alice, bob].map((p) => p.context.addInitScript(darkenableSockets)));
  });

  afterAll(async () => {
    await Promise.all([alice?.close(), bob?.close()]);
    await relay?.close();
    await coturn?.stop();
  });

  let a: Page;
  let b: Page;

  it('says Reconnecting… while the path is down, restarts ICE and decodes again once it returns', async () => {
    ({ a, b } = await aliceCallsBob(alice, bob));

    await coturn.stop();

    const bobAtAlice = a.getByRole('group', { name: 'Bob', exact: true });
    await bobAtAlice.getByText('Reconnecting…', { exact: true }).waitFor({ timeout: 15_000 });
    await expect.poll(() => a.getByRole('status').textContent(), { timeout: 5_000 }).toBe('Reconnecting…');

    // Down for a while, as a real outage is: restarts made meanwhile fail, and recovery keeps trying.
    await new Promise((r) => setTimeout(r, 2_000));
    coturn = await startCoturn({ port: coturn.port, secret: coturn.secret });
    const back = Date.now();
    // Fresh frames, not a frozen last one: videoFrames waits for 5 newly presented frames.
    // The 5 s target is a measurement (logged here, ~3 s on a quiet machine); the test
    // bounds it loosely so a loaded CI core does not make it flaky.
    await Promise.all([videoFrames(a, 'Bob', 15_000), videoFrames(b, 'Alice', 15_000)]);
    console.log(`media back ${Date.now() - back} ms after the TURN server returned`);
    await expect.poll(() => a.getByRole('status').textContent(), { timeout: 2_000 }).toBe('Connected');
    expect(await bobAtAlice.getByText('Reconnecting…', { exact: true }).count()).toBe(0);
  });

  it('brings the link back when the restart offer of the side that offers was lost in a dark relay socket', async () => {
    // The impolite side drives recovery (ice-recovery.ts) and ignores the other's offers while its own is out:
    // once its offer is lost, only sending it again gets the link going.
    const [offerer, other] = (await offersFirst(a)) ? [a, b] : [b, a];
    const [offererName, otherName] = offerer === a ? ['Alice', 'Bob'] : ['Bob', 'Alice'];
    const links = () =>
      Promise.all([a, b].map((p) => p.evaluate(() => (globalThis as { __zingPeerConnections?: unknown[] }).__zingPeerConnections?.length)));
    const linksBefore = await links();
    await startSampling(other, offererName);
    await setSocketDark(offerer, true);
    await coturn.stop();
    // Its ICE restart's offer went into the dark socket: it waits for an answer that cannot come.
    await expect.poll(() => signalingStates(offerer), { timeout: 20_000, interval: 250 }).toEqual(['have-local-offer']);
    await setSocketDark(offerer, false);
    coturn = await startCoturn({ port: coturn.port, secret: coturn.secret });
    const back = Date.now();
    await Promise.all([videoFrames(offerer, otherName, 30_000), videoFrames(other, offererName, 30_000)]);
    console.log(`media back ${Date.now() - back} ms after the socket and the TURN server returned (${offererName} offers)`);
    await expect.poll(() => offerer.getByRole('status').textContent(), { timeout: 5_000 }).toBe('Connected');
    // Back on the same link, by the offer sent again, and the other never saw them leave. The socket that
    // lost their pings is given up, but closed only once the new one has joined: its close, reaching the
    // relay, made the others take them for gone, and both ends built a new link (2 of 4 probe rounds, a
    // tile gone for up to 5.5 s).
    expect(await links()).toEqual(linksBefore);
    expect((await samples(other)).every((x) => x.tile)).toBe(true);
  });
});

describe('a path to the relay that goes dark mid-call', () => {
  let relay: Relay;
  let dark: DarkPath;
  let alice: Person;
  let bob: Person;

  beforeAll(async () => {
    relay = await startRelay({ ...DEFAULTS, port: 0, logLevel: 'silent' });
    dark = await startDarkPath(relay.url);
    const settings = { maxVideoHeight: 240 };
    [alice, bob] = await launchAliceAndBob(dark.url, () => ({ settings }));
  });

  afterAll(async () => {
    await Promise.all([alice?.close(), bob?.close()]);
    await dark?.close();
    await relay?.close();
  });

  it('notices the silence, joins again on a new socket before the relay would let the old one go, and nobody sees anyone leave', async () => {
    const a = await startCall(alice);
    await a.getByRole('status').filter({ hasText: 'Waiting for others' }).waitFor({ timeout: 10_000 });
    const alicesSockets = dark.count;
    const b = await joinCall(bob, await callLinkOf(a));
    await Promise.all([videoFrames(a, 'Bob'), videoFrames(b, 'Alice')]);
    await Promise.all([startSampling(a, 'Bob'), startSampling(b, 'Alice')]);

    // Her socket still looks open to her browser and to the relay, but no byte gets through either way.
    dark.darken(alicesSockets);
    const darkened = Date.now();
    await expect.poll(() => dark.count, { timeout: 14_000, interval: 200 }).toBeGreaterThan(alicesSockets + 1);
    console.log(`Alice's new socket ${Date.now() - darkened} ms after her path went dark`);
    await expect.poll(() => a.getByRole('status').textContent(), { timeout: 5_000 }).toBe('Connected');
    // Signaling works again: her mute reaches Bob.
    await a.getByRole('button', { name: 'Mute microphone', exact: true }).click();
    await b.getByRole('group', { name: 'Alice', exact: true }).getByText('Microphone off', { exact: true }).waitFor({ timeout: 5_000 });

    for (const page of [a, b]) {
      const s = await samples(page);
      expect(s.every((x) => x.tile)).toBe(true); // nobody left, not even for a moment
      expect(s.at(-1)!.frames).toBeGreaterThan(s[0]!.frames); // and media went on: it never used that path
    }
  });
});

/** How soon after waking both must decode again: the slow path it replaced took 9 s. */
const BACK_FROM_SLEEP_MS = 6_000;

describe('a computer that sleeps mid-call', () => {
  let relay: Relay;
  let alice: Person;
  let bob: Person;

  beforeAll(async () => {
    // A dead socket leaves within two heartbeats: 2 s here instead of 30 s, so a short sleep is long enough.
    relay = await startRelay({ ...DEFAULTS, port: 0, logLevel: 'silent', heartbeatMs: 1_000 });
    const settings = { maxVideoHeight: 240 };
    [alice, bob] = await launchAliceAndBob(relay.url, (name) => ({ settings, extraArgs: [freezeMarker(name)] }));
  });

  afterAll(async () => {
    await Promise.all([alice?.close(), bob?.close()]);
    await relay?.close();
  });

  // Each sleeper once: one of them is the side that offers, so both roles wake up to a peer that started over.
  it('brings the call back after either person’s computer sleeps for longer than the relay waits', async () => {
    const { a, b } = await aliceCallsBob(alice, bob);

    for (const [sleeper, awake] of [
      [
        { name: 'Alice', page: a },
        { name: 'Bob', page: b },
      ],
      [
        { name: 'Bob', page: b },
        { name: 'Alice', page: a },
      ],
    ] as const) {
      const thaw = freeze(sleeper.name);
      try {
        // The relay lets the silent socket go, and the one awake sees the sleeper leave and closes their link.
        await awake.page.getByRole('group', { name: sleeper.name, exact: true }).waitFor({ state: 'detached', timeout: 8_000 });
        await new Promise((r) => setTimeout(r, 3_000));
      } finally {
        thaw();
      }
      const woke = Date.now();
      // The one awake welcomes the sleeper back as `fresh`, and both start the link over at once: measured
      // 0.6–0.7 s either way. Before, the sleeper's old link found out only once its ICE failed: 9 s when it
      // was the side that offers. Bounded loosely for a loaded CI core, but below that.
      await Promise.all([videoFrames(sleeper.page, awake.name, 30_000), videoFrames(awake.page, sleeper.name, 30_000)]);
      const backMs = Date.now() - woke;
      console.log(`${sleeper.name} woke: both decode again ${backMs} ms later`);
      expect(backMs).toBeLessThan(BACK_FROM_SLEEP_MS);
      for (const [page, other] of [
        [sleeper.page, awake.name],
        [awake.page, sleeper.name],
      ] as const) {
        expect(await page.getByRole('group', { name: other, exact: true }).count()).toBe(1);
        await expect.poll(() => page.getByRole('status').textContent(), { timeout: 5_000 }).toBe('Connected');
      }
    }
  });
});
