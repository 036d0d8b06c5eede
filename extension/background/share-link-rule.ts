// The declarativeNetRequest rule that opens share links in the call page. Pure.
import { ROOM_PATH_PREFIX } from '../../protocol/ids.ts';

export const SHARE_LINK_RULE_ID = 1;

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * Redirects `<relay origin>/r/<room>` top-level navigations to the call page
 * with the relay and room in its query; the browser carries the link's
 * #fragment (the key) over to the redirect target, and the relay gets no request.
 * Kept simple on purpose: a bounded quantifier like {16,64} compiles past
 * Chromium's 2 KB regex limit and the rule is then skipped without a word.
 */
export function shareLinkRule(relayOrigin: string, callPageUrl: string) {
  return {
    id: SHARE_LINK_RULE_ID,
    priority: 1,
    action: {
      type: 'redirect' as const,
      redirect: { regexSubstitution: `${callPageUrl}?o=${encodeURIComponent(relayOrigin)}&r=\\1` },
    },
    condition: {
      regexFilter: `^${escapeRegex(relayOrigin)}${escapeRegex(ROOM_PATH_PREFIX)}([A-Za-z0-9_-]+)`,
      resourceTypes: ['main_frame' as const],
    },
  };
}
