// Removing a browser profile a test made, once the browser is closed.
import { rmSync } from 'node:fs';

/**
 * A browser's helper processes can still write into its profile for a moment
 * after the browser has gone (a bench run and a CI run failed on ENOTEMPTY):
 * rmSync tries again on that, and a temp folder left behind is no failure of
 * the test that used it.
 */
export function removeProfile(profile: string): void {
  try {
    rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  } catch (err) {
    console.warn(`could not remove the profile ${profile}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
