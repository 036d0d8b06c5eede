import { describe, expect, it } from 'vitest';
import { DeviceList, type DeviceSource } from '../../../../extension/session/device-list.ts';
import type { Device } from '../../../../extension/session/devices.ts';

/** navigator.mediaDevices without devices of its own: the test says what is plugged in and fires devicechange. */
class FakeDevices implements DeviceSource {
  infos: Pick<MediaDeviceInfo, 'kind' | 'deviceId' | 'label'>[] = [];
  reads = 0;
  readonly #listeners = new Set<() => void>();

  async enumerateDevices(): Promise<MediaDeviceInfo[]> {
    this.reads += 1;
    return this.infos.map((i) => ({ ...i, groupId: '', toJSON: () => i }));
  }

  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null): void {
    if (type === 'devicechange' && typeof listener === 'function') this.#listeners.add(() => listener(new Event(type)));
  }

  removeEventListener(): void {
    this.#listeners.clear();
  }

  plug(info: Pick<MediaDeviceInfo, 'kind' | 'deviceId' | 'label'>): void {
    this.infos.push(info);
    for (const l of this.#listeners) l();
  }

  get listening(): number {
    return this.#listeners.size;
  }
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('DeviceList', () => {
  it('lists the devices present when it starts', async () => {
    const source = new FakeDevices();
    source.infos = [{ kind: 'videoinput', deviceId: 'c1', label: 'Webcam' }];
    const list = new DeviceList(source);
    await list.refresh();
    expect(list.devices).toEqual([{ kind: 'camera', id: 'c1', label: 'Webcam' }]);
  });

  it('tells its listeners when a device is plugged in', async () => {
    const source = new FakeDevices();
    const list = new DeviceList(source);
    await list.refresh();
    const seen: (readonly Device[])[] = [];
    list.on('changed', (d) => seen.push(d));
    source.plug({ kind: 'audioinput', deviceId: 'm2', label: 'Headset' });
    await settle();
    await list.refresh();
    expect(seen).toEqual([[{ kind: 'microphone', id: 'm2', label: 'Headset' }]]);
  });

  it('stays quiet when a read finds the same devices', async () => {
    const source = new FakeDevices();
    source.infos = [{ kind: 'videoinput', deviceId: 'c1', label: 'Webcam' }];
    const list = new DeviceList(source);
    await list.refresh();
    let changes = 0;
    list.on('changed', () => changes++);
    await list.refresh();
    expect(changes).toBe(0);
  });

  it('stops listening once closed, and is safe to close twice', async () => {
    const source = new FakeDevices();
    const list = new DeviceList(source);
    expect(source.listening).toBe(1);
    list.close();
    list.close();
    expect(source.listening).toBe(0);
    const reads = source.reads;
    await list.refresh();
    expect(source.reads).toBe(reads);
  });

  it('lists nothing where the browser has no media devices at all', async () => {
    const list = new DeviceList(undefined);
    await list.refresh();
    expect(list.devices).toEqual([]);
  });
});
