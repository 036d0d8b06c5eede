// Who is who in a real call, and whether a link is really between the two
// people on it (issue 13): the safety code is the same at both ends and made
// from the certificates DTLS verified; `Mark as verified` outlives a relay
// restart; a certificate that changes mid-call is flagged, and blocks a
// verified person until accepted; and a link holder forging someone's
// presence from Node, with the product's own sealing code, gets nowhere; and a
// member who starts their link over in a loop gets a few new links, not one each.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket as WsClient } from 'ws';
import { LINK_REBUILDS, ROSTER_TICK_MS } from '../../extension/session/call-session.ts';
import { isPolite } from '../../extension/session/peer-link.ts';
import { seriousViolations } from '../support/axe.ts';
import { type CodeSide, safetyCode } from '../../extension/session/safety-code.ts';
import { callLinkOf, joinCall, launchPerson, startCall, tiles, videoFrames, type Person } from '../support/browser.ts';
import { Forger } from '../support/forger.ts';
import { spawnRelay, type RelayProcess } from '../support/relay-process.ts';

// Before the page's own scripts: the session hook (main.tsx hands the session
// to `__zingTest` when it exists), a record of every RTCPeerConnection, so the
// test can ask getStats itself what DTLS verified, and a count of the
// candidates handed to the browser. A string: it runs in the page.
const TEST_HOOKS = `(() => {
  globalThis.__zingTest = {};
  const Native = globalThis.RTCPeerConnection;
  if (!Native || globalThis.__zingPeerConnections) return;
  const all = (globalThis.__zingPeerConnections = []);
  globalThis.__zingCandidatesAdded = 0;
  globalThis.RTCPeerConnection = class extends Native {
    constructor(...args) { super(...args); all.push(this); }
    addIceCandidate(...args) { globalThis.__zingCandidatesAdded++; return super.addIceCandidate(...args); }
  };
})();`;

interface HookedSession {
  state: { participants: { id: string; name: string; self: boolean }[] };
  safetyCodeInputs(id: string): Promise<{ local: CodeSide; remote: CodeSide } | undefined>;
  renewLink(id: string, keepCertificate?: boolean): Promise<void>;
}
type Hooked = { __zingTest: { session: HookedSession }; __zingPeerConnections: RTCPeerConnection[]; __zingCandidatesAdded: number };

/** What the session's safety code for `name` is made of, read in the page (once the session and the code exist). */
async function codeInputs(page: Page, name: string): Promise<{ local: CodeSide; remote: CodeSide }> {
  const read = () =>
    page.evaluate(async (who) => {
      const session = (globalThis as unknown as Partial<Hooked>).__zingTest?.session; // set by TEST_HOOKS and main.tsx
      const id = session?.state.participants.find((p) => p.name === who && !p.self)?.id;
      return id === undefined ? undefined : session?.safetyCodeInputs(id);
    }, name);
  await expect.poll(read, { timeout: 5_000 }).toBeDefined();
  const inputs = await read();
  if (!inputs) throw new Error(`no safety code inputs for ${name}`);
  return inputs;
}

/** SHA-256 of both certificates of each connected peer connection, as the page's own getStats reports them. */
function certificatesByStats(page: Page): Promise<{ local: string; remote: string }[]> {
  return page.evaluate(async () => {
    const hex = async (b64: string) => {
      const der = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      return Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', der)), (b) => b.toString(16).padStart(2, '0')).join('');
    };
    const out: { local: string; remote: string }[] = [];
    for (const pc of (globalThis as unknown as Hooked).__zingPeerConnections) {
      if (pc.connectionState !== 'connected') continue;
      // RTCStatsReport values are untyped dictionaries; these fields are in webrtc-stats.
      const stats = new Map<string, Record<string, string | undefined>>();
      (await pc.getStats()).forEach((s: Record<string, string | undefined> & { id: string }) => {
        stats.set(s.id, s);
      });
      for (const s of stats.values()) {
        if (s.type !== 'transport' || s.dtlsState !== 'connected') continue;
        const local = stats.get(s.localCertificateId ?? '')?.base64Certificate;
        const remote = stats.get(s.remoteCertificateId ?? '')?.base64Certificate;
        if (local && remote) out.push({ local: await hex(local), remote: await hex(remote) });
      }
    }
    return out;
  });
}

