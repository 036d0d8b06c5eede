// What this page trusts about one participant's safety code, for the whole
// call: the first code seen is pinned; a code that changes afterwards is
// flagged; a person marked verified whose code then changes is blocked (no
// media either way) until the person here decides. Pure: CallSession feeds it
// the codes it computes and the person's choices, and acts on the result.
//
// A code legitimately stays put for a call: each page makes one DTLS
// certificate and one identity key and keeps them until it is closed, and
// ICE restarts and relay reconnects change neither. So a change means the
// other end presented another certificate: someone may have stepped in.

export type CodeTrust =
  /** No code yet: the link has not connected. */
  | { readonly state: 'pending' }
  /** `changed`: the code differs from the first one seen. `alert`: the person has not yet dismissed the change. */
  | { readonly state: 'unverified'; readonly code: string; readonly changed: boolean; readonly alert: boolean }
  /** The person compared this code with the other end and said it matched. */
  | { readonly state: 'verified'; readonly code: string }
  /** Verified, then the code changed: no media to or from them until the person accepts the new code. */
  | { readonly state: 'blocked'; readonly code: string; readonly verifiedCode: string; readonly alert: boolean };

export type TrustEvent =
  /**
   * The code computed for the link now. `committed`: both certificates are
   * the ones committed to in the welcomes; a first code that is not counts
   * as changed, since someone picked a certificate after seeing our salt.
   */
  | { readonly type: 'code'; readonly code: string; readonly committed: boolean }
  /** The `Mark as verified` toggle. */
  | { readonly type: 'markVerified'; readonly verified: boolean }
  /** A blocked person's new code is accepted (not verified: compare it again). */
  | { readonly type: 'acceptNewCode' }
  /** The alert is dismissed; a blocked person stays blocked. */
  | { readonly type: 'dismiss' };

export const PENDING: CodeTrust = { state: 'pending' };

function onCode(trust: CodeTrust, code: string, committed: boolean): CodeTrust {
  switch (trust.state) {
    case 'pending':
      return { state: 'unverified', code, changed: !committed, alert: !committed };
    case 'unverified':
      return code === trust.code ? trust : { state: 'unverified', code, changed: true, alert: true };
    case 'verified':
      return code === trust.code ? trust : { state: 'blocked', code, verifiedCode: trust.code, alert: true };
    case 'blocked':
      // Even a return to the verified code leaves the decision to the person: something happened.
      return code === trust.code ? trust : { ...trust, code, alert: true };
  }
}

export function nextTrust(trust: CodeTrust, event: TrustEvent): CodeTrust {
  switch (event.type) {
    case 'code':
      return onCode(trust, event.code, event.committed);
    case 'markVerified':
      if (trust.state === 'unverified' && event.verified) return { state: 'verified', code: trust.code };
      if (trust.state === 'verified' && !event.verified) return { state: 'unverified', code: trust.code, changed: false, alert: false };
      return trust; // nothing to verify yet, or blocked: accept or keep blocking first
    case 'acceptNewCode':
      return trust.state === 'blocked' ? { state: 'unverified', code: trust.code, changed: true, alert: false } : trust;
    case 'dismiss':
      return (trust.state === 'unverified' || trust.state === 'blocked') && trust.alert ? { ...trust, alert: false } : trust;
  }
}

/** The code to show, if any. */
export const shownCode = (trust: CodeTrust): string | undefined => (trust.state === 'pending' ? undefined : trust.code);
/** Whether the tile says `Safety code changed`. */
export const codeChanged = (trust: CodeTrust): boolean => (trust.state === 'unverified' && trust.changed) || trust.state === 'blocked';
export const isVerified = (trust: CodeTrust): boolean => trust.state === 'verified';
export const isBlocked = (trust: CodeTrust): boolean => trust.state === 'blocked';
/** Whether the page shows an alert naming them. */
export const needsAlert = (trust: CodeTrust): boolean => (trust.state === 'unverified' || trust.state === 'blocked') && trust.alert;
