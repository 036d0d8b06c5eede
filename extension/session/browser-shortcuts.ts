// The browser-level shortcuts (manifest `commands`) with the keys the browser
// actually gave them: a suggested key is only a suggestion, dropped where
// another extension or the person already uses it, and the person can change it.
import browser from 'webextension-polyfill';
import { COMMANDS, type CommandName } from './toolbar-messages.ts';

export interface BrowserShortcut {
  readonly name: CommandName;
  readonly action: string;
  /** As the browser spells it (`Alt+Shift+M`, `⌥⇧M` on a Mac); empty where none is set. */
  readonly shortcut: string;
}

const ACTIONS: Record<CommandName, string> = {
  [COMMANDS.toggleMicrophone]: 'Turn the microphone of the call on or off, from any tab',
  [COMMANDS.toggleCamera]: 'Turn the camera of the call on or off, from any tab',
};
const isOurs = (name: string | undefined): name is CommandName => name !== undefined && name in ACTIONS;

/** The shortcuts, or undefined where there are none to have (the guest page, without Zing). */
export async function browserShortcuts(): Promise<BrowserShortcut[] | undefined> {
  if (typeof browser.commands?.getAll !== 'function') return undefined;
  const all = await browser.commands.getAll();
  return all.flatMap((c) => (isOurs(c.name) ? [{ name: c.name, action: ACTIONS[c.name], shortcut: c.shortcut ?? '' }] : []));
}

/** Where the person changes them, if this browser lets an extension open it. */
export function shortcutSettings(): (() => Promise<void>) | undefined {
  // Firefox 137+; not in the polyfill's types yet, and undefined where the browser lacks it.
  const commands = browser.commands as (typeof browser.commands & { openShortcutSettings?: () => Promise<void> }) | undefined;
  if (typeof commands?.openShortcutSettings === 'function') return () => commands.openShortcutSettings?.() ?? Promise.resolve();
  if (typeof browser.runtime?.getURL === 'function' && browser.runtime.getURL('').startsWith('chrome-extension:')) {
    return () => browser.tabs.create({ url: 'chrome://extensions/shortcuts' }).then(() => undefined);
  }
  return undefined;
}
