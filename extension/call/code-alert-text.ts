// The words of the alert naming someone whose safety code changed. Kept apart
// from error-text.ts, which loads on first use: this alert blocks a person until
// it is answered, so its words ship with the page.

/** The alert naming someone whose safety code changed during the call. */
export const codeAlertText = (alert: { name: string; blocked: boolean }): string =>
  alert.blocked
    ? `The safety code for ${alert.name} changed after you verified it. Until you decide, you and ${alert.name} neither see nor hear each other. Accept the new code only after comparing it with ${alert.name} again.`
    : `The safety code for ${alert.name} changed. Compare it with ${alert.name} again before saying anything private.`;
