// The browser's access to the relay's site, which the share-link redirect needs. Pure.
//
// A declarativeNetRequest rule redirects only requests to a host the extension
// may access: for any other, the browser ignores the rule without a word, and a
// share link opens as the relay's own web page, whose code can read the key.
// The build's relay is granted by the manifest (vite.config.ts); another one
// set in the options page is asked for there, from the person's click.

/**
 * What a relay's share links are redirected under: its scheme and host, any
 * port. Firefox's match patterns take no port, so both browsers get the same.
 */
export function relayHostPattern(relayUrl: string): string {
  const url = new URL(relayUrl);
  return `${url.protocol}//${url.hostname}/*`;
}

/** The argument of permissions.contains and permissions.request for that access. */
export const relayAccess = (relayUrl: string): { origins: string[] } => ({ origins: [relayHostPattern(relayUrl)] });

/** What the manifest declares optional, so that a person can grant any http(s) relay: the relay is theirs to pick. */
export const ANY_RELAY_HOSTS = ['https://*/*', 'http://*/*'];

/** The options page's words for a relay without that access. */
export function relayAccessWarning(relayUrl: string): string {
  const { host } = new URL(relayUrl);
  return (
    `Links to ${host} will open as that site’s web page, not in Zing, until you allow Zing to access ${host}. ` +
    'That page comes from the relay and can read the call’s key.'
  );
}

/** The button that asks the browser again. */
export const relayAccessButton = (relayUrl: string): string => `Allow access to ${new URL(relayUrl).host}`;
