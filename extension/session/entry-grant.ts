// The one-time token by which Zing's own UI vouches for a call page, and the
// per-tab memory that keeps a vouched tab in its call across a reload. Pure;
// storage.ts keeps the grants (see entry.ts for why the call page needs them).
import { isRecord } from '../../protocol/guards.ts';
import { toBase64Url } from './room-key.ts';

/** 128 random bits in base64url: nobody guesses one, and only extension pages can read the grants. */
const ENTRY_TOKEN = /^[A-Za-z0-9_-]{22}$/;
/** The call page's query parameter that carries the token. */
export const ENTRY_TOKEN_PARAM = 't';
/**
 * How long a grant waits to be redeemed. The popup opens the tab at once and a
 * busy machine loads it within seconds; a grant left longer was never used, and
 * must not let some later page in.
 */
export const ENTRY_GRANT_TTL_MS = 60_000;

export interface EntryGrant {
  href: string;
  expiresAt: number;
}

export const newEntryToken = (): string => toBase64Url(crypto.getRandomValues(new Uint8Array(16)));

export const entryGrant = (href: string, now: number): EntryGrant => ({ href, expiresAt: now + ENTRY_GRANT_TTL_MS });

/** The token in a call page's address, if it carries one of the right shape. The relay's guest page never does. */
export function entryTokenOf(loc: Pick<Location, 'protocol' | 'search'>): string | undefined {
  if (loc.protocol === 'http:' || loc.protocol === 'https:') return undefined;
  const token = new URLSearchParams(loc.search).get(ENTRY_TOKEN_PARAM);
  return token !== null && ENTRY_TOKEN.test(token) ? token : undefined;
}

/** The link a stored grant vouches for, if the record is well formed and not expired at `now`. */
export function parseEntryGrant(v: unknown, now: number): string | undefined {
  if (!isRecord(v) || typeof v.href !== 'string' || typeof v.expiresAt !== 'number') return undefined;
  return now < v.expiresAt ? v.href : undefined;
}

/** sessionStorage key (per tab, extension origin only) of the link this tab was vouched for. */
export const VOUCHED_TAB_KEY = 'zing:vouched';

/**
 * A tab Zing's UI opened stays vouched for across the person's own reload
 * (`location.reload()` by a page of another origin is impossible, and its
 * navigations count as `navigate`, not `reload`).
 */
export function vouchedByReload(navigationType: string | undefined, remembered: string | null): string | undefined {
  return navigationType === 'reload' && remembered !== null ? remembered : undefined;
}
