// Where the others' voices play: which output device, where the browser lets
// a page choose. Chromium lists the outputs and plays to any of them
// (HTMLMediaElement.setSinkId); Firefox plays to one only after the person
// picked it in the browser's own chooser (MediaDevices.selectAudioOutput).
import type { DeviceChoice } from './devices.ts';

/** How this browser lets a page choose the speaker: not at all, from a list, or only through its own chooser. */
export type SpeakerSupport = 'none' | 'list' | 'chooser';

interface AudioOutputChooser {
  selectAudioOutput?: (options?: { deviceId?: string }) => Promise<MediaDeviceInfo>;
}

export function speakerSupport(): SpeakerSupport {
  if (typeof HTMLMediaElement === 'undefined' || !('setSinkId' in HTMLMediaElement.prototype)) return 'none';
  // Firefox has both; its enumerateDevices lists only outputs already picked in its chooser.
  const media = globalThis.navigator?.mediaDevices as (MediaDevices & AudioOutputChooser) | undefined; // selectAudioOutput is newer than lib.dom
  return typeof media?.selectAudioOutput === 'function' ? 'chooser' : 'list';
}

/** Opens the browser's speaker chooser (Firefox); undefined where the person closed it. Needs a click just before. */
export async function chooseSpeaker(): Promise<DeviceChoice | undefined> {
  const media = globalThis.navigator?.mediaDevices as (MediaDevices & AudioOutputChooser) | undefined; // as above
  if (typeof media?.selectAudioOutput !== 'function') return undefined;
  try {
    const device = await media.selectAudioOutput();
    return { id: device.deviceId, label: device.label };
  } catch (err) {
    if (!(err instanceof DOMException && err.name === 'NotAllowedError')) console.warn('zing: the speaker chooser failed', err);
    return undefined;
  }
}

/**
 * Plays `el` on the speaker `id` ('' is the default). A speaker that is gone,
 * or that Firefox was not allowed to use in this page, leaves the element on
 * the default; resolves whether it worked.
 */
export async function playOn(el: HTMLMediaElement, id: string): Promise<boolean> {
  if (!('setSinkId' in el) || el.sinkId === id) return true;
  try {
    await el.setSinkId(id);
    return true;
  } catch (err) {
    console.warn(`zing: could not play on speaker ${id}`, err);
    if (id !== '') await el.setSinkId('').catch((again: unknown) => console.warn('zing: could not go back to the default speaker', again));
    return false;
  }
}