const tile = (page: Page, name: string) => page.getByRole('group', { name, exact: true });
const codeAt = (page: Page, name: string) => tile(page, name).getByRole('note', { name: 'Safety code', exact: true }).textContent();
const verifyToggle = (page: Page, name: string) => tile(page, name).getByRole('button', { name: 'Mark as verified', exact: true });
const changedMark = (page: Page, name: string) => tile(page, name).getByText('Safety code changed', { exact: true });

/** Frames of `name`'s video presented in the next `ms` (0 where the tile shows no video at all). */
function framesPresented(page: Page, name: string, ms: number): Promise<number> {
  return tile(page, name)
    .locator('video')
    .evaluate(
      (el, wait) =>
        new Promise<number>((resolve) => {
          const v = el as HTMLVideoElement; // the locator is a <video>
          let frames = 0;
          const count = () => {
            frames += 1;
            v.requestVideoFrameCallback(count);
          };
          v.requestVideoFrameCallback(count);
          setTimeout(() => resolve(frames), wait);
        }),
      ms,
    );
}

describe('safety codes and identity in a real call', () => {
  let relay: RelayProcess;
  let ann: Person;
  let ben: Person;
  let a: Page;
  let b: Page;

  beforeAll(async () => {
    relay = await spawnRelay();
    [ann, ben] = await Promise.all([
      launchPerson({ name: 'Ann', relayUrl: relay.url, settings: { maxVideoHeight: 240 } }),
      launchPerson({ name: 'Ben', relayUrl: relay.url, settings: { maxVideoHeight: 240 } }),
    ]);
    await Promise.all([ann.context.addInitScript(TEST_HOOKS), ben.context.addInitScript(TEST_HOOKS)]);
  });

  afterAll(async () => {
    vi.unstubAllGlobals();
    await Promise.all([ann?.close(), ben?.close()]);
    await relay?.kill();
  });

  it('shows the same code at both ends, made from the certificates DTLS verified and both identity keys', async () => {
    a = await startCall(ann);
    b = await joinCall(ben, await callLinkOf(a));
    await Promise.all([videoFrames(a, 'Ben'), videoFrames(b, 'Ann')]);
    await expect.poll(() => codeAt(a, 'Ben'), { timeout: 5_000 }).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
    await expect.poll(() => codeAt(b, 'Ann'), { timeout: 5_000 }).toBe(await codeAt(a, 'Ben'));

    const [atAnn, atBen] = await Promise.all([codeInputs(a, 'Ben'), codeInputs(b, 'Ann')]);
    const [statsAnn, statsBen] = await Promise.all([certificatesByStats(a), certificatesByStats(b)]);
    expect(statsAnn).toHaveLength(1);
    expect(statsBen).toHaveLength(1);
    // Each page's code is made from the certificates its own DTLS verified…
    expect(atAnn.local.certificate).toBe(statsAnn[0]!.local);
    expect(atAnn.remote.certificate).toBe(statsAnn[0]!.remote);
    expect(atBen.local.certificate).toBe(statsBen[0]!.local);
    expect(atBen.remote.certificate).toBe(statsBen[0]!.remote);
    // …which are each other's, with the same ids and salts seen from both ends…
    expect(statsAnn[0]!.remote).toBe(statsBen[0]!.local);
    expect(atAnn.remote).toEqual(atBen.local);
    expect(atBen.remote).toEqual(atAnn.local);
    // …and the code is exactly what they make.
    expect(safetyCode(atAnn.local, atAnn.remote)).toBe(await codeAt(a, 'Ben'));
    expect(await verifyToggle(a, 'Ben').getAttribute('aria-pressed')).toBe('false');
    expect(await changedMark(a, 'Ben').count()).toBe(0);
  });

  it('keeps `Mark as verified` through a relay restart, with the same code and nothing flagged', async () => {
    const code = await codeAt(a, 'Ben');
    await verifyToggle(a, 'Ben').click();
    expect(await verifyToggle(a, 'Ben').getAttribute('aria-pressed')).toBe('true');

    await relay.kill();
    await expect.poll(() => a.getByRole('status').textContent(), { timeout: 5_000 }).toBe('Reconnecting…');
    relay = await spawnRelay({ port: relay.port });
    await expect.poll(() => a.getByRole('status').textContent(), { timeout: 10_000 }).toBe('Connected');
    // Signaling is back both ways: a mute reaches the other side.
    await b.getByRole('button', { name: 'Mute microphone', exact: true }).click();
    await tile(a, 'Ben').getByText('Microphone off', { exact: true }).waitFor({ timeout: 5_000 });
    await b.getByRole('button', { name: 'Mute microphone', exact: true }).click();

    // A few safety checks later (one every 2 s), still the same code, still verified.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(await verifyToggle(a, 'Ben').getAttribute('aria-pressed')).toBe('true');
    expect(await codeAt(a, 'Ben')).toBe(code);
    expect(await changedMark(a, 'Ben').count()).toBe(0);
    expect(await a.getByRole('alert').count()).toBe(0);
    await videoFrames(a, 'Ben');
  });

  it('flags a certificate that changes mid-call at both ends, blocks the verified person until accepted, then carries media again, his hand and recording current', async () => {
    const before = await codeAt(a, 'Ben');
    // Ben's page drops its link to Ann for a new RTCPeerConnection under a new certificate.
    await b.evaluate(async () => {
      const { session } = (globalThis as unknown as Hooked).__zingTest; // set by TEST_HOOKS and main.tsx
      const annId = session.state.participants.find((p) => p.name === 'Ann' && !p.self)?.id;
      if (annId === undefined) throw new Error('Ann is not in the call');
      await session.renewLink(annId);
    });

    // Ann had verified Ben: flagged, alerted by name, and blocked.
    // The new DTLS handshake takes a few seconds here (its first flight is lost while the answer is on its way,
    // and DTLS retransmits after 1, 2 and 4 s); the periodic check sees the new certificate within 2 s of it.
    await changedMark(a, 'Ben').waitFor({ timeout: 20_000 });
    const alert = a.getByRole('alert').filter({ hasText: 'Ben' });
    await alert.waitFor({ timeout: 2_000 });
    expect(await alert.textContent()).toContain('changed after you verified it');
    expect(await seriousViolations(a, '.code-alert')).toEqual([]);
    expect(await tile(a, 'Ben').getByText('Blocked', { exact: true }).count()).toBe(1);
    expect(await codeAt(a, 'Ben')).not.toBe(before);
    // The new code is again the same at both ends; Ben (who had not verified Ann) is flagged but not blocked.
    await expect.poll(() => codeAt(b, 'Ann'), { timeout: 5_000 }).toBe(await codeAt(a, 'Ben'));
    await changedMark(b, 'Ann').waitFor({ timeout: 2_000 });
    expect(await b.getByRole('alert').filter({ hasText: 'Ann' }).textContent()).toContain('Compare it with Ann again');
    expect(await tile(b, 'Ann').getByText('Blocked', { exact: true }).count()).toBe(0);

    // No media either way while blocked: Ann shows no video of Ben, and Ben receives none from Ann.
    expect(
      await tile(a, 'Ben')
        .locator('video')
        .evaluate((v) => (v as HTMLVideoElement).srcObject),
    ).toBeNull();
    await new Promise((r) => setTimeout(r, 500));
    expect(await framesPresented(b, 'Ann', 1_500)).toBeLessThanOrEqual(1);

    // While blocked, Ben raises his hand and starts recording. He says each once, to a page that blocks him.
    const benRecords = b.getByRole('button', { name: 'Record', exact: true });
    await b.getByRole('button', { name: 'Raise hand', exact: true }).click();
    await benRecords.click();
    await expect.poll(() => benRecords.getAttribute('aria-pressed'), { timeout: 2_000 }).toBe('true');

    await alert.getByRole('button', { name: 'Accept new code', exact: true }).click();
    await expect.poll(() => a.getByRole('alert').filter({ hasText: 'Ben' }).count(), { timeout: 2_000 }).toBe(0);
    expect(await tile(a, 'Ben').getByText('Blocked', { exact: true }).count()).toBe(0);
    // Media flows again, and Ann is told at once that Ben records, and that his hand is up.
    await tile(a, 'Ben').getByText('Recording', { exact: true }).waitFor({ timeout: 1_000 });
    await tile(a, 'Ben').getByRole('note', { name: 'Hand raised', exact: true }).waitFor({ timeout: 1_000 });
    // Accepted is not verified: still flagged as changed, the toggle off, until they compare again.
    expect(await changedMark(a, 'Ben').count()).toBe(1);
    expect(await verifyToggle(a, 'Ben').getAttribute('aria-pressed')).toBe('false');
    await Promise.all([videoFrames(a, 'Ben'), videoFrames(b, 'Ann')]);
    await benRecords.click();
    await expect.poll(() => benRecords.getAttribute('aria-pressed'), { timeout: 3_000 }).toBe('false');
  });

  it('refuses a link holder who forges Ben’s presence from Node, and leaves Ben’s tile and link as they were', async () => {
    await Promise.all([a?.close(), b?.close()]);
    a = await startCall(ann);
    b = await joinCall(ben, await callLinkOf(a));
    await Promise.all([videoFrames(a, 'Ben'), videoFrames(b, 'Ann')]);

    // SignalingClient reads the global WebSocket's constants; Node 20 has none.
    vi.stubGlobal('WebSocket', WsClient);
    const mallory = await Forger.join(await callLinkOf(a));
    try {
      // Ann and Ben greet the newcomer: Mallory learns who they are (ids, sessions, keys) like any link holder.
      await expect
        .poll(() => mallory.overheardFrom('Ben') !== undefined && mallory.overheardFrom('Ann') !== undefined, { timeout: 10_000 })
        .toBe(true);
      const benSaid = mallory.overheardFrom('Ben')!;
      const annSaid = mallory.overheardFrom('Ann')!;
      const asBen = { from: benSaid.payload.from, session: benSaid.payload.session };
      const muted = { name: 'Mallory', micMuted: true, cameraOff: true, screenSharing: false };

      // Ben's id and session, a huge sequence number, signed with Mallory's own key (hole 4 as it was).
      await mallory.send(undefined, { ...asBen, seq: 2 ** 52, msg: { type: 'presence', ...muted } });
      // The same carrying Ben's real public key.
      await mallory.send(undefined, { ...asBen, key: benSaid.payload.key, seq: 2 ** 52, msg: { type: 'presence', ...muted } });
      // A welcome to Ann, bound to her page session, claiming to be Ben.
      await mallory.send(annSaid.from, {
        ...asBen,
        to: annSaid.payload.from,
        toSession: annSaid.payload.session,
        seq: 2 ** 52,
        msg: { type: 'welcome', commit: 'C'.repeat(43), fresh: true, ...muted },
      });
      // Ben's own genuine, signed hello, re-sealed to everyone from Mallory's relay address.
      await mallory.reseal(undefined, benSaid.plaintext);

      // Every one refused: Ann and Ben each warn of tampering…
      for (const page of [a, b]) {
        await page.getByRole('alert').filter({ hasText: 'tampering' }).waitFor({ timeout: 10_000 });
      }
      // …and nothing moved: Ben is still Ben at Ann, unmuted, on the same link, and no one else has a tile.
      expect(await tile(a, 'Mallory').count()).toBe(0);
      expect(await tiles(a).count()).toBe(2);
      expect(await tile(a, 'Ben').getByText('Microphone off', { exact: true }).count()).toBe(0);
      await videoFrames(a, 'Ben');
      // Ben's own next message is taken, not refused as older than the forged sequence number.
      await b.getByRole('button', { name: 'Mute microphone', exact: true }).click();
      await tile(a, 'Ben').getByText('Microphone off', { exact: true }).waitFor({ timeout: 2_000 });
    } finally {
      mallory.close();
    }
  });

  it('builds a member who starts their link over in a loop no more new links than LINK_REBUILDS allows, and their link comes back after', async () => {
    await Promise.all([a?.close(), b?.close()]);
    a = await startCall(ann);
    b = await joinCall(ben, await callLinkOf(a));
    await Promise.all([videoFrames(a, 'Ben'), videoFrames(b, 'Ann')]);
    // A page that starts over offers from its new connection only if it is the side that offers (the
    // impolite one: peer-link.ts), so the one of the two who is plays the member starting over in a loop.
    const idOf = (page: Page, name: string) =>
      page.evaluate((who) => (globalThis as unknown as Hooked).__zingTest.session.state.participants.find((p) => p.name === who)?.id, name);
    const [annId, benId] = await Promise.all([idOf(b, 'Ann'), idOf(a, 'Ben')]);
    if (annId === undefined || benId === undefined) throw new Error('Ann and Ben should know each other');
    const [looper, other, otherName] = isPolite(annId, benId) ? [b, a, 'Ann'] : [a, b, 'Ben'];
    const linksAtOther = () => other.evaluate(() => (globalThis as unknown as Hooked).__zingPeerConnections.length);
    const before = await linksAtOther();
    const candidatesAtOther = () => other.evaluate(() => (globalThis as unknown as Hooked).__zingCandidatesAdded);
    const candidatesBefore = await candidatesAtOther();

    // Every 100 ms for 3 s, the looper's page starts its link over under its own certificate (as a page
    // back from sleep does): each time a new connection, whose offer the other's link sees as a new start.
    const started = await looper.evaluate(async (name) => {
      const { session } = (globalThis as unknown as Hooked).__zingTest; // set by TEST_HOOKS and main.tsx
      const id = session.state.participants.find((p) => p.name === name && !p.self)?.id;
      if (id === undefined) throw new Error(`${name} is not in the call`);
      let n = 0;
      for (const end = performance.now() + 3_000; performance.now() < end; n++) {
        await session.renewLink(id, true);
        await new Promise((r) => setTimeout(r, 100));
      }
      return n;
    }, otherName);
    expect(started).toBeGreaterThanOrEqual(20);
    // The other built at most the burst (without the limit: one per start, about 30).
    expect((await linksAtOther()) - before).toBeLessThanOrEqual(LINK_REBUILDS.burst);
    // Its browser was handed the candidates of the connections it took, not those of every start (without the
    // check it was each start's two, 58 here: each a main-thread stall while the browser refuses it).
    expect((await candidatesAtOther()) - candidatesBefore).toBeLessThan(started);
    // The latest start was held, not lost: built once a token is back, and their link carries video again both ways.
    await expect
      .poll(linksAtOther, { timeout: 1_000 / LINK_REBUILDS.perSecond + 2 * ROSTER_TICK_MS })
      .toBeGreaterThan(before + LINK_REBUILDS.burst);
    await Promise.all([videoFrames(a, 'Ben', 10_000), videoFrames(b, 'Ann', 10_000)]);
    expect((await linksAtOther()) - before).toBeLessThanOrEqual(LINK_REBUILDS.burst + 2);
  });
});
