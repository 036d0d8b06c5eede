// A Chromium person and a Firefox person, started at once (each takes seconds):
// a test gets both or neither, never one left running behind a failed start.
import { launchPerson, type LaunchOptions, type Person } from './browser.ts';
import { launchFirefox, type FirefoxLaunchOptions, type FirefoxPerson } from './firefox.ts';

/** Give a beforeAll this long: a silent Firefox start is retried once (firefox.ts). */
export const TWO_BROWSERS_TIMEOUT_MS = 120_000;

export async function launchChromiumAndFirefox(
  chromium: LaunchOptions,
  firefox: FirefoxLaunchOptions,
): Promise<{ chromium: Person; firefox: FirefoxPerson }> {
  const [c, f] = await Promise.allSettled([launchPerson(chromium), launchFirefox(firefox)]);
  if (c.status === 'fulfilled' && f.status === 'fulfilled') return { chromium: c.value, firefox: f.value };
  await Promise.all([c.status === 'fulfilled' && c.value.close(), f.status === 'fulfilled' && f.value.close()]);
  throw c.status === 'rejected' ? c.reason : (f as PromiseRejectedResult).reason; // one of the two failed
}
