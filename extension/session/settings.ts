// The shapes kept in extension storage, their defaults and their parsers.
// Pure: storage.ts does the I/O, so these are unit-tested without a browser.

import { isRecord } from '../../protocol/guards.ts';
import { cleanName, cleanReason } from '../../protocol/text.ts';
import { DEFAULT_ASK_ABOVE_BYTES, DEFAULT_MAX_FILE_BYTES, DEFAULT_UPLOAD_BUDGET_KBPS, MAX_RECORDING_BYTES } from './setting-defaults.ts';
import type { DeviceChoice, DeviceKind, DevicePrefs } from './devices.ts';

declare const __ZING_DEFAULT_RELAY_URL__: string;

export interface Profile {
  /** The name the person typed into `Your name`; empty means "pick one for me". */
  name: string;
  /**
   * The name picked for someone whose `Your name` is empty (see guestName):
   * picked once and kept, shown as the box's placeholder and used everywhere,
   * but never put into the box, so what a person types there is their whole name.
   */
  guestName: string;
  micMuted: boolean;
  cameraOff: boolean;
  /** The call page's M, V and Space shortcuts; a person can switch them off (WCAG 2.1.4). */
  singleKeyShortcuts: boolean;
  /** RNNoise on the microphone; off sends the microphone with echo cancellation only (music). */
  noiseSuppression: boolean;
  /** Blur behind the person on the camera, remembered for the next call. */
  blurBackground: boolean;
}

export interface Settings {
  relayUrl: string;
  iceServers: RTCIceServer[];
  /** Total camera upload across all links; the governor splits it (see bandwidth.ts). */
  uploadBudgetKbps: number;
  /** Camera capture height; a weak machine in a big call does better with less. */
  maxVideoHeight: VideoHeight;
  /** Send media only through TURN: hides this machine's addresses from the others, at some cost in latency. */
  relayOnly: boolean;
  /** A file offered by someone in the call that is larger than this waits for a yes (file-consent.ts). */
  askForFilesAboveBytes: number;
  /** A local recording stops before it grows past this (recording-state.ts); tests set it small. */
  maxRecordingBytes: number;
}

export const VIDEO_HEIGHTS = [720, 540, 360, 240] as const;
export type VideoHeight = (typeof VIDEO_HEIGHTS)[number];
/** 100 kbps cannot carry even one small video; 20 Mbps is past any home uplink. */
export const UPLOAD_BUDGET_RANGE_KBPS = { min: 100, max: 20_000 } as const;

export const DEFAULT_PROFILE: Profile = {
  name: '',
  guestName: '',
  micMuted: false,
  cameraOff: false,
  singleKeyShortcuts: true,
  noiseSuppression: true,
  blurBackground: false,
};

export const DEFAULT_ICE_SERVERS: RTCIceServer[] = [{ urls: 'stun:stun.l.google.com:19302' }];

export const defaultSettings = (): Settings => ({
  relayUrl: typeof __ZING_DEFAULT_RELAY_URL__ === 'string' ? __ZING_DEFAULT_RELAY_URL__ : 'http://127.0.0.1:8787',
  iceServers: DEFAULT_ICE_SERVERS,
  uploadBudgetKbps: DEFAULT_UPLOAD_BUDGET_KBPS,
  maxVideoHeight: 720,
  relayOnly: false,
  askForFilesAboveBytes: DEFAULT_ASK_ABOVE_BYTES,
  maxRecordingBytes: MAX_RECORDING_BYTES,
});

/** 64 KiB holds a second of a small recording; more than MAX_RECORDING_BYTES is never allowed. */
export const MIN_RECORDING_BYTES = 64 * 1024;
export const isRecordingLimit = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= MIN_RECORDING_BYTES && v <= MAX_RECORDING_BYTES;

/** Whole bytes, from 0 (ask about every file) to the largest file taken at all (never ask for size). */
export const isAskAboveBytes = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= DEFAULT_MAX_FILE_BYTES;

