// LocalMedia against a getUserMedia whose answers the test gives, one by one:
// a permission prompt or a slow camera takes seconds, and the person goes on
// clicking meanwhile. Whatever opens late must not stay open against what they
// asked for last (a camera light on under a tile that says Camera off).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalMedia } from '../../../../extension/session/local-media.ts';

/** A device's track: only what LocalMedia touches. */
class FakeTrack extends EventTarget {
  readyState: 'live' | 'ended' = 'live';
  enabled = true;
  constructor(
    readonly kind: 'audio' | 'video',
    readonly deviceId: string,
  ) {
    super();
  }
  get label(): string {
    return this.deviceId;
  }
  getSettings(): MediaTrackSettings {
    return { deviceId: this.deviceId, height: 240 };
  }
  stop(): void {
    this.readyState = 'ended';
  }
}

class FakeStream {
  readonly #tracks: FakeTrack[];
  constructor(tracks: FakeTrack[] = []) {
    this.#tracks = [...tracks];
  }
  getTracks(): FakeTrack[] {
    return [...this.#tracks];
  }
  addTrack(track: FakeTrack): void {
    this.#tracks.push(track);
  }
  removeTrack(track: FakeTrack): void {
    this.#tracks.splice(this.#tracks.indexOf(track), 1);
  }
}

/** One getUserMedia call, answered when the test says. */
interface Ask {
  constraints: MediaStreamConstraints;
  open(): FakeStream;
}

let asks: Ask[];
let opened: FakeTrack[];

beforeEach(() => {
  asks = [];
  opened = [];
  vi.stubGlobal('MediaStream', FakeStream);
  vi.stubGlobal('navigator', {
    mediaDevices: {
      getUserMedia: (constraints: MediaStreamConstraints) =>
        new Promise<FakeStream>((resolve) => {
          const deviceOf = (c: boolean | MediaTrackConstraints | undefined, fallback: string) => {
            const exact =
              typeof c === 'object' && typeof c.deviceId === 'object' && !Array.isArray(c.deviceId) ? c.deviceId.exact : undefined;
            return typeof exact === 'string' ? exact : fallback;
          };
          asks.push({
            constraints,
            open: () => {
              const tracks: FakeTrack[] = [];
              if (constraints.audio) tracks.push(new FakeTrack('audio', deviceOf(constraints.audio, 'default-mic')));
              if (constraints.video) tracks.push(new FakeTrack('video', deviceOf(constraints.video, 'default-cam')));
              opened.push(...tracks);
              const stream = new FakeStream(tracks);
              resolve(stream);
              return stream;
            },
          });
        }),
    },
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

/** Until the `n`th getUserMedia call has been made. */
const asked = (n: number) => vi.waitFor(() => expect(asks.length).toBeGreaterThanOrEqual(n), { timeout: 1_000, interval: 1 });
const live = () => opened.filter((t) => t.readyState === 'live').map((t) => `${t.kind}:${t.deviceId}`);

/** A LocalMedia started with the camera on, the browser having opened both at once. */
async function started(): Promise<LocalMedia> {
  const media = new LocalMedia();
  const starting = media.start({ micMuted: false, cameraOff: false });
  await asked(1);
  asks[0]?.open();
  await starting;
  return media;
}

describe('LocalMedia while the browser is still opening a device', () => {
  it('stops a camera that opens after the person turned it off at the permission prompt', async () => {
    const media = new LocalMedia();
    const starting = media.start({ micMuted: false, cameraOff: false });
    await asked(1);
    await media.setCameraOff(true); // clicked while the prompt was up
    asks[0]?.open(); // then Allow
    expect(await starting).toBeUndefined();
    expect(media.video).toBeNull();
    expect(live()).toEqual(['audio:default-mic']); // the microphone was asked for too, and is kept
    expect(media.preview.getTracks().map((t) => t.kind)).toEqual(['audio']);
  });

  it('stops a camera picked in Settings that opens after the camera was turned off', async () => {
    const media = await started();
    const switching = media.useDevice('camera', 'cam2');
    await asked(2);
    await media.setCameraOff(true);
    asks[1]?.open();
    expect(await switching).toBe(false);
    expect(media.video).toBeNull();
    expect(live()).toEqual(['audio:default-mic']);
  });

  it('keeps the camera picked last when an earlier pick opens after it, and stops the earlier one', async () => {
    const media = await started();
    const toA = media.useDevice('camera', 'camA');
    await asked(2);
    const toB = media.useDevice('camera', 'camB');
    await asked(3);
    asks[2]?.open(); // B first
    expect(await toB).toBe(true);
    asks[1]?.open(); // then A, late
    expect(await toA).toBe(false);
    expect(media.deviceId('camera')).toBe('camB');
    expect(live()).toEqual(['audio:default-mic', 'video:camB']);
  });

  it('stops a camera turned back on that opens after it was turned off again', async () => {
    const media = new LocalMedia();
    await Promise.all([media.start({ micMuted: false, cameraOff: true }), asked(1).then(() => asks[0]?.open())]);
    const on = media.setCameraOff(false);
    await asked(2);
    await media.setCameraOff(true);
    asks[1]?.open();
    await on;
    expect(media.video).toBeNull();
    expect(live()).toEqual(['audio:default-mic']);
  });

  it('stops everything that opens after stop()', async () => {
    const media = new LocalMedia();
    const starting = media.start({ micMuted: false, cameraOff: false });
    await asked(1);
    media.stop();
    asks[0]?.open();
    await starting;
    expect(live()).toEqual([]);
    await media.setCameraOff(false); // a shortcut arriving after the call ended opens nothing
    expect(asks).toHaveLength(1);
  });
});
