// Which web pages may open a relay socket, decided from the upgrade request's
// Origin header before any WebSocket exists.
//
// Origin protects people's browsers: it stops a page on another site from
// using a visitor's browser (and address) to talk to the relay. It says nothing
// about scripts, which can send any Origin or none, so the per-address and
// per-connection limits (limits.ts) are what hold against those.

/** Zing's Chrome extension: its id is fixed by the `key` in manifest.json. */
export const ZING_CHROME_ORIGIN = 'chrome-extension://oadbebmmljbobedlicbbcfajhplencgk';

/**
 * The extension in Chrome and in Firefox. Firefox gives each install a random
 * `moz-extension://<uuid>` origin, so only the scheme can be checked there.
 * The relay's own origin (the guest page at /r/<room>) is always allowed on top.
 */
export const DEFAULT_ALLOWED_ORIGINS: readonly string[] = [ZING_CHROME_ORIGIN, 'moz-extension://*'];

const HOST = String.raw`(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?`;
const PATTERN = new RegExp(String.raw`^(?:\*|[a-z][a-z0-9+.-]*://(?:\*|${HOST}))$`);

/**
 * An allow-list entry, lowercase: `*` (any origin), an exact origin
 * (`scheme://host[:port]`, no path), or `scheme://*` (any origin of that scheme).
 */
export const isOriginPattern = (entry: string): boolean => PATTERN.test(entry);

export interface OriginPolicy {
  /** Entries that pass isOriginPattern, lowercase. */
  allowed: readonly string[];
  /** Refuse a request without an Origin header (browsers always send one on a WebSocket upgrade). */
  requireOrigin: boolean;
  /**
   * The relay's own origin where the operator gave it (ZING_PUBLIC_URL). Without
   * it, the origin is taken from the request's Host header, with either scheme,
   * since a relay behind a TLS proxy cannot tell which one the browser used.
   */
  publicOrigin: string | undefined;
}

export type OriginVerdict = { ok: true } | { ok: false; reason: string };

/** Whether a socket may open for a request with this Origin and Host header. */
export function checkOrigin(origin: string | undefined, host: string | undefined, policy: OriginPolicy): OriginVerdict {
  if (origin === undefined || origin === '') {
    return policy.requireOrigin ? { ok: false, reason: 'an Origin header is required' } : { ok: true };
  }
  const o = origin.toLowerCase();
  for (const entry of policy.allowed) {
    if (entry === '*' || entry === o) return { ok: true };
    if (entry.endsWith('://*')) {
      const prefix = entry.slice(0, -1); // "moz-extension://"
      const rest = o.slice(prefix.length);
      if (o.startsWith(prefix) && rest !== '' && !rest.includes('/')) return { ok: true };
    }
  }
  if (isOwnOrigin(o, host, policy.publicOrigin)) return { ok: true };
  return { ok: false, reason: `origin ${JSON.stringify(origin.slice(0, 100))} is not allowed` };
}

function isOwnOrigin(origin: string, host: string | undefined, publicOrigin: string | undefined): boolean {
  if (publicOrigin !== undefined) return origin === publicOrigin;
  if (host === undefined || host === '') return false;
  const h = host.toLowerCase();
  return origin === `http://${h}` || origin === `https://${h}`;
}
