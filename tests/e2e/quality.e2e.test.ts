// Quality that follows the viewer (#16), in real Chromium: a receiver that
// shrinks a tile gets a smaller stream on that link only, and a receiver whose
// tab is hidden gets no video at all until it shows the tab again, and a peer
// flooding absurd views cannot push its sender past the budget. Proof is the
// encoder's own figures (outbound-rtp frameHeight and bytes per link). A machine that cannot keep up is
// offered to turn off video in small tiles, and the senders to it stop and start again at its word.
//
// Bo's browser is attached with real tab visibility (tests/support/browser.ts,
// realVisibility): Playwright's own launch keeps every page `visible`.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIO_RESERVE_BPS } from '../../extension/session/bandwidth.ts';
import { STRAIN_AFTER_MS } from '../../extension/session/strain.ts';
import { PAUSE_BELOW_HEIGHT_PX } from '../../extension/session/view-wants.ts';
import { DEFAULTS } from '../../relay/config.ts';
import { startRelay, type Relay } from '../../relay/server.ts';
import { talkingMic } from '../support/media-files.ts';
import {
  callLinkOf,
  growthOf,
  launchPerson,
  linkCells,
  mediaTotals,
  openCallPage,
  shrinkTile,
  startCall,
  videoFrames,
  watchPeerConnections,
  type Person,
} from '../support/browser.ts';

// Bo and Cy capture small so three browsers fit on 2 cores; Ada, the sender watched here, keeps the default 720p.
const SMALL = { maxVideoHeight: 240 };
/** What the brief allows for a shrunk tile to reach its sender's encoder, and for frames to resume. */
const SHRINK_WITHIN_MS = 3_000;
const HIDE_WITHIN_MS = 2_000;
const RESUME_WITHIN_MS = 2_000;
/** Ada's upload budget: small enough that Cy's flood asking for everything would overrun it if the governor believed her. */
const ADA_BUDGET_KBPS = 800;
/**
 * How long Cy floods at most (the test stops her once it has measured: on a saturated machine the
 * switch, the window and the reads took over 8 s); the window over which Ada's upload is averaged, once her encoder to Cy has
 * switched to the size the flood asks for (that switch sends a key frame: a budget is a rate, not a
 * cap on one frame); how long the switch may take; and how far above the budget the average may go
 * (RTP headers, RTCP-paced audio).
 */
const FLOOD_MS = 20_000;
const UPLOAD_WINDOW_MS = 3_000;
const SWITCH_WITHIN_MS = 3_000;
const BUDGET_SLACK = 1.15;

/** Test-only (an init script): keeps each page's `chat` data channels by the peer connection they belong to. */
function keepChatChannels(): void {
  const g = globalThis as unknown as { __zingTestChats: Map<RTCPeerConnection, RTCDataChannel> };
  g.__zingTestChats = new Map();
  const Native = RTCPeerConnection;
  globalThis.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      this.addEventListener('datachannel', (ev) => {
        if (ev.channel.label === 'chat') g.__zingTestChats.set(this, ev.channel);
      });
    }
    override createDataChannel(label: string, init?: RTCDataChannelInit): RTCDataChannel {
      const channel = super.createDataChannel(label, init);
      if (label === 'chat') g.__zingTestChats.set(this, channel);
      return channel;
    }
  };
}

/**
 * Test-only (an init script): once the page sets `__zingTestStrain`, its receivers' stats say half of
 * every camera frame that arrived was dropped before display, as a machine that cannot keep up shows.
 * The call's own strain detection, its offer, the views it sends and the senders that follow are real.
 */
