// The safety code pinning state machine: codes and choices in, trust out.
import { describe, expect, it } from 'vitest';
import {
  type CodeTrust,
  codeChanged,
  isBlocked,
  isVerified,
  needsAlert,
  nextTrust,
  PENDING,
  shownCode,
  type TrustEvent,
} from '../../../../extension/session/code-trust.ts';

const code = (c: string, committed = true): TrustEvent => ({ type: 'code', code: c, committed });
const run = (...events: TrustEvent[]): CodeTrust => events.reduce(nextTrust, PENDING);

const FIRST = '1111 1111 1111 1111';
const SECOND = '2222 2222 2222 2222';
const THIRD = '3333 3333 3333 3333';

describe('code trust', () => {
  it('shows no code and nothing changed until the link has one', () => {
    expect(shownCode(PENDING)).toBeUndefined();
    expect(codeChanged(PENDING)).toBe(false);
    expect(needsAlert(PENDING)).toBe(false);
  });

  it('pins the first code seen, unverified and unchanged', () => {
    const t = run(code(FIRST));
    expect(t).toEqual({ state: 'unverified', code: FIRST, changed: false, alert: false });
    expect(shownCode(t)).toBe(FIRST);
  });

  it('stays the same object when the same code is read again (no re-render, no alert)', () => {
    const t = run(code(FIRST));
    expect(nextTrust(t, code(FIRST))).toBe(t);
  });

  it('flags a change of an unverified code, with an alert, and shows the new code', () => {
    const t = run(code(FIRST), code(SECOND));
    expect(t).toEqual({ state: 'unverified', code: SECOND, changed: true, alert: true });
    expect(codeChanged(t)).toBe(true);
    expect(needsAlert(t)).toBe(true);
    expect(isBlocked(t)).toBe(false);
  });

  it('keeps the change flagged even when the code returns to the first one', () => {
    expect(codeChanged(run(code(FIRST), code(SECOND), code(FIRST)))).toBe(true);
  });

  it('flags a first code whose certificates are not the ones committed to', () => {
    const t = run(code(FIRST, false));
    expect(codeChanged(t)).toBe(true);
    expect(needsAlert(t)).toBe(true);
  });

  it('marks the shown code verified, and unmarks it', () => {
    const verified = run(code(FIRST), { type: 'markVerified', verified: true });
    expect(verified).toEqual({ state: 'verified', code: FIRST });
    expect(isVerified(verified)).toBe(true);
    expect(run(code(FIRST), { type: 'markVerified', verified: true }, { type: 'markVerified', verified: false })).toEqual({
      state: 'unverified',
      code: FIRST,
      changed: false,
      alert: false,
    });
  });

  it('cannot verify before there is a code', () => {
    expect(run({ type: 'markVerified', verified: true })).toBe(PENDING);
  });

  it('clears a change once the new code is compared and marked verified', () => {
    const t = run(code(FIRST), code(SECOND), { type: 'markVerified', verified: true });
    expect(t).toEqual({ state: 'verified', code: SECOND });
    expect(codeChanged(t)).toBe(false);
    expect(needsAlert(t)).toBe(false);
  });

  it('blocks a verified person whose code changes, with an alert', () => {
    const t = run(code(FIRST), { type: 'markVerified', verified: true }, code(SECOND));
    expect(t).toEqual({ state: 'blocked', code: SECOND, verifiedCode: FIRST, alert: true });
    expect(isBlocked(t)).toBe(true);
    expect(codeChanged(t)).toBe(true);
    expect(isVerified(t)).toBe(false);
    expect(shownCode(t)).toBe(SECOND);
  });

  it('keeps a blocked person blocked through further codes, even the verified one again', () => {
    const blocked = run(code(FIRST), { type: 'markVerified', verified: true }, code(SECOND));
    expect(isBlocked(nextTrust(blocked, code(THIRD)))).toBe(true);
    expect(isBlocked(nextTrust(blocked, code(FIRST)))).toBe(true);
    expect(shownCode(nextTrust(blocked, code(THIRD)))).toBe(THIRD);
  });

  it('raises the alert again when a blocked person’s code changes after it was dismissed', () => {
    const dismissed = run(code(FIRST), { type: 'markVerified', verified: true }, code(SECOND), { type: 'dismiss' });
    expect(needsAlert(dismissed)).toBe(false);
    expect(needsAlert(nextTrust(dismissed, code(THIRD)))).toBe(true);
  });

  it('does not let the toggle unblock: the person must accept the new code', () => {
    const blocked = run(code(FIRST), { type: 'markVerified', verified: true }, code(SECOND));
    expect(nextTrust(blocked, { type: 'markVerified', verified: true })).toBe(blocked);
    expect(nextTrust(blocked, { type: 'markVerified', verified: false })).toBe(blocked);
  });

  it('unblocks on accepting the new code, unverified and still flagged as changed, without the alert', () => {
    const t = run(code(FIRST), { type: 'markVerified', verified: true }, code(SECOND), { type: 'acceptNewCode' });
    expect(t).toEqual({ state: 'unverified', code: SECOND, changed: true, alert: false });
    expect(isBlocked(t)).toBe(false);
  });

  it('keeps a person blocked when the alert is dismissed (Keep blocked)', () => {
    const t = run(code(FIRST), { type: 'markVerified', verified: true }, code(SECOND), { type: 'dismiss' });
    expect(isBlocked(t)).toBe(true);
    expect(needsAlert(t)).toBe(false);
  });

  it('dismisses an unverified change’s alert but keeps the tile flagged', () => {
    const t = run(code(FIRST), code(SECOND), { type: 'dismiss' });
    expect(needsAlert(t)).toBe(false);
    expect(codeChanged(t)).toBe(true);
  });

  it('ignores accepting or dismissing where there is nothing to decide', () => {
    const t = run(code(FIRST));
    expect(nextTrust(t, { type: 'acceptNewCode' })).toBe(t);
    const verified = run(code(FIRST), { type: 'markVerified', verified: true });
    expect(nextTrust(verified, { type: 'dismiss' })).toBe(verified);
    expect(nextTrust(PENDING, { type: 'dismiss' })).toBe(PENDING);
  });
});
