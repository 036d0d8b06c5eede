// The declarativeNetRequest rule that opens share links in the call page. Pure.
import { ROOM_PATH_PREFIX } from '../../protocol/ids.ts';

export const SHARE_LINK_RULE_ID = 1;

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * Redirects `<relay origin>/r/<room>#<key>` top-level navigations, from any
 * site or typed, to the call page with the relay and room in its query and the
 * key in its fragment; the relay gets no request at all.
 *
 * The fragment: Chromium matches the URL without it and carries it over to the
 * redirect target by itself, so the second group matches nothing there.
 * Firefox matches the URL with its fragment and drops it from a redirect (seen
 * with Firefox ESR 153), so the second group takes it along explicitly.
 * `[^#]*` skips whatever query or path follows the room.
 *
 * Kept simple on purpose: a bounded quantifier like {16,64} compiles past
 * Chromium's 2 KB regex limit and the rule is then skipped without a word.
 */
export function shareLinkRule(relayOrigin: string, callPageUrl: string) {
  return {
    id: SHARE_LINK_RULE_ID,
    priority: 1,
    action: {
      type: 'redirect' as const,
      redirect: { regexSubstitution: `${callPageUrl}?o=${encodeURIComponent(relayOrigin)}&r=\\1\\2` },
    },
    condition: {
      regexFilter: `^${escapeRegex(relayOrigin)}${escapeRegex(ROOM_PATH_PREFIX)}([A-Za-z0-9_-]+)[^#]*(#.*)?`,
      // Chromium's default is case-insensitive; room ids are not, and the unit tests match as JavaScript does.
      isUrlFilterCaseSensitive: true,
      resourceTypes: ['main_frame' as const],
    },
  };
}

/**
 * The session-rule update for the configured relay: its rule where the extension
 * may access the relay's host, else none at all. The browser ignores a redirect
 * to a host without access, silently; an absent rule says the same truthfully.
 */
export function shareLinkRuleUpdate(relayOrigin: string, callPageUrl: string, hasHostAccess: boolean) {
  return {
    removeRuleIds: [SHARE_LINK_RULE_ID],
    addRules: hasHostAccess ? [shareLinkRule(relayOrigin, callPageUrl)] : [],
  };
}