function strainOnDemand(): void {
  const proto = RTCRtpReceiver.prototype;
  const native = proto.getStats;
  proto.getStats = async function (this: RTCRtpReceiver) {
    const report = await native.call(this);
    if (!(globalThis as { __zingTestStrain?: boolean }).__zingTestStrain) return report;
    const entries = [...report.entries()].map(([id, s]: [string, Record<string, unknown>]): [string, Record<string, unknown>] => [
      id,
      s.type === 'inbound-rtp' && s.kind === 'video' ? { ...s, framesDropped: Math.floor(Number(s.framesReceived) / 2) } : s,
    ]);
    return new Map(entries) as unknown as RTCStatsReport; // the call reads it as a map of stats, which a Map is
  };
}

/** Turns strainOnDemand's dropped frames on or off in `page`. */
function setStrain(page: Page, on: boolean): Promise<void> {
  return page.evaluate((v) => {
    (globalThis as { __zingTestStrain?: boolean }).__zingTestStrain = v;
  }, on);
}

/**
 * The DTLS fingerprint lines of `page`'s own descriptions: a peer's link to it names one in its remote
 * description. One certificate per page, so they outlast an ICE restart (which changes the ufrags: on a
 * loaded CI machine a restart mid-file once left every later lookup by ufrag without a link).
 */
function localFingerprints(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    ((globalThis as { __zingPeerConnections?: RTCPeerConnection[] }).__zingPeerConnections ?? [])
      .filter((pc) => pc.connectionState !== 'closed')
      .flatMap((pc) => [...(pc.localDescription?.sdp ?? '').matchAll(/a=fingerprint:[^\r\n]+/g)].map((m) => m[0])),
  );
}

interface LinkRtp {
  /**
   * Outbound camera: RTP payload and header bytes, lines of the last encoded frame, whether the encoding is
   * active, and the lines the governor asked for (the encoder may send fewer on a busy machine).
   */
  videoOut: { bytes: number; frameHeight: number; active: boolean; askedHeight: number };
  audioOut: { bytes: number };
  audioIn: { bytes: number };
  videoIn: { framesDecoded: number };
  /** The report's own clock, ms. */
  at: number;
}

/** The RTP figures of `page`'s link whose remote description names one of `peer` (that peer's fingerprints), from getStats. */
function linkRtp(page: Page, peer: string[]): Promise<LinkRtp> {
  return page.evaluate(async (frags) => {
    const pcs = (globalThis as { __zingPeerConnections?: RTCPeerConnection[] }).__zingPeerConnections ?? [];
    const pc = pcs.find((p) => p.connectionState !== 'closed' && frags.some((f) => p.remoteDescription?.sdp.includes(f)));
    if (!pc) {
      // What the page has instead: none watched means the watch came too late; all closed, a link replaced.
      const seen = pcs.map((p) => `${p.connectionState}/${p.signalingState}${p.remoteDescription ? '' : ' (no answer)'}`);
      throw new Error(`no link to that peer among ${pcs.length} watched: ${seen.join(', ')}`);
    }
    const out = {
      videoOut: { bytes: 0, frameHeight: 0, active: false, askedHeight: 0 },
      audioOut: { bytes: 0 },
      audioIn: { bytes: 0 },
      videoIn: { framesDecoded: 0 },
      at: 0,
    };
    // What the governor asked of the camera's encoder on this link: the capture's lines over its scale-down.
    const camera = pc.getSenders().find((x) => x.track?.kind === 'video');
    const scale = camera?.getParameters().encodings[0]?.scaleResolutionDownBy ?? 1;
    out.videoOut.askedHeight = Math.round((camera?.track?.getSettings().height ?? 0) / scale);
    (await pc.getStats()).forEach((s) => {
      out.at = Math.max(out.at, s.timestamp ?? 0);
      if (s.type === 'outbound-rtp' && s.kind === 'video') {
        out.videoOut.bytes += (s.bytesSent ?? 0) + (s.headerBytesSent ?? 0);
        out.videoOut.frameHeight = Math.max(out.videoOut.frameHeight, s.frameHeight ?? 0);
        out.videoOut.active ||= s.active !== false;
      } else if (s.type === 'outbound-rtp' && s.kind === 'audio') out.audioOut.bytes += s.bytesSent ?? 0;
      else if (s.type === 'inbound-rtp' && s.kind === 'audio') out.audioIn.bytes += s.bytesReceived ?? 0;
      else if (s.type === 'inbound-rtp' && s.kind === 'video') out.videoIn.framesDecoded += s.framesDecoded ?? 0;
    });
    return out;
  }, peer);
}

