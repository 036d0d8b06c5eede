import { describe, expect, it } from 'vitest';
import {
  AUDIO_RESERVE_BPS,
  DEFAULT_UPLOAD_BUDGET_KBPS,
  MAX_LINK_VIDEO_BPS,
  MIN_LINK_VIDEO_BPS,
  SCREEN_SHARE_OF_VIDEO,
  linkEncodingsFor,
  linkVideoBitrate,
  targetHeight,
  videoEncodingFor,
  CPU_FRAMERATE_CAP,
  CPU_HEIGHT_CAP,
} from '../../../../extension/session/bandwidth.ts';

const BUDGET = DEFAULT_UPLOAD_BUDGET_KBPS * 1000;
/** Budgets from a thin uplink to a fast one, with room for every link's floor at 7 links. */
const ROOMY_BUDGETS = [1_000_000, 1_200_000, BUDGET, 4_000_000, 8_000_000, 20_000_000];
const LINKS = [1, 2, 3, 4, 5, 6, 7];

describe('linkVideoBitrate', () => {
  it('reserves audio on every link first and splits the rest evenly', () => {
    expect(linkVideoBitrate(4, BUDGET)).toBe((BUDGET - 4 * AUDIO_RESERVE_BPS) / 4);
    expect(linkVideoBitrate(7, BUDGET)).toBe(Math.floor((BUDGET - 7 * AUDIO_RESERVE_BPS) / 7));
  });

  it('caps a lone link at MAX_LINK_VIDEO_BPS however large the budget', () => {
    expect(linkVideoBitrate(1, BUDGET)).toBe(MAX_LINK_VIDEO_BPS);
    expect(linkVideoBitrate(2, 20_000_000)).toBe(MAX_LINK_VIDEO_BPS);
  });

  it('never goes below MIN_LINK_VIDEO_BPS, even when the budget cannot pay for it', () => {
    expect(linkVideoBitrate(3, 200_000)).toBe(MIN_LINK_VIDEO_BPS);
    expect(linkVideoBitrate(7, 100_000)).toBe(MIN_LINK_VIDEO_BPS);
  });

  it('keeps audio plus video of all links within the budget wherever the floor is not reached', () => {
    for (const budget of ROOMY_BUDGETS) {
      for (const links of LINKS) {
        const video = linkVideoBitrate(links, budget);
        expect(video).toBeGreaterThan(MIN_LINK_VIDEO_BPS);
        expect(links * (video + AUDIO_RESERVE_BPS)).toBeLessThanOrEqual(budget);
      }
    }
  });

  it('gives each link less as the room grows', () => {
    const rates = LINKS.map((n) => linkVideoBitrate(n, BUDGET));
    for (let i = 1; i < rates.length; i++) expect(rates[i]).toBeLessThanOrEqual(rates[i - 1]!);
    expect(rates.at(-1)).toBeLessThan(rates[0]!);
  });

  it('returns whole bits per second', () => {
    for (const links of LINKS) expect(Number.isInteger(linkVideoBitrate(links, 2_345_678))).toBe(true);
  });

  it('allows a full link when there is no one to send to', () => {
    expect(linkVideoBitrate(0, BUDGET)).toBe(MAX_LINK_VIDEO_BPS);
  });
});

describe('targetHeight', () => {
  it.each([
    [1_500_000, 720],
    [1_000_000, 720],
    [999_999, 540],
    [500_000, 540],
    [499_999, 360],
    [250_000, 360],
    [249_999, 240],
    [120_000, 240],
    [119_999, 180],
    [MIN_LINK_VIDEO_BPS, 180],
    [0, 180],
  ])('carries %i bps at %ip', (bps, height) => {
    expect(targetHeight(bps)).toBe(height);
  });
});

