import { describe, expect, it } from 'vitest';
import type { Device, DeviceChoice, DeviceKind } from '../../../../extension/session/devices.ts';
import { ZingError } from '../../../../extension/session/errors.ts';
import { PreJoinSetup, type PreJoinDeps } from '../../../../extension/session/pre-join.ts';
import { FakeMedia } from './call-fakes.ts';

interface Harness {
  setup: PreJoinSetup<FakeMedia>;
  made: FakeMedia[];
  toggles: { micMuted?: boolean; cameraOff?: boolean }[];
  devices: [DeviceKind, DeviceChoice | undefined][];
}

function harness(overrides: Partial<PreJoinDeps<FakeMedia>> = {}, present: Device[] = []): Harness {
  const made: FakeMedia[] = [];
  const toggles: Harness['toggles'] = [];
  const devices: Harness['devices'] = [];
  const setup = new PreJoinSetup<FakeMedia>({
    micMuted: false,
    cameraOff: false,
    devices: {},
    deviceList: { devices: present, ready: Promise.resolve(), refresh: () => Promise.resolve() },
    createMedia: () => {
      const media = new FakeMedia();
      made.push(media);
      return media;
    },
    saveToggles: async (patch) => {
      toggles.push(patch);
    },
    saveDevice: async (kind, choice) => {
      devices.push([kind, choice]);
    },
    ...overrides,
  });
  return { setup, made, toggles, devices };
}

const cameras: Device[] = [
  { kind: 'camera', id: 'cam1', label: 'Webcam' },
  { kind: 'camera', id: 'cam2', label: 'USB camera' },
];

describe('PreJoinSetup', () => {
  it('opens no camera or microphone until the person asks for a preview', async () => {
    const { setup, made } = harness();
    setup.setMicMuted(true);
    await setup.setCameraOff(true);
    await setup.setCameraOff(false);
    await setup.useDevice('camera', 'cam2');
    expect(made).toEqual([]);
    expect(setup.state.previewing).toBe(false);
  });

  it('opens the remembered devices for the preview, muted or with the camera off as set', async () => {
    const { setup, made } = harness({ micMuted: true, devices: { camera: { id: 'cam2', label: 'USB camera' } } }, cameras);
    await setup.showPreview();
    expect(made).toHaveLength(1);
    expect(made[0]?.started).toMatchObject({ micMuted: true, cameraOff: false, camera: 'cam2', microphone: undefined });
    expect(setup.state).toMatchObject({ previewing: true, micMuted: true, camera: 'cam2' });
  });

  it('opens the preview once, however often it is asked for', async () => {
    const { setup, made } = harness();
    await Promise.all([setup.showPreview(), setup.showPreview()]);
    expect(made).toHaveLength(1);
  });

  it('names a remembered camera that is not plugged in and previews the default', async () => {
    const { setup, made } = harness({ devices: { camera: { id: 'cam9', label: 'Old camera' } } }, cameras);
    await setup.showPreview();
    expect(made[0]?.started?.camera).toBeUndefined();
    expect(setup.state.alert).toMatchObject({ code: 'DEVICE_MISSING', message: 'Old camera' });
  });

  it('says why the preview failed', async () => {
    const media = new FakeMedia();
    media.startError = new ZingError('CAMERA_DENIED', 'denied');
    const { setup } = harness({ createMedia: () => media });
    await setup.showPreview();
    expect(setup.state.alert?.code).toBe('CAMERA_DENIED');
  });

  it('switches the previewed camera and remembers the choice', async () => {
    const { setup, made, devices } = harness({}, cameras);
    await setup.showPreview();
    await setup.useDevice('camera', 'cam2');
    expect(made[0]?.deviceId('camera')).toBe('cam2');
    expect(setup.state.camera).toBe('cam2');
    expect(devices).toEqual([['camera', { id: 'cam2', label: 'USB camera' }]]);
  });

  it('remembers a device picked before any preview, and forgets it when Default is picked', async () => {
    const { setup, devices } = harness({}, cameras);
    await setup.useDevice('microphone', 'mic2');
    expect(setup.state.microphone).toBe('mic2');
    await setup.useDevice('microphone', '');
    expect(setup.state.microphone).toBeUndefined();
    expect(devices).toEqual([
      ['microphone', { id: 'mic2', label: '' }],
      ['microphone', undefined],
    ]);
  });

  it('keeps the toggles for the next call', async () => {
    const { setup, toggles } = harness();
    setup.setMicMuted(true);
    await setup.setCameraOff(true);
    expect(toggles).toEqual([{ micMuted: true }, { cameraOff: true }]);
  });

  it('hands the open preview to the call with what was set, and no longer owns it', async () => {
    const { setup, made } = harness({}, cameras);
    await setup.showPreview();
    setup.setMicMuted(true);
    await setup.useDevice('camera', 'cam2');
    const joined = setup.join();
    expect(joined).toMatchObject({ micMuted: true, cameraOff: false, devices: { camera: { id: 'cam2', label: 'USB camera' } } });
    expect(joined.media).toBe(made[0]);
    setup.close();
    expect(made[0]?.stops).toBe(0);
  });

  it('joins without media where no preview was asked for', () => {
    const { setup } = harness();
    expect(setup.join().media).toBeUndefined();
  });

  it('closes the preview when the page goes away without joining, and is safe to close twice', async () => {
    const { setup, made } = harness();
    await setup.showPreview();
    setup.close();
    setup.close();
    expect(made[0]?.stops).toBe(1);
  });
});
