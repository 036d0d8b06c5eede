import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_HAND_STAMP, type HandMessage } from '../../../../protocol/data.ts';
import {
  HandQueue,
  LOWER_HAND_OFFER_AFTER_MS,
  MAX_HAND_STEP,
  NO_OFFER,
  beforeInLine,
  nextLowerHandOffer,
  type LowerHandOffer,
} from '../../../../extension/session/hand-queue.ts';
import { RUNS } from '../../../support/arbitraries.ts';

const names = (q: HandQueue) => q.line().map((h) => h.participant);

describe('HandQueue', () => {
  it('keeps the line in raising order after a peer sends a stamp at the cap: one message moves the counter MAX_HAND_STEP at most', () => {
    const ann = new HandQueue('ann');
    const ben = new HandQueue('ben');
    ann.receive('mallory', { type: 'hand', raised: false, stamp: MAX_HAND_STAMP });
    ben.receive('mallory', { type: 'hand', raised: false, stamp: MAX_HAND_STAMP });
    // Ben ('ben' sorts after 'ann') raises first; Ann raises after hearing him.
    const first = ben.raise()!;
    ann.receive('ben', first);
    const second = ann.raise()!;
    ben.receive('ann', second);
    expect(first.stamp).toBeLessThan(MAX_HAND_STAMP);
    expect(second.stamp).toBeGreaterThan(first.stamp);
    expect(names(ann)).toEqual(['ben', 'ann']);
    expect(names(ben)).toEqual(['ben', 'ann']);
    expect(first.stamp).toBeLessThanOrEqual(MAX_HAND_STEP + 1);
  });

  it('puts a hand raised after seeing another one behind it', () => {
    const ann = new HandQueue('ann');
    const bo = new HandQueue('bo');
    const annUp = ann.raise()!;
    bo.receive('ann', annUp);
    const boUp = bo.raise()!;
    ann.receive('bo', boUp);
    expect(names(ann)).toEqual(['ann', 'bo']);
    expect(names(bo)).toEqual(['ann', 'bo']);
    expect(bo.places()).toEqual(
      new Map([
        ['ann', 1],
        ['bo', 2],
      ]),
    );
  });

  it('orders hands raised at the same time by participant id, the same at both ends', () => {
    const zed = new HandQueue('zed');
    const amy = new HandQueue('amy');
    const z = zed.raise()!;
    const a = amy.raise()!;
    expect(z.stamp).toBe(a.stamp);
    zed.receive('amy', a);
    amy.receive('zed', z);
    expect(names(zed)).toEqual(['amy', 'zed']);
    expect(names(amy)).toEqual(['amy', 'zed']);
  });

  it('ignores wall clocks entirely: only what each person saw decides', () => {
    // Stamps come from counters, so nothing a clock says can be sent or trusted.
    const msg = new HandQueue('a').raise()!;
    expect(Object.keys(msg).sort()).toEqual(['raised', 'stamp', 'type']);
  });

  it('takes a lowered hand out of line, and a raise after that goes to the back', () => {
    const ann = new HandQueue('ann');
    ann.receive('bo', { type: 'hand', raised: true, stamp: 1 });
    ann.receive('cy', { type: 'hand', raised: true, stamp: 2 });
    ann.receive('bo', { type: 'hand', raised: false, stamp: 3 });
    expect(names(ann)).toEqual(['cy']);
    ann.receive('bo', { type: 'hand', raised: true, stamp: 4 });
    expect(names(ann)).toEqual(['cy', 'bo']);
  });

  it('drops a message older than one already heard from the same person', () => {
    const ann = new HandQueue('ann');
    expect(ann.receive('bo', { type: 'hand', raised: false, stamp: 5 })).toBe(false);
    expect(ann.receive('bo', { type: 'hand', raised: true, stamp: 4 })).toBe(false);
    expect(ann.isUp('bo')).toBe(false);
  });

  it('hears the same raise twice without change, as a newcomer catching up may', () => {
    const ann = new HandQueue('ann');
    expect(ann.receive('bo', { type: 'hand', raised: true, stamp: 2 })).toBe(true);
    expect(ann.receive('bo', { type: 'hand', raised: true, stamp: 2 })).toBe(false);
    expect(ann.places().get('bo')).toBe(1);
  });

  it('gives a newcomer the hands already up with their own stamps, so the newcomer sees the same line', () => {
    const ann = new HandQueue('ann');
    const bo = new HandQueue('bo');
    bo.receive('ann', ann.raise()!);
    ann.receive('bo', bo.raise()!);
    const late = new HandQueue('cy');
    // Each of them tells the newcomer its own hand, in whatever order the links open.
    late.receive('bo', bo.mine()!);
    late.receive('ann', ann.mine()!);
    expect(names(late)).toEqual(['ann', 'bo']);
    // And the newcomer's own raise goes to the back.
    const cy = late.raise()!;
    ann.receive('cy', cy);
    expect(names(ann)).toEqual(['ann', 'bo', 'cy']);
  });

  it('removes the hand of someone who left, and forgets them', () => {
    const ann = new HandQueue('ann');
    ann.receive('bo', { type: 'hand', raised: true, stamp: 9 });
    expect(ann.remove('bo')).toBe(true);
    expect(ann.line()).toEqual([]);
    expect(ann.remove('bo')).toBe(false);
    // Back in the call (a new page would be a new participant anyway), a low stamp is not stale.
    expect(ann.receive('bo', { type: 'hand', raised: true, stamp: 1 })).toBe(true);
  });

  it('raises and lowers its own hand once each, and has nothing to say a newcomer when down', () => {
    const ann = new HandQueue('ann');
    expect(ann.mine()).toBeUndefined();
    expect(ann.lower()).toBeUndefined();
    const up = ann.raise();
    expect(up?.raised).toBe(true);
    expect(ann.raise()).toBeUndefined();
    expect(ann.mine()).toEqual(up);
    const down = ann.lower()!;
    expect(down.raised).toBe(false);
    expect(down.stamp).toBeGreaterThan(up!.stamp);
    expect(ann.mine()).toBeUndefined();
  });

  it('raises its own hand before it knows its own id, and sorts it under that id once known', () => {
    let id: string | undefined;
    const me = new HandQueue(() => id);
    me.raise();
    expect(me.raised).toBe(true);
    id = 'mmm';
    me.receive('aaa', { type: 'hand', raised: true, stamp: 1 }); // the same stamp: the id decides
    expect(names(me)).toEqual(['aaa', 'mmm']);
    expect(me.isUp('mmm')).toBe(true);
    expect(me.receive('mmm', { type: 'hand', raised: false, stamp: 9 })).toBe(false); // an echo of ours
  });

  it('ignores its own hand echoed back by a peer', () => {
    const ann = new HandQueue('ann');
    expect(ann.receive('ann', { type: 'hand', raised: true, stamp: 3 })).toBe(false);
    expect(ann.isUp('ann')).toBe(false);
  });

  it('moves its counter MAX_HAND_STEP at most when a peer sends the highest stamp, and still keeps one order', () => {
    const ann = new HandQueue('ann');
    const bo = new HandQueue('bo');
    const huge: HandMessage = { type: 'hand', raised: true, stamp: MAX_HAND_STAMP };
    ann.receive('mallory', huge);
    bo.receive('mallory', huge);
    const a = ann.raise()!;
    const b = bo.raise()!;
    expect(a.stamp).toBe(MAX_HAND_STEP + 1);
    expect(Number.isSafeInteger(b.stamp)).toBe(true);
    ann.receive('bo', b);
    bo.receive('ann', a);
    expect(names(ann)).toEqual(names(bo));
    expect(names(ann)).toEqual(['ann', 'bo', 'mallory']);
  });
});

