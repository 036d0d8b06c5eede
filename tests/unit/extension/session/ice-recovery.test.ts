import { describe, expect, it } from 'vitest';
import { IceRecovery, type IceRecoveryPolicy } from '../../../../extension/session/ice-recovery.ts';

const POLICY: IceRecoveryPolicy = { patienceMs: 3_000, maxPatienceMs: 12_000, politeBackstopMs: 8_000 };

/** A link that was up: checking, then connected at t=0. */
function upLink(polite: boolean): IceRecovery {
  const r = new IceRecovery(polite, POLICY);
  r.onState('checking', -100);
  r.onState('connected', 0);
  return r;
}

describe('IceRecovery', () => {
  it('stays idle while the link is up or still connecting for the first time', () => {
    const r = new IceRecovery(false, POLICY);
    expect(r.onState('new', 0)).toBe(false);
    expect(r.onState('checking', 10)).toBe(false);
    expect(r.active).toBe(false);
    expect(r.tick('checking', 60_000)).toBe(false);
    expect(r.onState('connected', 60_001)).toBe(false);
    expect(r.tick('connected', 70_000)).toBe(false);
  });

  it('lets the impolite side restart a failed path at once', () => {
    const r = upLink(false);
    expect(r.onState('failed', 1_000)).toBe(true);
    expect(r.active).toBe(true);
  });

  it('gives a disconnected path one tick to come back by itself, then restarts on every tick while it stays down', () => {
    const r = upLink(false);
    expect(r.onState('disconnected', 1_000)).toBe(false);
    expect(r.tick('disconnected', 2_000)).toBe(true);
    expect(r.tick('disconnected', 3_000)).toBe(true);
  });

  it('does not cut short a restart whose checks are still young', () => {
    const r = upLink(false);
    r.onState('disconnected', 1_000);
    expect(r.tick('disconnected', 2_000)).toBe(true);
    r.onState('checking', 2_100);
    expect(r.tick('checking', 3_100)).toBe(false);
    expect(r.tick('checking', 5_000)).toBe(false);
    expect(r.tick('checking', 5_200)).toBe(true); // 3.1 s of checks
  });

  it('doubles its patience for each restart cut short, up to the cap, so a slow path gets the time it needs', () => {
    const r = upLink(false);
    r.onState('disconnected', 1_000);
    r.tick('disconnected', 2_000);
    r.onState('checking', 2_000);
    expect(r.patienceMs).toBe(3_000);
    expect(r.tick('checking', 5_001)).toBe(true);
    expect(r.patienceMs).toBe(6_000);
    r.onState('checking', 5_001);
    expect(r.tick('checking', 10_000)).toBe(false);
    expect(r.tick('checking', 11_002)).toBe(true);
    expect(r.patienceMs).toBe(12_000);
    r.onState('checking', 11_002);
    expect(r.tick('checking', 23_003)).toBe(true);
    expect(r.patienceMs).toBe(12_000);
  });

  it('starts again from its first patience once the link is back', () => {
    const r = upLink(false);
    r.onState('disconnected', 1_000);
    r.tick('disconnected', 2_000);
    r.onState('checking', 2_000);
    r.tick('checking', 5_001);
    expect(r.patienceMs).toBe(6_000);
    r.onState('connected', 6_000);
    expect(r.active).toBe(false);
    expect(r.patienceMs).toBe(3_000);
  });

  it('keeps the polite side from restarting while the impolite one drives, so the two never cancel each other', () => {
    const r = upLink(true);
    expect(r.onState('failed', 1_000)).toBe(false);
    expect(r.tick('failed', 2_000)).toBe(false);
    // The other side's restart arrives: checks start.
    r.onState('checking', 3_000);
    expect(r.tick('checking', 7_000)).toBe(false);
    expect(r.tick('checking', 10_999)).toBe(false);
  });

  it('lets the polite side step in when nothing has happened for the backstop time', () => {
    const r = upLink(true);
    r.onState('disconnected', 1_000);
    expect(r.tick('disconnected', 8_999)).toBe(false);
    expect(r.tick('disconnected', 9_000)).toBe(true);
    // Its own restart counts as progress: it waits the backstop again before the next.
    expect(r.tick('disconnected', 10_000)).toBe(false);
    expect(r.tick('disconnected', 17_000)).toBe(true);
  });

  it('restarts a link that failed before it was ever up', () => {
    const r = new IceRecovery(false, POLICY);
    r.onState('checking', 0);
    expect(r.onState('failed', 5_000)).toBe(true);
  });
});
