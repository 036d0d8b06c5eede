import { describe, expect, it } from 'vitest';
import {
  choiceFor,
  deviceIdOf,
  deviceOptions,
  devicesOf,
  resolveDevice,
  selectedOption,
  type Device,
} from '../../../../extension/session/devices.ts';

const camera = (id: string, label = `Cam ${id}`): Device => ({ kind: 'camera', id, label });
const mic = (id: string, label = `Mic ${id}`): Device => ({ kind: 'microphone', id, label });
const info = (kind: MediaDeviceKind, deviceId: string, label = '') => ({ kind, deviceId, label });

describe('devicesOf', () => {
  it('keeps cameras, microphones and speakers in the browser’s order', () => {
    expect(
      devicesOf([info('audioinput', 'm1', 'Headset'), info('videoinput', 'c1', 'Webcam'), info('audiooutput', 's1', 'Speakers')]),
    ).toEqual([
      { kind: 'microphone', id: 'm1', label: 'Headset' },
      { kind: 'camera', id: 'c1', label: 'Webcam' },
      { kind: 'speaker', id: 's1', label: 'Speakers' },
    ]);
  });

  it('leaves out Chromium’s default and communications aliases, which are not devices of their own', () => {
    expect(
      devicesOf([info('audioinput', 'default', 'Default - Headset'), info('audioinput', 'communications'), info('audioinput', 'm1')]),
    ).toEqual([mic('m1', '')]);
  });

  it('lists nothing to choose before permission, when the browser gives no ids', () => {
    expect(devicesOf([info('videoinput', ''), info('audioinput', '')])).toEqual([]);
  });

  it('lists a device the browser repeats only once', () => {
    expect(devicesOf([info('videoinput', 'c1', 'A'), info('videoinput', 'c1', 'A')])).toEqual([camera('c1', 'A')]);
  });
});

describe('resolveDevice', () => {
  it('opens the default where nothing was chosen, even once other devices appear', () => {
    expect(resolveDevice('camera', undefined, [camera('c1'), camera('c2')])).toEqual({ use: 'default' });
  });

  it('opens the remembered device where it is plugged in', () => {
    expect(resolveDevice('camera', { id: 'c2', label: 'Cam c2' }, [camera('c1'), camera('c2')])).toEqual({ use: 'chosen', id: 'c2' });
  });

  it('falls back to the default and says which device is gone when the remembered one is not there', () => {
    const resolution = resolveDevice('camera', { id: 'c9', label: 'USB camera' }, [camera('c1')]);
    expect(resolution).toEqual({ use: 'gone', label: 'USB camera' });
    expect(deviceIdOf(resolution)).toBeUndefined();
  });

  it('keeps the remembered device when a new one appears', () => {
    const choice = { id: 'c1', label: 'Cam c1' };
    expect(resolveDevice('camera', choice, [camera('c1')])).toEqual({ use: 'chosen', id: 'c1' });
    expect(resolveDevice('camera', choice, [camera('c1'), camera('c2', 'New camera')])).toEqual({ use: 'chosen', id: 'c1' });
  });

  it('uses the remembered device again once it is plugged back in', () => {
    const choice = { id: 'c2', label: 'USB camera' };
    expect(resolveDevice('camera', choice, [camera('c1')]).use).toBe('gone');
    expect(resolveDevice('camera', choice, [camera('c1'), camera('c2', 'USB camera')])).toEqual({ use: 'chosen', id: 'c2' });
  });

  it('finds the remembered device by its label where the browser gave it a new id', () => {
    expect(resolveDevice('camera', { id: 'old', label: 'USB camera' }, [camera('c1'), camera('new', 'USB camera')])).toEqual({
      use: 'chosen',
      id: 'new',
    });
  });

  it('never matches an empty label to a device without one', () => {
    expect(resolveDevice('camera', { id: 'old', label: '' }, [camera('c1', '')]).use).toBe('gone');
  });

  it('tries the remembered id as it is before permission, when no device of that kind has an id', () => {
    expect(resolveDevice('camera', { id: 'c2', label: 'USB camera' }, [mic('m1')])).toEqual({ use: 'chosen', id: 'c2' });
  });

  it('looks only at devices of the kind asked for', () => {
    expect(resolveDevice('microphone', { id: 'x', label: 'X' }, [camera('x', 'X'), mic('m1')]).use).toBe('gone');
  });
});

describe('deviceOptions', () => {
  it('offers Default first, then each device of the kind by its label', () => {
    expect(deviceOptions('camera', [camera('c1', 'Webcam'), mic('m1'), camera('c2', 'USB camera')])).toEqual([
      { value: '', label: 'Default' },
      { value: 'c1', label: 'Webcam' },
      { value: 'c2', label: 'USB camera' },
    ]);
  });

  it('lists a newly plugged device', () => {
    const before = deviceOptions('microphone', [mic('m1')]);
    const after = deviceOptions('microphone', [mic('m1'), mic('m2', 'Headset')]);
    expect(after).toEqual([...before, { value: 'm2', label: 'Headset' }]);
  });

  it('names a device the browser gives no label by its kind and place', () => {
    expect(deviceOptions('speaker', [{ kind: 'speaker', id: 's1', label: '' }])[1]).toEqual({ value: 's1', label: 'Speaker 1' });
  });

  it('keeps the device in use in the list where the browser no longer lists it', () => {
    expect(deviceOptions('camera', [camera('c1')], camera('c9', 'Old camera')).map((o) => o.value)).toEqual(['', 'c1', 'c9']);
  });
});

describe('selectedOption', () => {
  const options = deviceOptions('microphone', [mic('m1'), mic('m2')]);

  it('selects the device in use', () => {
    expect(selectedOption(options, 'm2')).toBe('m2');
  });

  it('selects Default for Chromium’s default alias, an unknown device, or none', () => {
    expect(selectedOption(options, 'default')).toBe('');
    expect(selectedOption(options, 'm9')).toBe('');
    expect(selectedOption(options, undefined)).toBe('');
  });
});

describe('choiceFor', () => {
  it('remembers a picked device with its label', () => {
    expect(choiceFor('camera', 'c2', [camera('c1'), camera('c2', 'USB camera')])).toEqual({ id: 'c2', label: 'USB camera' });
  });

  it('remembers nothing for Default', () => {
    expect(choiceFor('camera', '', [camera('c1')])).toBeUndefined();
  });
});
