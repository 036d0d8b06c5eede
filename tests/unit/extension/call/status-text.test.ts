import { describe, expect, it } from 'vitest';
import { statusText } from '../../../../extension/call/status-text.ts';
import type { CallPhase, ParticipantView } from '../../../../extension/session/call-session.ts';
import type { LinkState } from '../../../../extension/session/peer-link.ts';

// statusText reads only `self` and `link` of each participant; the rest is filler.
const participant = (self: boolean, link: LinkState, id = self ? 'self' : `peer-${link}`): ParticipantView =>
  ({ id, self, name: id, micMuted: false, cameraOff: false, stream: null, link }) as ParticipantView;

const SELF = participant(true, 'connected');
const state = (phase: CallPhase, ...others: LinkState[]) => ({
  phase,
  moved: false,
  participants: [SELF, ...others.map((link, i) => participant(false, link, `peer${i}`))],
});

describe('statusText', () => {
  it.each<[CallPhase, string]>([
    ['connecting', 'Connecting…'],
    ['waiting', 'Waiting for others'],
    ['reconnecting', 'Reconnecting…'],
    ['ended', 'You left the call'],
    ['failed', 'Not connected'],
  ])('says %s as "%s"', (phase, text) => {
    expect(statusText(state(phase))).toBe(text);
  });

  it('says where the call went when it moved to another tab', () => {
    expect(statusText({ ...state('ended'), moved: true })).toBe('The call moved to another tab');
  });

  describe('in a call', () => {
    it('says Connected once the link to the other person is up', () => {
      expect(statusText(state('inCall', 'connected'))).toBe('Connected');
    });

    it.each<LinkState>(['new', 'connecting'])('says Connecting… while the only link is %s', (link) => {
      expect(statusText(state('inCall', link))).toBe('Connecting…');
    });

    it.each<LinkState>(['reconnecting', 'failed'])('says Reconnecting… while the only link is %s', (link) => {
      expect(statusText(state('inCall', link))).toBe('Reconnecting…');
    });

    it('says Connected when any one link of several is up', () => {
      expect(statusText(state('inCall', 'failed', 'connecting', 'connected'))).toBe('Connected');
    });

    it('prefers Reconnecting… over Connecting… when no link is up', () => {
      expect(statusText(state('inCall', 'connecting', 'reconnecting', 'new'))).toBe('Reconnecting…');
    });

    it('ignores the own tile, which always counts as connected', () => {
      expect(statusText(state('inCall', 'connecting'))).toBe('Connecting…');
    });
  });

  it('gives every phase some words', () => {
    const phases: CallPhase[] = ['connecting', 'waiting', 'inCall', 'reconnecting', 'ended', 'failed'];
    for (const phase of phases) expect(statusText(state(phase, 'new')).trim()).not.toBe('');
  });
});