/** Everything `page` sends on all its links, RTP headers included, in bytes, with the reports' clock. */
function totalSent(page: Page): Promise<{ bytes: number; at: number }> {
  return page.evaluate(async () => {
    const pcs = (globalThis as { __zingPeerConnections?: RTCPeerConnection[] }).__zingPeerConnections ?? [];
    let bytes = 0;
    let at = 0;
    for (const pc of pcs) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((s) => {
        at = Math.max(at, s.timestamp ?? 0);
        if (s.type === 'outbound-rtp') bytes += (s.bytesSent ?? 0) + (s.headerBytesSent ?? 0);
      });
    }
    return { bytes, at };
  });
}

/** The sum of `maxBitrate` over the active video encodings `page`'s senders are set to, on all links. */
function capsOf(page: Page): Promise<number> {
  return page.evaluate(() => {
    const pcs = (globalThis as { __zingPeerConnections?: RTCPeerConnection[] }).__zingPeerConnections ?? [];
    let sum = 0;
    for (const pc of pcs) {
      if (pc.connectionState === 'closed') continue;
      for (const sender of pc.getSenders()) {
        if (sender.track?.kind !== 'video') continue;
        for (const e of sender.getParameters().encodings) if (e.active !== false) sum += e.maxBitrate ?? Number.POSITIVE_INFINITY;
      }
    }
    return sum;
  });
}

/** For expect.poll: video bytes `page`'s link to `peer` sent in 300 ms (growthOf). */
const videoGrowth = (page: Page, peer: string[]) => growthOf(async () => (await linkRtp(page, peer)).videoOut.bytes);

/** Video frames the page has decoded so far, over all its links. */
const decodedFrames = async (page: Page): Promise<number> => (await mediaTotals(page)).framesDecoded;

const sentHeight = (sending: string): number => Number(/×(\d+)$/.exec(sending)?.[1] ?? Number.NaN);