describe('videoEncodingFor', () => {
  it('walks down the ladder as links are added to a 720p camera', () => {
    const heights = LINKS.map((n) => 720 / videoEncodingFor(n, BUDGET, 720).scaleResolutionDownBy);
    // 1 link: 1.5 Mbps → 720p; 2: 1.21 Mbps → 720p; 3: 793 kbps → 540p; 4: 585 kbps → 540p;
    // 5–7 would carry 360p by bitrate, but CPU caps a mesh of 6+ people at 180p.
    expect(heights.map(Math.round)).toEqual([720, 720, 540, 540, 180, 180, 180]);
  });

  it('never upscales: a 240p camera stays at 240p on a fat link', () => {
    for (const links of LINKS.filter((n) => n < CPU_HEIGHT_CAP.fromLinks)) {
      expect(videoEncodingFor(links, 20_000_000, 240).scaleResolutionDownBy).toBe(1);
    }
    expect(videoEncodingFor(4, 20_000_000, 120).scaleResolutionDownBy).toBe(1);
    expect(videoEncodingFor(1, BUDGET, 360).scaleResolutionDownBy).toBe(1);
  });

  it('scales a 240p camera down to 180p once a link gets under 120 kbps', () => {
    // (400 − 3×40) / 3 ≈ 93 kbps a link: the thin uplink of the group e2e test.
    const enc = videoEncodingFor(3, 400_000, 240);
    expect(enc.maxBitrate).toBe(93_333);
    expect(enc.scaleResolutionDownBy).toBeCloseTo(240 / 180, 9);
  });

  it('drops to 15 fps under 150 kbps and keeps 30 fps above, for one or two links', () => {
    expect(videoEncodingFor(2, 300_000, 240).maxFramerate).toBe(15);
    expect(videoEncodingFor(2, BUDGET, 720).maxFramerate).toBe(30);
    expect(videoEncodingFor(1, 190_000, 720).maxFramerate).toBe(30); // exactly 150 kbps
  });

  it('caps frame rate from 3 links and height from 5, where CPU runs out before bandwidth', () => {
    expect(videoEncodingFor(CPU_FRAMERATE_CAP.fromLinks - 1, BUDGET, 720).maxFramerate).toBe(30);
    expect(videoEncodingFor(CPU_FRAMERATE_CAP.fromLinks, BUDGET, 720).maxFramerate).toBe(CPU_FRAMERATE_CAP.fps);
    expect(720 / videoEncodingFor(CPU_HEIGHT_CAP.fromLinks - 1, 20_000_000, 720).scaleResolutionDownBy).toBe(720);
    expect(720 / videoEncodingFor(CPU_HEIGHT_CAP.fromLinks, 20_000_000, 720).scaleResolutionDownBy).toBe(CPU_HEIGHT_CAP.height);
  });

  it('uses the governed bitrate as its cap', () => {
    for (const links of LINKS) expect(videoEncodingFor(links, BUDGET, 720).maxBitrate).toBe(linkVideoBitrate(links, BUDGET));
  });
});

describe('linkEncodingsFor', () => {
  it('sends no screen cap and the plain camera encoding while nobody shares', () => {
    const enc = linkEncodingsFor(4, BUDGET, 720, false);
    expect(enc.screen).toBeUndefined();
    expect(enc.camera).toEqual(videoEncodingFor(4, BUDGET, 720));
  });

  it('gives the screen the larger share of each link while sharing', () => {
    for (const links of LINKS) {
      const { camera, screen } = linkEncodingsFor(links, BUDGET, 720, true);
      expect(screen).toBeDefined();
      expect(screen!.maxBitrate).toBe(Math.round(linkVideoBitrate(links, BUDGET) * SCREEN_SHARE_OF_VIDEO));
      expect(screen!.maxBitrate).toBeGreaterThan(camera.maxBitrate);
    }
  });

  it('keeps audio, camera and screen of all links within the budget while sharing', () => {
    for (const budget of ROOMY_BUDGETS) {
      for (const links of LINKS) {
        const { camera, screen } = linkEncodingsFor(links, budget, 720, true);
        // Both stay above their floor here, so the budget binds.
        if (screen!.maxBitrate <= MIN_LINK_VIDEO_BPS || camera.maxBitrate <= MIN_LINK_VIDEO_BPS) continue;
        expect(links * (AUDIO_RESERVE_BPS + camera.maxBitrate + screen!.maxBitrate)).toBeLessThanOrEqual(budget);
      }
    }
  });

  it('checks the budget in at least most cases (the floors do not skip them all)', () => {
    let checked = 0;
    for (const budget of ROOMY_BUDGETS) {
      for (const links of LINKS) {
        const { camera, screen } = linkEncodingsFor(links, budget, 720, true);
        if (screen!.maxBitrate > MIN_LINK_VIDEO_BPS && camera.maxBitrate > MIN_LINK_VIDEO_BPS) checked += 1;
      }
    }
    expect(checked).toBeGreaterThan((ROOMY_BUDGETS.length * LINKS.length) / 2);
  });

  it('shrinks the camera to a lower rung while a screen is shared', () => {
    const plain = linkEncodingsFor(2, BUDGET, 720, false).camera;
    const sharing = linkEncodingsFor(2, BUDGET, 720, true).camera;
    expect(sharing.maxBitrate).toBeLessThan(plain.maxBitrate);
    expect(sharing.scaleResolutionDownBy).toBeGreaterThan(plain.scaleResolutionDownBy);
  });

  it('holds both floors on a thin uplink rather than starving either', () => {
    const { camera, screen } = linkEncodingsFor(7, 300_000, 720, true);
    expect(camera.maxBitrate).toBe(MIN_LINK_VIDEO_BPS);
    expect(screen!.maxBitrate).toBe(MIN_LINK_VIDEO_BPS);
  });
});