describe('beforeInLine', () => {
  it('is a strict total order on distinct participants: lower stamp, then lower id', () => {
    expect(beforeInLine({ participant: 'b', stamp: 1 }, { participant: 'a', stamp: 2 })).toBeLessThan(0);
    expect(beforeInLine({ participant: 'a', stamp: 2 }, { participant: 'b', stamp: 2 })).toBeLessThan(0);
    expect(beforeInLine({ participant: 'b', stamp: 2 }, { participant: 'a', stamp: 2 })).toBeGreaterThan(0);
  });
});

/**
 * A call of a few people: each raises and lowers at random, and every message
 * reaches each other person in the order it was sent (one ordered channel per
 * pair) but interleaved with other senders' messages at random, as a mesh
 * delivers them.
 */
describe('HandQueue in a simulated call', () => {
  type Step = { kind: 'act'; who: number } | { kind: 'deliver'; to: number; from: number };
  const PEOPLE = ['p0', 'p1', 'p2', 'p3'];
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ kind: fc.constant('act' as const), who: fc.nat(PEOPLE.length - 1) }),
    fc.record({ kind: fc.constant('deliver' as const), to: fc.nat(PEOPLE.length - 1), from: fc.nat(PEOPLE.length - 1) }),
  );

  function run(steps: Step[]) {
    const queues = PEOPLE.map((p) => new HandQueue(p));
    // inbox[to][from]: messages sent but not yet delivered, oldest first.
    const inbox = PEOPLE.map(() => PEOPLE.map(() => [] as HandMessage[]));
    // For each raise: the hands its raiser already saw up (they must stay ahead of it).
    const sawAhead: { who: string; stamp: number; ahead: { participant: string; stamp: number }[] }[] = [];
    const deliver = (to: number, from: number) => {
      const msg = inbox[to]![from]!.shift();
      if (msg) queues[to]!.receive(PEOPLE[from]!, msg);
    };
    for (const s of steps) {
      if (s.kind === 'deliver') {
        deliver(s.to, s.from);
        continue;
      }
      const q = queues[s.who]!;
      const before = q.line();
      const msg = q.isUp(PEOPLE[s.who]!) ? q.lower() : q.raise();
      if (!msg) continue;
      if (msg.raised) sawAhead.push({ who: PEOPLE[s.who]!, stamp: msg.stamp, ahead: before });
      for (let to = 0; to < PEOPLE.length; to++) if (to !== s.who) inbox[to]![s.who]!.push(msg);
    }
    // Everything still in flight arrives.
    for (let to = 0; to < PEOPLE.length; to++)
      for (let from = 0; from < PEOPLE.length; from++) while (inbox[to]![from]!.length) deliver(to, from);
    return { queues, sawAhead };
  }

  it('shows every person the same line once every message has arrived, in any interleaving', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const { queues } = run(steps);
        const first = queues[0]!.line();
        for (const q of queues) expect(q.line()).toEqual(first);
        // The line is exactly the hands whose owners have them up.
        expect(first.map((h) => h.participant).sort()).toEqual(PEOPLE.filter((p, i) => queues[i]!.isUp(p)).sort());
      }),
      { numRuns: RUNS },
    );
  });

  it('never lets a hand jump ahead of one its raiser already saw up', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const { queues, sawAhead } = run(steps);
        const final = queues[0]!.line();
        const at = (participant: string, stamp: number) => final.findIndex((h) => h.participant === participant && h.stamp === stamp);
        for (const raise of sawAhead) {
          const mine = at(raise.who, raise.stamp);
          if (mine < 0) continue; // lowered since
          for (const h of raise.ahead) {
            const theirs = at(h.participant, h.stamp);
            if (theirs >= 0) expect(theirs).toBeLessThan(mine);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('nextLowerHandOffer', () => {
  const speak = (state: LowerHandOffer, from: number, to: number, handUp = true) => {
    let s = state;
    for (let t = from; t <= to; t += 150) s = nextLowerHandOffer(s, handUp, true, t);
    return s;
  };

  it(`offers to lower the hand after ${LOWER_HAND_OFFER_AFTER_MS} ms of speaking with it up`, () => {
    expect(speak(NO_OFFER, 0, LOWER_HAND_OFFER_AFTER_MS - 150).offer).toBe('none');
    expect(speak(NO_OFFER, 0, LOWER_HAND_OFFER_AFTER_MS).offer).toBe('shown');
  });

  it('starts counting again after a silence', () => {
    let s = speak(NO_OFFER, 0, 2_000);
    s = nextLowerHandOffer(s, true, false, 2_100);
    s = speak(s, 2_200, 2_200 + LOWER_HAND_OFFER_AFTER_MS - 150);
    expect(s.offer).toBe('none');
  });

  it('never offers while the hand is down, and forgets everything when it goes down', () => {
    expect(speak(NO_OFFER, 0, 10_000, false)).toBe(NO_OFFER);
    const shown = speak(NO_OFFER, 0, LOWER_HAND_OFFER_AFTER_MS);
    expect(nextLowerHandOffer(shown, false, true, 99_000)).toBe(NO_OFFER);
  });

  it('does not offer again once answered, until the hand goes down and up again', () => {
    const answered: LowerHandOffer = { ...speak(NO_OFFER, 0, LOWER_HAND_OFFER_AFTER_MS), offer: 'answered' };
    expect(speak(answered, 5_000, 20_000).offer).toBe('answered');
    const again = speak(nextLowerHandOffer(answered, false, false, 21_000), 22_000, 22_000 + LOWER_HAND_OFFER_AFTER_MS);
    expect(again.offer).toBe('shown');
  });
});