export const isUploadBudget = (v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= UPLOAD_BUDGET_RANGE_KBPS.min && v <= UPLOAD_BUDGET_RANGE_KBPS.max;

export const isVideoHeight = (v: unknown): v is VideoHeight => (VIDEO_HEIGHTS as readonly unknown[]).includes(v);

export function parseProfile(v: unknown): Profile {
  if (!isRecord(v)) return { ...DEFAULT_PROFILE };
  let name = cleanName(v.name);
  let guest = isGuestName(v.guestName) ? v.guestName : '';
  // Zing used to save the picked guest name as the name itself, so the box came
  // prefilled and whatever was typed landed after it; such a name moves back
  // to where it belongs.
  if (guest === '' && isGuestName(name)) [name, guest] = ['', name];
  return {
    name,
    guestName: guest,
    micMuted: v.micMuted === true,
    cameraOff: v.cameraOff === true,
    // On unless switched off: profiles saved before the switch existed keep the shortcuts.
    singleKeyShortcuts: v.singleKeyShortcuts !== false,
    // On unless switched off, like the shortcuts; blur only where it was switched on.
    noiseSuppression: v.noiseSuppression !== false,
    blurBackground: v.blurBackground === true,
  };
}

export function isRelayUrl(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  try {
    const url = new URL(v);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.pathname === '/' && !url.search && !url.hash;
  } catch {
    return false;
  }
}

export type IceServersResult = { ok: true; servers: RTCIceServer[] } | { ok: false; reason: string };

const ICE_URL = /^(stun|stuns|turn|turns):[^\s]+$/;

/** Validates ICE servers as typed in the options page (JSON) or read back from storage. */
export function parseIceServers(v: unknown): IceServersResult {
  if (!Array.isArray(v)) return { ok: false, reason: 'ICE servers must be a JSON list, e.g. [{"urls":"stun:stun.example:3478"}]' };
  const servers: RTCIceServer[] = [];
  for (const [i, s] of v.entries()) {
    if (!isRecord(s)) return { ok: false, reason: `entry ${i + 1} is not an object` };
    const urls = typeof s.urls === 'string' ? [s.urls] : s.urls;
    if (!Array.isArray(urls) || urls.length === 0 || !urls.every((u) => typeof u === 'string' && ICE_URL.test(u))) {
      return { ok: false, reason: `entry ${i + 1} needs "urls" starting with stun:, stuns:, turn: or turns:` };
    }
    // Browsers refuse a TURN server without credentials when the call starts; refuse it here, in words.
    if (urls.some((u) => /^turns?:/.test(u)) && (typeof s.username !== 'string' || typeof s.credential !== 'string')) {
      return { ok: false, reason: `entry ${i + 1} is a TURN server: it needs "username" and "credential"` };
    }
    const server: RTCIceServer = { urls: s.urls as string | string[] }; // checked just above
    if (typeof s.username === 'string') server.username = s.username;
    if (typeof s.credential === 'string') server.credential = s.credential;
    servers.push(server);
  }
  return { ok: true, servers };
}

export function parseSettings(v: unknown): Settings {
  const defaults = defaultSettings();
  if (!isRecord(v)) return defaults;
  const ice = parseIceServers(v.iceServers);
  return {
    relayUrl: isRelayUrl(v.relayUrl) ? v.relayUrl : defaults.relayUrl,
    iceServers: ice.ok ? ice.servers : defaults.iceServers,
    uploadBudgetKbps: isUploadBudget(v.uploadBudgetKbps) ? v.uploadBudgetKbps : defaults.uploadBudgetKbps,
    maxVideoHeight: isVideoHeight(v.maxVideoHeight) ? v.maxVideoHeight : defaults.maxVideoHeight,
    relayOnly: v.relayOnly === true,
    // `+ 0` reads a -0 (a structured clone keeps one, JSON does not) as 0: the same settings either way.
    askForFilesAboveBytes: isAskAboveBytes(v.askForFilesAboveBytes) ? v.askForFilesAboveBytes + 0 : defaults.askForFilesAboveBytes,
    maxRecordingBytes: isRecordingLimit(v.maxRecordingBytes) ? v.maxRecordingBytes : defaults.maxRecordingBytes,
  };
}

/** What the product calls someone who left `Your name` empty. */
export function guestName(random: () => number = Math.random): string {
  return `Guest ${1000 + Math.floor(random() * 9000)}`;
}

const GUEST_NAME = /^Guest [1-9]\d{3}$/;
/** A name guestName() could have picked. */
export const isGuestName = (v: unknown): v is string => typeof v === 'string' && GUEST_NAME.test(v);

/** The name the others see: the typed one, else the picked guest name. */
export const displayName = (profile: Pick<Profile, 'name' | 'guestName'>): string => profile.name || profile.guestName || 'Guest';

/** Longest device id kept: Chromium's are 64 hex digits, Firefox's 44 base64 characters; anything far longer is not one. */
export const MAX_DEVICE_ID_LENGTH = 256;

function parseDeviceChoice(v: unknown): DeviceChoice | undefined {
  if (!isRecord(v) || typeof v.id !== 'string' || v.id === '' || v.id.length > MAX_DEVICE_ID_LENGTH) return undefined;
  // A label is only compared, never trusted: the same cleaning as a name keeps it short and printable.
  return { id: v.id, label: typeof v.label === 'string' ? cleanReason(v.label).trim() : '' };
}

// Spelled out, not devices.ts's DEVICE_KINDS: the popup shares this module, and
// importing a value would put all of devices.ts into the popup's bundle.
const STORED_DEVICE_KINDS: readonly DeviceKind[] = ['camera', 'microphone', 'speaker'];

/** The remembered camera, microphone and speaker; a damaged entry is forgotten (the default stands in). */
export function parseDevicePrefs(v: unknown): DevicePrefs {
  const prefs: DevicePrefs = {};
  if (!isRecord(v)) return prefs;
  for (const kind of STORED_DEVICE_KINDS) {
    const choice = parseDeviceChoice(v[kind]);
    if (choice) prefs[kind] = choice;
  }
  return prefs;
}
