// Typed extension storage: the only module that touches browser.storage.
import browser from 'webextension-polyfill';
import { cleanName } from '../../protocol/text.ts';
import { guestName, parseProfile, parseSettings, type Profile, type Settings } from './settings.ts';

const PROFILE_KEY = 'profile';
const SETTINGS_KEY = 'settings';

export async function loadProfile(): Promise<Profile> {
  const stored = await browser.storage.local.get(PROFILE_KEY);
  return parseProfile(stored[PROFILE_KEY]);
}

/** The profile with a display name guaranteed: an empty name is replaced by a guest name and saved. */
export async function loadProfileWithName(): Promise<Profile> {
  const profile = await loadProfile();
  if (profile.name !== '') return profile;
  const named = { ...profile, name: guestName() };
  await saveProfile(named);
  return named;
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
