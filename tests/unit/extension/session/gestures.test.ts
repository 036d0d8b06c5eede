import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GestureMessage } from '../../../../protocol/data.ts';
import type { ParticipantId } from '../../../../protocol/ids.ts';
import {
  GESTURE_RENDER_MS,
  Gestures,
  HAND_ANNOUNCE_LIMITS,
  REACTION_RECEIVE_LIMITS,
  REACTION_SEND_LIMITS,
  REACTION_SHOW_MS,
  type GestureState,
} from '../../../../extension/session/gestures.ts';
import { LOWER_HAND_OFFER_AFTER_MS } from '../../../../extension/session/hand-queue.ts';

const ME: ParticipantId = 'me-0000';
const BO: ParticipantId = 'bo-0000';
const CY: ParticipantId = 'cy-0000';

let now = 0;
let sent: { msg: GestureMessage; to?: ParticipantId }[];
let gestures: Gestures;
let states: GestureState[];

beforeEach(() => {
  vi.useFakeTimers();
  now = 0;
  sent = [];
  states = [];
  gestures = new Gestures({ self: ME, send: (msg, to) => sent.push(to === undefined ? { msg } : { msg, to }), now: () => now });
  gestures.on('changed', (s) => states.push(s));
});

afterEach(() => {
  gestures.close();
  vi.useRealTimers();
});

const later = (ms: number) => {
  now += ms;
  vi.advanceTimersByTime(ms);
};

describe('Gestures: hands', () => {
  it('raises this person’s hand for everyone and shows it at once, first in line', () => {
    gestures.toggleHand();
    expect(sent).toEqual([{ msg: { type: 'hand', raised: true, stamp: 1 } }]);
    expect(gestures.handRaised).toBe(true);
    expect(gestures.state.hands).toEqual({ self: 1 });
    expect(states).toHaveLength(1);
    gestures.toggleHand();
    expect(sent[1]).toEqual({ msg: { type: 'hand', raised: false, stamp: 2 } });
    expect(gestures.state.hands).toEqual({});
  });

  it('shows a peer’s hand behind the ones raised before it, and says so once', () => {
    const raised: { from: string; place: number }[] = [];
    gestures.on('handRaised', (e) => raised.push(e));
    gestures.raiseHand();
    gestures.receive(BO, { type: 'hand', raised: true, stamp: 2 });
    gestures.receive(BO, { type: 'hand', raised: true, stamp: 2 }); // again: no news
    later(GESTURE_RENDER_MS);
    expect(gestures.state.hands).toEqual({ self: 1, [BO]: 2 });
    expect(raised).toEqual([{ from: BO, place: 2 }]);
  });

  it('tells a newcomer about a raised hand, and only that newcomer', () => {
    gestures.peerJoined(BO);
    expect(sent).toEqual([]);
    gestures.raiseHand();
    gestures.peerJoined(CY);
    expect(sent.at(-1)).toEqual({ msg: { type: 'hand', raised: true, stamp: 1 }, to: CY });
  });

  it('drops the hand and the reactions of someone who left', () => {
    gestures.receive(BO, { type: 'hand', raised: true, stamp: 1 });
    gestures.receive(BO, { type: 'reaction', reaction: 'clap' });
    later(GESTURE_RENDER_MS);
    expect(gestures.state.hands[BO]).toBe(1);
    gestures.peerLeft(BO);
    later(GESTURE_RENDER_MS);
    expect(gestures.state.hands).toEqual({});
    expect(gestures.state.reactions).toEqual({});
  });

  it('renders a flood of hand messages from one peer once per interval', () => {
    for (let stamp = 1; stamp <= 1000; stamp++) gestures.receive(BO, { type: 'hand', raised: stamp % 2 === 1, stamp });
    later(GESTURE_RENDER_MS);
    expect(states).toHaveLength(1);
    expect(gestures.state.hands).toEqual({});
  });

  it(`says a peer’s raised hand aloud at most ${HAND_ANNOUNCE_LIMITS.burst} times at once however often it goes up, and again later`, () => {
    const raised: { from: string; place: number }[] = [];
    gestures.on('handRaised', (e) => raised.push(e));
    for (let stamp = 1; stamp <= 1000; stamp++) gestures.receive(BO, { type: 'hand', raised: stamp % 2 === 1, stamp });
    gestures.receive(CY, { type: 'hand', raised: true, stamp: 1 });
    expect(raised.filter((e) => e.from === BO)).toHaveLength(HAND_ANNOUNCE_LIMITS.burst);
    expect(raised.filter((e) => e.from === CY)).toHaveLength(1); // someone else's hand is still news
    later(1000 / HAND_ANNOUNCE_LIMITS.perSecond);
    gestures.receive(BO, { type: 'hand', raised: true, stamp: 1001 });
    expect(raised.filter((e) => e.from === BO)).toHaveLength(HAND_ANNOUNCE_LIMITS.burst + 1);
    later(GESTURE_RENDER_MS);
    expect(gestures.state.hands[BO]).toBe(2); // the place in line shows all the same
  });

  it('ignores its own messages echoed back', () => {
    gestures.receive(ME, { type: 'hand', raised: true, stamp: 5 });
    gestures.receive(ME, { type: 'reaction', reaction: 'heart' });
    later(GESTURE_RENDER_MS);
    expect(gestures.state).toEqual({ hands: {}, reactions: {}, offerLowerHand: false });
  });
});

