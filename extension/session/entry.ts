// How a call page was entered, and so whether it may join at once. Pure.
//
// Any website can send the browser to the call page: a share link clicked
// anywhere is redirected to it (background/share-link-rule.ts), and a page can
// click or open such a link itself. So being opened says nothing about what
// the person wants. The page goes straight into the call only when Zing's own
// UI vouched for this very link (`Start a call`, the popup's `Join`: a one-time
// token the popup puts in extension-only session storage and the page redeems),
// or when the person reloads a tab that had been vouched for. Everything else
// shows the pre-join gate, where nothing joins, opens a device or sends
// anything before the person presses `Join call`.
import { invalidLinkText, linkFromPageLocation, type ShareLink } from './share-link.ts';

export type EntryMode = 'direct' | 'prejoin';

export interface Entry {
  readonly link: ShareLink;
  /** `direct`: join at once; `prejoin`: show the gate and join on `Join call`. */
  readonly mode: EntryMode;
  /**
   * Whether the call's relay is the one in the person's settings; undefined on
   * the guest page, whose visitor has no settings (the page came from that relay).
   */
  readonly usualRelay: boolean | undefined;
}

export type EntryResult = { ok: true; entry: Entry } | { ok: false; reason: string };

export type PageLocation = Pick<Location, 'protocol' | 'pathname' | 'search' | 'hash' | 'href'>;

export interface EntryFacts {
  readonly location: PageLocation;
  /** The share link Zing's own UI vouched for this page (a redeemed token, or a reload of a vouched tab); else undefined. */
  readonly vouchedHref: string | undefined;
  /** The page sits in another page's frame. */
  readonly framed: boolean;
  /** The relay in the person's settings (settings.relayUrl). */
  readonly usualRelay: string;
}

/** The relay's own page at /r/<room>: the guest build, served to browsers without Zing. */
const isGuestPage = (loc: Pick<Location, 'protocol'>) => loc.protocol === 'http:' || loc.protocol === 'https:';

export function decideEntry(facts: EntryFacts): EntryResult {
  // A frame would let the page around it dress up `Join call` as its own button (clickjacking).
  if (facts.framed) return { ok: false, reason: 'Zing calls open in a tab of their own, not inside another page.' };
  const parsed = linkFromPageLocation(facts.location);
  if (!parsed.ok) return { ok: false, reason: invalidLinkText(parsed.reason) };
  const { link } = parsed;
  if (isGuestPage(facts.location)) return { ok: true, entry: { link, mode: 'prejoin', usualRelay: undefined } };
  return {
    ok: true,
    entry: {
      link,
      mode: facts.vouchedHref === link.href ? 'direct' : 'prejoin',
      usualRelay: sameOrigin(link.relayOrigin, facts.usualRelay),
    },
  };
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false; // an unparsable setting is nobody's usual relay
  }
}