describe('quality follows the viewer', () => {
  let relay: Relay;
  let ada: Person;
  let bo: Person;
  let cy: Person;
  let a: Page;
  let b: Page;
  let c: Page;
  /** Who Ada's links go to, by the ICE fragments the far end's descriptions carry. */
  let toBo: string[];
  let toCy: string[];
  let toAda: string[];

  // Everyone talks without a pause: the audio checks below need sound on the wire, which DTX stops in silence.
  const talking = talkingMic();

  beforeAll(async () => {
    const mic = talking.args;
    relay = await startRelay({ ...DEFAULTS, port: 0, logLevel: 'silent' });
    [ada, bo, cy] = await Promise.all([
      launchPerson({ name: 'Ada', relayUrl: relay.url, settings: { uploadBudgetKbps: ADA_BUDGET_KBPS }, extraArgs: mic }),
      launchPerson({ name: 'Bo', relayUrl: relay.url, settings: SMALL, realVisibility: true, extraArgs: mic }),
      launchPerson({ name: 'Cy', relayUrl: relay.url, settings: SMALL, extraArgs: mic }),
    ]);
    await Promise.all([watchPeerConnections(ada), watchPeerConnections(bo), watchPeerConnections(cy)]);
    await cy.context.addInitScript(keepChatChannels);
    await cy.context.addInitScript(strainOnDemand);
  });

  afterAll(async () => {
    await Promise.all([ada?.close(), bo?.close(), cy?.close()]);
    await relay?.close();
    talking.remove();
  });

  it('sends a tile shrunk to 160×90 at most 180 lines within 3 s, while the other link stays larger', async () => {
    a = await startCall(ada);
    const link = await callLinkOf(a);
    [b, c] = await Promise.all([openCallPage(bo, link), openCallPage(cy, link)]);
    await Promise.all([videoFrames(b, 'Ada', 20_000), videoFrames(a, 'Bo', 20_000), videoFrames(a, 'Cy', 20_000)]);
    expect(await b.evaluate(() => document.visibilityState)).toBe('visible');
    [toBo, toCy, toAda] = await Promise.all([localFingerprints(b), localFingerprints(c), localFingerprints(a)]);

    await a.getByRole('button', { name: 'Stats', exact: true }).click();
    // The link to Bo is asked for more than 180 lines while his tile of Ada is of grid size. (Asked, not
    // encoded: on CI's loaded machine Ada's encoder once held 180 lines on its own for 10 s, and the
    // drop to at most 180 below is then the shrink's doing only if the ask was larger before it.)
    await expect.poll(async () => (await linkRtp(a, toBo)).videoOut.askedHeight, { timeout: 10_000 }).toBeGreaterThan(180);
    await expect.poll(async () => (await linkRtp(a, toBo)).videoOut.frameHeight, { timeout: 10_000 }).toBeGreaterThan(0);

    // Bo shrinks Ada's tile with the keyboard, as a person can.
    const box = await shrinkTile(b, 'Ada', 160, 90);
    const ratio = await b.evaluate(() => devicePixelRatio);
    expect(box.width * ratio).toBeLessThanOrEqual(160);
    expect(box.height * ratio).toBeLessThanOrEqual(90);
    const shrunk = Date.now();

    // Ada's link to Bo: what the governor asks of the encoder, and the lines of the frames it actually encodes.
    // Both: on a loaded machine the encoder may already send fewer lines on its own, before the ask arrives
    // (CI once read 101 lines 9 ms after the shrink, with the ask still at 270).
    await expect
      .poll(
        async () => {
          const { videoOut } = await linkRtp(a, toBo);
          return Math.max(videoOut.frameHeight, videoOut.askedHeight);
        },
        { timeout: SHRINK_WITHIN_MS, interval: 100 },
      )
      .toBeLessThanOrEqual(180);
    const took = Date.now() - shrunk;
    const [boLink, cyLink] = await Promise.all([linkRtp(a, toBo), linkRtp(a, toCy)]);
    console.log(
      `quality e2e: Ada encodes ${boLink.videoOut.frameHeight} lines (asked ${boLink.videoOut.askedHeight}) for Bo ${took} ms after his tile reached ${Math.round(box.width)}×${Math.round(box.height)}; ${cyLink.videoOut.frameHeight} (asked ${cyLink.videoOut.askedHeight}) for Cy`,
    );
    // The link to Cy, whose tile of Ada did not change, stays larger (as asked: a saturated machine's encoder may scale it down on its own).
    expect(cyLink.videoOut.askedHeight).toBeGreaterThan(180);
    expect(boLink.videoOut.askedHeight).toBeLessThanOrEqual(180);
    // The Stats panel says what Bo asked for and what goes to him.
    await expect.poll(async () => sentHeight((await linkCells(a, 'Bo')).sending), { timeout: 3_000 }).toBeLessThanOrEqual(180);
    expect((await linkCells(a, 'Bo')).asked).toMatch(/^\d+×\d+/);
  });

  it('does not take its own per-link cap for a short network: a link on a roomy path keeps its plan', async () => {
    // Ada's camera is the default 720p and her link to Cy is sized to Cy's grid tile. WebRTC's encoder says
    // `bandwidth` whenever its target is low for the resolution, which each tile-sized cap is; on loopback the
    // path has room to spare. Before, the governor stepped such a link down for it, again and again, until a
    // grid tile got 120 lines. The link has run past the bandwidth grace and a step's settling by now; for
    // 12 s more, Ada's Stats panel must never say Cy's link was eased for the network.
    const row = a.getByRole('region', { name: 'Connection stats', exact: true }).getByRole('row', { name: /^Cy / });
    const seen: string[] = [];
    for (const until = Date.now() + 12_000; Date.now() < until; ) {
      seen.push((await row.textContent()) ?? '');
      await new Promise((r) => setTimeout(r, 1_000));
    }
    console.log(`quality e2e: Ada's link to Cy, last read: ${seen.at(-1)}`);
    expect(seen.filter((text) => /eased \d+× \(network\)/.test(text))).toEqual([]);
    expect(seen.at(-1)).toMatch(/\d+p · \d+ fps/);
  });

  it('stops the video to a hidden tab within 2 s while its audio flows, and frames resume within 2 s of showing it again', async () => {
    // Another tab in front of Bo's call: his call page is hidden, as in a person's browser.
    const other = await bo.context.newPage();
    await other.goto('about:blank');
    const hidden = Date.now();
    expect(await b.evaluate(() => document.visibilityState)).toBe('hidden');

    // Ada's video bytes to Bo stop growing (two reads 300 ms apart, both after the stop).
    await expect.poll(videoGrowth(a, toBo), { timeout: HIDE_WITHIN_MS, interval: 0 }).toBe(0);
    console.log(`quality e2e: Ada's video bytes to Bo stopped ${Date.now() - hidden} ms after his tab was hidden`);

    // Over the next 1.5 s: no video to Bo, from Ada or from Cy, while audio goes on both ways.
    const [adaBefore, boBefore, framesBefore] = await Promise.all([linkRtp(a, toBo), linkRtp(b, toAda), decodedFrames(b)]);
    await new Promise((r) => setTimeout(r, 1_500));
    const [adaAfter, boAfter, framesAfter] = await Promise.all([linkRtp(a, toBo), linkRtp(b, toAda), decodedFrames(b)]);
    expect(adaAfter.videoOut.bytes - adaBefore.videoOut.bytes).toBe(0);
    expect(adaAfter.videoOut.active).toBe(false);
    // Opus at ~32 kbps is ~6 KB in 1.5 s; everyone here talks without a pause.
    expect(adaAfter.audioOut.bytes - adaBefore.audioOut.bytes).toBeGreaterThan(2_000);
    expect(boAfter.audioIn.bytes - boBefore.audioIn.bytes).toBeGreaterThan(2_000);
    // A frame in flight may still land.
    expect(framesAfter - framesBefore).toBeLessThanOrEqual(2);
    expect((await linkCells(a, 'Bo')).sending).toMatch(/no video$/);
    expect((await linkCells(a, 'Bo')).asked).toBe('not shown');

    await b.bringToFront();
    const shown = Date.now();
    expect(await b.evaluate(() => document.visibilityState)).toBe('visible');
    const stopped = await decodedFrames(b);
    await expect.poll(() => decodedFrames(b), { timeout: RESUME_WITHIN_MS, interval: 50 }).toBeGreaterThan(stopped + 2);
    console.log(`quality e2e: Bo decoding again ${Date.now() - shown} ms after showing his tab`);
    expect((await linkRtp(a, toBo)).videoOut.bytes).toBeGreaterThan(adaAfter.videoOut.bytes);
    expect((await videoFrames(b, 'Ada', 5_000)).framesAdvanced).toBeGreaterThanOrEqual(5);
    expect((await videoFrames(b, 'Cy', 5_000)).framesAdvanced).toBeGreaterThanOrEqual(5);
    await other.close();
  });

  it('keeps within its budget and keeps serving the others while a peer floods it with absurd views', async () => {
    // Cy's page turns hostile: until the test has measured, it sends Ada views as large as the parser takes (asking for
    // everything: more than the budget), odd shapes, out-of-range lies and oversized garbage, as fast as its
    // channel takes them. (A view claiming dropped frames only makes Ada send Cy less: unit-tested.)
    const flood = c.evaluate(
      ({ frags, floodMs }) => {
        const g = globalThis as unknown as { __zingTestChats: Map<RTCPeerConnection, RTCDataChannel> };
        const channel = [...g.__zingTestChats].find(([pc]) => frags.some((f) => pc.remoteDescription?.sdp.includes(f)))?.[1];
        if (channel?.readyState !== 'open') throw new Error('no open chat channel to Ada');
        const size = (w: number, h: number) => ({ width: w, height: h });
        const largest = JSON.stringify({ type: 'view', camera: size(16_384, 16_384), screen: size(16_384, 16_384), dropped: 0 });
        const frames = [
          largest,
          '{"type":"view","camera":{"width":1e308,"height":-1},"screen":null,"dropped":7}',
          largest,
          `{"type":"view","camera":${'['.repeat(1_500)}`,
          largest,
          JSON.stringify({ type: 'view', camera: size(16_384, 1), screen: size(1, 16_384), dropped: 0 }),
        ];
        let sent = 0;
        const end = performance.now() + floodMs;
        const g2 = globalThis as unknown as { __zingStopFlood?: boolean };
        return new Promise<{ sent: number; endedAt: number }>((resolve) => {
          const burst = () => {
            // Until the test has measured (it says so), or floodMs at most.
            if (g2.__zingStopFlood || performance.now() >= end) return resolve({ sent, endedAt: Date.now() });
            for (let i = 0; i < 200 && channel.bufferedAmount < 1_000_000; i++) channel.send(frames[sent++ % frames.length]!);
            setTimeout(burst, 0);
          };
          burst();
        });
      },
      { frags: toAda, floodMs: FLOOD_MS },
    );
    // Meanwhile, Ada's senders as the governor set them (every 100 ms), and her whole upload, RTP headers
    // included, over UPLOAD_WINDOW_MS of the flood once her encoder to Cy sends the lines the flood asks for
    // (on a starved machine it may hold fewer on its own: then from SWITCH_WITHIN_MS on).
    const floodFrom = Date.now();
    let flooding = true;
    const caps: number[] = [];
    const sampling = (async () => {
      while (flooding) {
        caps.push(await capsOf(a));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    let toCyLines = 0;
    while (Date.now() - floodFrom < SWITCH_WITHIN_MS) {
      const { videoOut } = await linkRtp(a, toCy);
      toCyLines = videoOut.frameHeight;
      if (videoOut.askedHeight > 270 && videoOut.frameHeight >= videoOut.askedHeight) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const switchedMs = Date.now() - floodFrom;
    const before = await totalSent(a);
    await new Promise((r) => setTimeout(r, UPLOAD_WINDOW_MS));
    const after = await totalSent(a);
    await c.evaluate(() => {
      (globalThis as unknown as { __zingStopFlood?: boolean }).__zingStopFlood = true;
    });
    const { sent: views, endedAt } = await flood;
    flooding = false;
    await sampling;
    const kbps = ((after.bytes - before.bytes) * 8) / (after.at - before.at);
    const worst = Math.max(...caps);
    console.log(
      `quality e2e: ${views} hostile views from Cy; Ada's encoder to Cy at ${toCyLines} lines ${switchedMs} ms into the flood; her caps summed to at most ${Math.round(worst / 1000)} kbps (${caps.length} reads) and she uploaded ${Math.round(kbps)} kbps, of her ${ADA_BUDGET_KBPS} kbps budget`,
    );
    expect(after.at).toBeLessThan(endedAt); // measured while Cy still flooded
    expect(views).toBeGreaterThan(2_000);
    expect(caps.length).toBeGreaterThanOrEqual(3);
    // The caps she set, with each link's audio reserve, never passed the budget; nor did what she sent.
    expect(worst + 2 * AUDIO_RESERVE_BPS).toBeLessThanOrEqual(ADA_BUDGET_KBPS * 1000);
    expect(kbps).toBeLessThanOrEqual(ADA_BUDGET_KBPS * BUDGET_SLACK);

    // Ada's page still answers, her Stats panel still shows figures, and Bo still gets her video.
    expect(await a.getByRole('status').textContent({ timeout: 2_000 })).toMatch(/Connected/);
    expect((await linkCells(a, 'Bo')).sending).toMatch(/^\d+ kbps/);
    expect((await videoFrames(b, 'Ada', 5_000)).framesAdvanced).toBeGreaterThanOrEqual(5);
    expect((await videoFrames(c, 'Ada', 5_000)).framesAdvanced).toBeGreaterThanOrEqual(5);
  });
  it('offers to turn off video in small tiles when this computer cannot keep up, stops it, and brings it back', async () => {
    // Cy spotlights Ada: Bo's tile goes to the strip. On her 1000×700 window both tiles are shorter than the
    // pause's limit, the spotlight too: what she pinned must keep its video all the same.
    const pin = c.getByRole('group', { name: 'Ada', exact: true }).getByRole('button', { name: 'Pin', exact: true });
    await pin.click();
    const ratio = await c.evaluate(() => devicePixelRatio);
    const heightAtCy = async (name: string) => ((await c.getByRole('group', { name, exact: true }).boundingBox())?.height ?? 0) * ratio;
    await expect.poll(async () => (await heightAtCy('Ada')) / (await heightAtCy('Bo'))).toBeGreaterThan(2);
    expect(await heightAtCy('Bo')).toBeLessThan(PAUSE_BELOW_HEIGHT_PX);
    const boToCy = () => linkRtp(b, toCy);
    // Before the strain: a link a loaded machine is still bringing back after the flood gets time to return.
    await expect.poll(async () => (await boToCy()).videoOut.active, { timeout: 15_000 }).toBe(true);

    // Cy's machine starts to fall behind: the call notices (STRAIN_AFTER_MS of it) and asks her.
    await setStrain(c, true);
    const offered = Date.now();
    const turnOff = c.getByRole('button', { name: 'Turn off small videos', exact: true });
    await turnOff.waitFor({ timeout: STRAIN_AFTER_MS + 8_000 });
    console.log(`quality e2e: Cy was offered to turn off small videos ${Date.now() - offered} ms after her frames started dropping`);
    await turnOff.click();
    await c.getByText('Video is off in small tiles', { exact: false }).waitFor({ timeout: 2_000 });
    await setStrain(c, false);

    // Bo stops sending Cy video (his sender, not only her page), while Ada's spotlight keeps decoding at Cy and
    // his audio goes on. A frame in flight may still go out after the switch: then two reads 300 ms apart, unchanged.
    await expect.poll(async () => (await boToCy()).videoOut.active, { timeout: 3_000 }).toBe(false);
    await expect.poll(videoGrowth(b, toCy), { timeout: 3_000, interval: 0 }).toBe(0);
    const before = await boToCy();
    await new Promise((r) => setTimeout(r, 1_500));
    const after = await boToCy();
    expect(after.videoOut.bytes - before.videoOut.bytes).toBe(0);
    expect(after.audioOut.bytes).toBeGreaterThan(before.audioOut.bytes);
    expect((await videoFrames(c, 'Ada', 5_000)).framesAdvanced).toBeGreaterThanOrEqual(5);
    expect((await linkRtp(a, toCy)).videoOut.active).toBe(true);

    // Back on at her word: Bo sends again and Cy decodes him.
    await c.getByRole('button', { name: 'Turn small videos back on', exact: true }).click();
    await expect.poll(async () => (await boToCy()).videoOut.active, { timeout: 3_000 }).toBe(true);
    expect((await videoFrames(c, 'Bo', 5_000)).framesAdvanced).toBeGreaterThanOrEqual(5);
    expect(await c.getByRole('button', { name: 'Turn off small videos', exact: true }).count()).toBe(0);
    await pin.click();
  });
});