describe('Gestures: reactions', () => {
  it('sends a reaction to everyone, shows it over this person’s tile, and takes it away after a few seconds', () => {
    expect(gestures.react('thumbsUp')).toBe(true);
    expect(sent).toEqual([{ msg: { type: 'reaction', reaction: 'thumbsUp' } }]);
    expect(gestures.state.reactions.self?.map((r) => r.reaction)).toEqual(['thumbsUp']);
    later(REACTION_SHOW_MS - 1);
    expect(gestures.state.reactions.self).toHaveLength(1);
    later(1 + GESTURE_RENDER_MS);
    expect(gestures.state.reactions).toEqual({});
  });

  it(`sends at most ${REACTION_SEND_LIMITS.burst} at once and ${REACTION_SEND_LIMITS.perSecond} a second after that`, () => {
    const results = Array.from({ length: 10 }, () => gestures.react('clap'));
    expect(results.filter(Boolean)).toHaveLength(REACTION_SEND_LIMITS.burst);
    expect(sent).toHaveLength(REACTION_SEND_LIMITS.burst);
    later(1000 / REACTION_SEND_LIMITS.perSecond);
    expect(gestures.react('clap')).toBe(true);
    expect(gestures.react('clap')).toBe(false);
  });

  it('shows a peer’s reaction over their tile and announces it once', () => {
    const heard: { from: string; reaction: string }[] = [];
    gestures.on('reacted', (e) => heard.push(e));
    gestures.receive(BO, { type: 'reaction', reaction: 'laugh' });
    later(GESTURE_RENDER_MS);
    expect(gestures.state.reactions[BO]?.map((r) => r.reaction)).toEqual(['laugh']);
    expect(heard).toEqual([{ from: BO, reaction: 'laugh' }]);
  });

  it('drops what a peer sends past the limit, however it was sent, and keeps others’ apart', () => {
    const heard: string[] = [];
    gestures.on('reacted', (e) => heard.push(e.from));
    for (let i = 0; i < 50; i++) gestures.receive(BO, { type: 'reaction', reaction: 'heart' });
    gestures.receive(CY, { type: 'reaction', reaction: 'heart' });
    later(GESTURE_RENDER_MS);
    expect(gestures.state.reactions[BO]).toHaveLength(REACTION_RECEIVE_LIMITS.burst);
    expect(heard.filter((f) => f === BO)).toHaveLength(REACTION_RECEIVE_LIMITS.burst);
    expect(gestures.state.reactions[CY]).toHaveLength(1);
    // Over a minute of flooding, no more than the rate shows.
    let shown = 0;
    gestures.on('reacted', () => shown++);
    for (let t = 0; t < 60_000; t += 10) {
      later(10);
      gestures.receive(BO, { type: 'reaction', reaction: 'heart' });
    }
    expect(shown).toBeLessThanOrEqual((60_000 / 1000) * REACTION_RECEIVE_LIMITS.perSecond + 1);
  });

  it('lets the send limit sit inside the receive limit, so an honest burst is never cut', () => {
    expect(REACTION_RECEIVE_LIMITS.burst).toBeGreaterThanOrEqual(REACTION_SEND_LIMITS.burst);
    expect(REACTION_RECEIVE_LIMITS.perSecond).toBeGreaterThanOrEqual(REACTION_SEND_LIMITS.perSecond);
  });
});

describe('Gestures: the lower-hand offer', () => {
  const speakFor = (ms: number) => {
    for (let t = 0; t < ms; t += 150) {
      later(150);
      gestures.selfSpeaking(true, now);
    }
  };

  it('offers to lower the hand after a few seconds of speaking with it up, and not without it', () => {
    speakFor(LOWER_HAND_OFFER_AFTER_MS + 300);
    expect(gestures.state.offerLowerHand).toBe(false);
    gestures.raiseHand();
    speakFor(LOWER_HAND_OFFER_AFTER_MS + 300);
    expect(gestures.state.offerLowerHand).toBe(true);
  });

  it('withdraws the offer when the hand goes down, or when the person keeps it up', () => {
    gestures.raiseHand();
    speakFor(LOWER_HAND_OFFER_AFTER_MS + 300);
    gestures.dismissLowerHandOffer();
    expect(gestures.state.offerLowerHand).toBe(false);
    speakFor(LOWER_HAND_OFFER_AFTER_MS + 300);
    expect(gestures.state.offerLowerHand).toBe(false);
    gestures.lowerHand();
    gestures.raiseHand();
    speakFor(LOWER_HAND_OFFER_AFTER_MS + 300);
    expect(gestures.state.offerLowerHand).toBe(true);
    gestures.lowerHand();
    expect(gestures.state.offerLowerHand).toBe(false);
  });
});

describe('Gestures: close', () => {
  it('sends nothing and renders nothing once closed, and is safe twice', () => {
    gestures.receive(BO, { type: 'reaction', reaction: 'surprised' });
    gestures.close();
    gestures.close();
    later(REACTION_SHOW_MS + GESTURE_RENDER_MS);
    expect(states).toEqual([]);
    expect(gestures.react('clap')).toBe(false);
    gestures.raiseHand();
    gestures.peerJoined(CY);
    expect(sent).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
