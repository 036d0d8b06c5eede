// Brings the tab this page is in to the front: Zing's own pages can; the guest
// page (the web build, whose browser shim has no tabs) can only ask for focus.
import browser from 'webextension-polyfill';

/** Whether this page can bring another tab of the call forward (Zing's own pages can). */
export const canShowTabs = (): boolean => (browser as Partial<typeof browser>).tabs !== undefined;

export async function showThisTab(): Promise<void> {
  if (!canShowTabs()) {
    window.focus();
    return;
  }
  const tab = await browser.tabs.getCurrent();
  if (tab?.id === undefined) return;
  await browser.tabs.update(tab.id, { active: true });
  if (tab.windowId !== undefined) await browser.windows.update(tab.windowId, { focused: true });
}
