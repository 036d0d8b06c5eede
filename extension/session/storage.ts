// Typed extension storage: the only module that touches browser.storage.
import browser from 'webextension-polyfill';
import { cleanName } from '../../protocol/text.ts';
import { entryGrant, newEntryToken, parseEntryGrant } from './entry-grant.ts';
import type { DeviceChoice, DeviceKind, DevicePrefs } from './devices.ts';
import { guestName, parseDevicePrefs, parseProfile, parseSettings, type Profile, type Settings } from './settings.ts';

const PROFILE_KEY = 'profile';
const SETTINGS_KEY = 'settings';
const DEVICES_KEY = 'devices';
/** Prefix of one-time entry grants in `storage.session` (see entry.ts). */
const ENTRY_PREFIX = 'entry:';

export async function loadProfile(): Promise<Profile> {
  const stored = await browser.storage.local.get(PROFILE_KEY);
  return parseProfile(stored[PROFILE_KEY]);
}

/**
 * The profile with a guest name picked (and saved) if it had none, so
 * displayName() always has one; the typed name is left as it was, empty or not.
 */
export async function loadProfileWithGuestName(): Promise<Profile> {
  const profile = await loadProfile();
  if (profile.guestName !== '') return profile;
  return saveProfile({ guestName: guestName() });
}

export async function saveProfile(patch: Partial<Profile>): Promise<Profile> {
  const next = parseProfile({ ...(await loadProfile()), ...patch, ...(patch.name !== undefined && { name: cleanName(patch.name) }) });
  await browser.storage.local.set({ [PROFILE_KEY]: next });
  return next;
}

export async function loadSettings(): Promise<Settings> {
  const stored = await browser.storage.local.get(SETTINGS_KEY);
  return parseSettings(stored[SETTINGS_KEY]);
}

export async function saveSettings(settings: Settings): Promise<void> {
  await browser.storage.local.set({ [SETTINGS_KEY]: settings });
}

/** The camera, microphone and speaker the person chose last. */
export async function loadDevicePrefs(): Promise<DevicePrefs> {
  const stored = await browser.storage.local.get(DEVICES_KEY);
  return parseDevicePrefs(stored[DEVICES_KEY]);
}

/** Remembers the device chosen for `kind`; undefined goes back to the default. */
export async function saveDeviceChoice(kind: DeviceKind, choice: DeviceChoice | undefined): Promise<DevicePrefs> {
  const { [kind]: _old, ...others } = await loadDevicePrefs();
  const next = parseDevicePrefs(choice ? { ...others, [kind]: choice } : others);
  await browser.storage.local.set({ [DEVICES_KEY]: next });
  return next;
}

/** Calls `listener` whenever the profile changes in any page (e.g. a rename in the popup). */
export function onProfileChanged(listener: (profile: Profile) => void): () => void {
  const handler = (changes: Record<string, browser.Storage.StorageChange>, area: string) => {
    const change = changes[PROFILE_KEY];
    if (area === 'local' && change) listener(parseProfile(change.newValue));
  };
  browser.storage.onChanged.addListener(handler);
  return () => browser.storage.onChanged.removeListener(handler);
}

/** Calls `listener` whenever the settings change (the options page saved). */
export function onSettingsChanged(listener: () => void): () => void {
  const handler = (changes: Record<string, browser.Storage.StorageChange>, area: string) => {
    if (area === 'local' && changes[SETTINGS_KEY]) listener();
  };
  browser.storage.onChanged.addListener(handler);
  return () => browser.storage.onChanged.removeListener(handler);
}

// Entry grants live in `storage.session`: in memory only, gone when the browser
// closes, and readable by the extension's own pages alone: no web page can, and
// content scripts get it only where an extension asks for that (Zing does not).

/** Zing's own UI vouches for `href`: returns the one-time token the call page redeems. */
export async function grantEntry(href: string, now = Date.now()): Promise<string> {
  const token = newEntryToken();
  const stale = Object.entries(await browser.storage.session.get(null))
    .filter(([key, v]) => key.startsWith(ENTRY_PREFIX) && parseEntryGrant(v, now) === undefined)
    .map(([key]) => key);
  if (stale.length > 0) await browser.storage.session.remove(stale);
  await browser.storage.session.set({ [ENTRY_PREFIX + token]: entryGrant(href, now) });
  return token;
}

/** The link a token vouches for, once: the grant is removed whether or not it was still good. */
export async function redeemEntry(token: string, now = Date.now()): Promise<string | undefined> {
  const key = ENTRY_PREFIX + token;
  const stored = await browser.storage.session.get(key);
  await browser.storage.session.remove(key);
  return parseEntryGrant(stored[key], now);
}
