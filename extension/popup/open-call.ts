// Opens the call page in a new tab, then closes the popup: for a new call, or
// for a pasted link. Loaded on the click, not with the popup: a popup opened
// to mute a running call never needs the room-key code, and the popup's
// page-start budget is tight.
import browser from 'webextension-polyfill';
import { callPageUrl } from '../background/call-page.ts';
import { deriveRoomKey, newSecret } from '../session/room-key.ts';
import { buildShareLink, callOf, invalidLinkText, parseShareLink, type ShareLink } from '../session/share-link.ts';
import type { ToolbarCall } from '../session/toolbar-messages.ts';
import { grantEntry, loadSettings } from '../session/storage.ts';

/** The person chose this call here, in Zing's own UI: the page it opens joins without asking again. */
async function openCall(link: ShareLink): Promise<void> {
  const token = await grantEntry(link.href);
  await browser.tabs.create({ url: callPageUrl(link, token) });
  window.close();
}

/** A new call on the configured relay, under a fresh secret. */
export async function openNewCall(): Promise<void> {
  const secret = newSecret();
  const [{ relayUrl }, { room }] = await Promise.all([loadSettings(), deriveRoomKey(secret)]);
  await openCall(buildShareLink(relayUrl, room, secret));
}

/**
 * The call of a pasted link, or why the text is not a call link, in words
 * (a link whose key does not derive its room, too: share-link.ts callOf).
 * The link of the call already running goes back to its tab (`returnTo`):
 * a second tab would join it as a second person.
 */
export async function openPastedCall(
  text: string,
  running: ToolbarCall | null,
  returnTo: (tabId: number) => Promise<void>,
): Promise<string | undefined> {
  const parsed = parseShareLink(text);
  if (!parsed.ok) return parsed.reason;
  const named = await callOf(parsed.link);
  if (!named.ok) return invalidLinkText(named.reason);
  if (running?.call === named.call) await returnTo(running.tabId);
  else await openCall(parsed.link);
  return undefined;
}
