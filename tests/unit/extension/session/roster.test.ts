// The roster with the clock in the test's hand: relay addresses come and go,
// participants stay who they are. What reaches it was signed by the
// participant named (SealedSignaling's job, tested there): a welcome admits,
// any other signed message only moves someone already on it.
import { describe, expect, it } from 'vitest';
import type { ParticipantId, PeerId } from '../../../../protocol/ids.ts';
import { GONE_KEPT, HELLO_ATTEMPTS, HELLO_RETRY_MS, REJOIN_GRACE_MS, Roster } from '../../../../extension/session/roster.ts';

const alice: ParticipantId = 'alice-participant-0001';
const bob: ParticipantId = 'bob-participant-000002';
const carol: ParticipantId = 'carol-participant-0003';

const allDown = () => false;
const allUp = () => true;

/** Every address greeted again at each whole second from `from` to `to`, as [time, peer]. */
function greetings(roster: Roster, from: number, to: number, linkUp = allDown): [number, PeerId][] {
  const out: [number, PeerId][] = [];
  for (let now = from; now <= to; now += 1_000) {
    for (const peer of roster.tick(now, linkUp).greet) out.push([now, peer]);
  }
  return out;
}

/** A roster that met Alice at A1 and Bob at B1 (we joined an empty room, they came in). */
function metAliceAndBob(): Roster {
  const roster = new Roster();
  roster.joined([], 0);
  roster.peerJoined('A1', 100);
  roster.peerJoined('B1', 200);
  roster.admit('A1', alice, 150);
  roster.admit('B1', bob, 250);
  return roster;
}

describe('Roster', () => {
  describe('first meeting', () => {
    it('meets someone who greets back as a new participant at the address they spoke from', () => {
      const roster = new Roster();
      roster.joined([], 0);
      roster.peerJoined('A1', 10);
      expect(roster.admit('A1', alice, 20)).toBe('new');
      expect(roster.participants()).toEqual([alice]);
      expect(roster.peerOf(alice)).toBe('A1');
      expect(roster.isAt(alice, 'A1')).toBe(true);
    });

    it('meets everyone already in the room when they answer the greeting on join', () => {
      const roster = new Roster();
      roster.joined(['A1', 'B1'], 0);
      expect(roster.admit('B1', bob, 30)).toBe('new');
      expect(roster.admit('A1', alice, 40)).toBe('new');
      expect(roster.participants()).toEqual([bob, alice]);
    });

    it('calls a second welcome from the same address the same participant', () => {
      const roster = metAliceAndBob();
      expect(roster.admit('A1', alice, 5_000)).toBe('same');
      expect(roster.size).toBe(2);
    });

    it('takes no second participant at an address someone is at: one socket is one page', () => {
      const roster = metAliceAndBob();
      expect(roster.refuses('B1', carol)).toBe(true);
      expect(roster.refuses('B1', bob)).toBe(false);
      expect(roster.admit('B1', carol, 5_000)).toBeUndefined();
      expect(roster.has(carol)).toBe(false);
      // Nor does anyone move there: Alice's signed hello from Bob's address leaves both where they are.
      expect(roster.seen('B1', alice, 5_100)).toBeUndefined();
      expect(roster.isAt(alice, 'A1')).toBe(true);
      expect(roster.isAt(bob, 'B1')).toBe(true);
    });

    it('takes no one at an address that left: a welcome still being opened when the leave came is late', () => {
      const roster = metAliceAndBob();
      expect(roster.peerLeft('B1')).toBe(bob);
      expect(roster.refuses('B1', bob)).toBe(true);
      expect(roster.admit('B1', bob, 6_000)).toBeUndefined();
      expect(roster.admit('B1', carol, 6_000)).toBeUndefined();
      expect(roster.has(bob)).toBe(false);
      // Nor is anyone moved there.
      expect(roster.seen('B1', alice, 6_100)).toBeUndefined();
      expect(roster.isAt(alice, 'A1')).toBe(true);
    });

    it('remembers the newest GONE_KEPT addresses that left, and refuses only those', () => {
      const roster = new Roster();
      for (let i = 0; i <= GONE_KEPT; i++) roster.peerLeft(`P${i}`);
      expect(roster.refuses('P0', carol)).toBe(false);
      expect(roster.refuses('P1', carol)).toBe(true);
      expect(roster.refuses(`P${GONE_KEPT}`, carol)).toBe(true);
    });

    it('knows no one before any welcome, whatever addresses joined', () => {
      const roster = new Roster();
      roster.joined(['A1'], 0);
      roster.peerJoined('B1', 10);
      expect(roster.size).toBe(0);
      expect(roster.peerOf(alice)).toBeUndefined();
      expect(roster.isAt(alice, 'A1')).toBe(false);
    });

    it('stops greeting an address once it answered', () => {
      const roster = new Roster();
      roster.joined([], 0);
      roster.peerJoined('A1', 0);
      roster.admit('A1', alice, 500);
      expect(greetings(roster, 1_000, 10_000)).toEqual([]);
    });
  });

  describe('a relay restart', () => {
    it('keeps everyone when they reappear at new addresses without any leave, each as moved', () => {
      const roster = metAliceAndBob();
      // The restarted relay takes us back first, then the others one by one; no peerLeft for A1 or B1 ever comes.
      roster.joined([], 20_000);
      roster.peerJoined('A2', 20_100);
      expect(roster.admit('A2', alice, 20_150)).toBe('moved');
      roster.peerJoined('B2', 20_300);
      expect(roster.admit('B2', bob, 20_350)).toBe('moved');
      expect(roster.participants()).toEqual([alice, bob]);
      expect(roster.peerOf(alice)).toBe('A2');
      expect(roster.isAt(alice, 'A1')).toBe(false);
      expect(roster.isAt(bob, 'B2')).toBe(true);
    });

    it('keeps everyone who came back after the grace, even with every link down', () => {
      const roster = metAliceAndBob();
      roster.joined(['A2', 'B2'], 20_000);
      roster.admit('A2', alice, 20_100);
      roster.admit('B2', bob, 21_000);
      expect(roster.tick(20_000 + REJOIN_GRACE_MS, allDown).drop).toEqual([]);
      expect(roster.tick(20_000 + 5 * REJOIN_GRACE_MS, allDown).drop).toEqual([]);
      expect(roster.size).toBe(2);
    });

    it('still sees the leave of someone who took over the old address of a participant who then moved', () => {
      const roster = metAliceAndBob();
      roster.joined([], 20_000);
      // A restarted relay mints addresses afresh; the participant id decides who it is.
      expect(roster.admit('A1', carol, 20_100)).toBe('new');
      expect(roster.admit('A3', alice, 20_200)).toBe('moved');
      expect(roster.peerOf(carol)).toBe('A1');
      expect(roster.peerLeft('A1')).toBe(carol);
      expect(roster.has(alice)).toBe(true);
    });
  });

  describe('a participant who never comes back', () => {
    it('is dropped once the grace after the rejoin is over, if their link is down', () => {
      const roster = metAliceAndBob();
      roster.joined(['A2'], 20_000);
      roster.admit('A2', alice, 20_100);
      const linkUp = (p: ParticipantId) => p === alice;
      expect(roster.tick(20_000 + REJOIN_GRACE_MS - 1, linkUp).drop).toEqual([]);
      expect(roster.has(bob)).toBe(true);
      expect(roster.tick(20_000 + REJOIN_GRACE_MS, linkUp).drop).toEqual([bob]);
      expect(roster.participants()).toEqual([alice]);
      expect(roster.peerOf(bob)).toBeUndefined();
    });

    it('is kept while their link is still up, and dropped at the first tick after it goes down', () => {
      const roster = metAliceAndBob();
      roster.joined([], 20_000);
      let bobUp = true;
      const linkUp = (p: ParticipantId) => p === bob && bobUp;
      expect(roster.tick(20_000 + REJOIN_GRACE_MS, linkUp).drop).toEqual([alice]);
      expect(roster.tick(20_000 + 3 * REJOIN_GRACE_MS, linkUp).drop).toEqual([]);
      bobUp = false;
      expect(roster.tick(20_000 + 3 * REJOIN_GRACE_MS + 1_000, linkUp).drop).toEqual([bob]);
      expect(roster.size).toBe(0);
    });

    it('is dropped once only, and a later welcome meets them as new', () => {
      const roster = metAliceAndBob();
      roster.joined([], 20_000);
      expect(roster.tick(30_000, allDown).drop).toEqual([alice, bob]);
      expect(roster.tick(31_000, allDown).drop).toEqual([]);
      expect(roster.admit('A9', alice, 32_000)).toBe('new');
    });

    it('counts the grace from the latest rejoin', () => {
      const roster = metAliceAndBob();
      roster.joined([], 20_000);
      roster.joined([], 25_000);
      expect(roster.tick(25_000 + REJOIN_GRACE_MS - 1, allDown).drop).toEqual([]);
      expect(roster.tick(25_000 + REJOIN_GRACE_MS, allDown).drop).toEqual([alice, bob]);
    });

    it('never drops anyone who was met after the rejoin', () => {
      const roster = metAliceAndBob();
      roster.joined([], 20_000);
      roster.admit('C1', carol, 21_000);
      expect(roster.tick(40_000, allDown).drop).toEqual([alice, bob]);
      expect(roster.participants()).toEqual([carol]);
    });

    it('drops no one when no rejoin happened, however long their link is down', () => {
      const roster = metAliceAndBob();
      expect(roster.tick(10 * REJOIN_GRACE_MS, allDown).drop).toEqual([]);
      expect(roster.size).toBe(2);
    });

    it('starts no grace when the first join found an empty room', () => {
      const roster = new Roster();
      roster.joined([], 0);
      roster.joined([], 1_000); // a reconnect before anyone was met
      roster.admit('A1', alice, 2_000);
      expect(roster.tick(1_000 + REJOIN_GRACE_MS, allDown).drop).toEqual([]);
    });
  });

  describe('a hello lost and retried', () => {
    it(`greets an address that joined again every ${HELLO_RETRY_MS} ms, ${HELLO_ATTEMPTS} times in all, then gives up`, () => {
      const roster = new Roster();
      roster.joined([], 0);
      roster.peerJoined('A1', 500); // the caller's first greeting
      expect(greetings(roster, 1_000, 20_000)).toEqual([
        [3_000, 'A1'],
        [5_000, 'A1'],
      ]);
      expect(HELLO_ATTEMPTS).toBe(3);
    });

    it('greets everyone already in the room again when no welcome comes back after the join', () => {
      const roster = new Roster();
      roster.joined(['A1', 'B1'], 0);
      roster.admit('B1', bob, 400);
      expect(greetings(roster, 1_000, 10_000)).toEqual([
        [2_000, 'A1'],
        [4_000, 'A1'],
      ]);
    });

    it('stops greeting as soon as the answer to a retry arrives', () => {
      const roster = new Roster();
      roster.joined([], 0);
      roster.peerJoined('A1', 0);
      expect(greetings(roster, 1_000, 2_000)).toEqual([[2_000, 'A1']]);
      expect(roster.admit('A1', alice, 2_300)).toBe('new');
      expect(greetings(roster, 3_000, 10_000)).toEqual([]);
    });

    it('stops greeting an address that left', () => {
      const roster = new Roster();
      roster.joined([], 0);
      roster.peerJoined('A1', 0);
      expect(roster.peerLeft('A1')).toBeUndefined();
      expect(greetings(roster, 1_000, 10_000)).toEqual([]);
    });

    it('forgets the greetings of the last connection on a rejoin and greets the new addresses instead', () => {
      const roster = new Roster();
      roster.joined([], 0);
      roster.peerJoined('A1', 0);
      roster.joined(['A2'], 1_500);
      expect(greetings(roster, 2_000, 10_000)).toEqual([
        [4_000, 'A2'],
        [6_000, 'A2'],
      ]);
    });
  });

  describe('a signed message that names no session (a hello, a presence change)', () => {
    // Only SealedSignaling's verified messages reach the roster: the id is the
    // signer's. But a hello may be old, replayed into a page that just began.
    it('does not put someone on the roster: only a welcome bound to this page does', () => {
      const roster = new Roster();
      roster.joined(['A1'], 0);
      expect(roster.seen('A1', alice, 10)).toBeUndefined();
      expect(roster.size).toBe(0);
      expect(roster.peerOf(alice)).toBeUndefined();
    });

    it('keeps greeting an address whose hello came but whose welcome did not', () => {
      const roster = new Roster();
      roster.joined([], 0);
      roster.peerJoined('A1', 0);
      roster.seen('A1', alice, 100);
      expect(greetings(roster, 1_000, 10_000).map(([, peer]) => peer)).toEqual(['A1', 'A1']);
    });

    it('moves someone on the roster to where they speak from now (their own signed word)', () => {
      const roster = metAliceAndBob();
      expect(roster.seen('A2', alice, 1_000)).toBe('moved');
      expect(roster.peerOf(alice)).toBe('A2');
      expect(roster.seen('A2', alice, 1_100)).toBe('same');
      // The old address leaving is then not Alice leaving; the new one's is.
      expect(roster.peerLeft('A1')).toBeUndefined();
      expect(roster.peerLeft('A2')).toBe(alice);
    });

    it('stops greeting an address once its participant, already on the roster, speaks from it', () => {
      const roster = metAliceAndBob();
      roster.joined(['A2'], 1_000);
      roster.seen('A2', alice, 1_100);
      expect(greetings(roster, 2_000, 10_000, allUp)).toEqual([]);
    });
  });

  describe('two joins at once', () => {
    it('greets and meets two addresses that joined in the same instant, in the order they answered', () => {
      const roster = new Roster();
      roster.joined([], 0);
      roster.peerJoined('B1', 1_000);
      roster.peerJoined('A1', 1_000);
      expect(roster.admit('A1', alice, 1_050)).toBe('new');
      expect(roster.admit('B1', bob, 1_060)).toBe('new');
      expect(roster.participants()).toEqual([alice, bob]);
      expect(roster.isAt(alice, 'A1') && roster.isAt(bob, 'B1')).toBe(true);
    });

    it('retries only the one of two simultaneous joiners whose answer was lost', () => {
      const roster = new Roster();
      roster.joined([], 0);
      roster.peerJoined('A1', 1_000);
      roster.peerJoined('B1', 1_000);
      roster.admit('B1', bob, 1_100);
      expect(greetings(roster, 2_000, 10_000)).toEqual([
        [3_000, 'A1'],
        [5_000, 'A1'],
      ]);
    });

    it('keeps two participants apart when both join while a third is known', () => {
      const roster = new Roster();
      roster.joined(['C1'], 0);
      roster.admit('C1', carol, 10);
      roster.peerJoined('A1', 500);
      roster.peerJoined('B1', 500);
      roster.admit('B1', bob, 600);
      roster.admit('A1', alice, 600);
      expect(roster.participants()).toEqual([carol, bob, alice]);
      expect(roster.peerLeft('A1')).toBe(alice);
      expect(roster.participants()).toEqual([carol, bob]);
    });
  });

  describe('leaving', () => {
    it('says who left when their current address leaves, and forgets them', () => {
      const roster = metAliceAndBob();
      expect(roster.peerLeft('B1')).toBe(bob);
      expect(roster.has(bob)).toBe(false);
      expect(roster.peerLeft('B1')).toBeUndefined();
    });

    it('does not take a peerLeft for an old address as a leave', () => {
      const roster = metAliceAndBob();
      // A reconnect: Alice's new socket announced itself before the relay timed out the old one.
      roster.peerJoined('A2', 5_000);
      expect(roster.admit('A2', alice, 5_100)).toBe('moved');
      expect(roster.peerLeft('A1')).toBeUndefined();
      expect(roster.participants()).toEqual([alice, bob]);
      expect(roster.peerOf(alice)).toBe('A2');
    });

    it('does not take a peerLeft for an address from before a rejoin as a leave, even before they re-announce', () => {
      const roster = metAliceAndBob();
      roster.joined([], 20_000);
      expect(roster.peerLeft('A1')).toBeUndefined();
      expect(roster.has(alice)).toBe(true);
    });

    it('ignores a peerLeft for an address it never heard from', () => {
      const roster = metAliceAndBob();
      expect(roster.peerLeft('Z9')).toBeUndefined();
      expect(roster.size).toBe(2);
    });

    it('forgets a participant removed by the caller, and a later welcome meets them as new', () => {
      const roster = metAliceAndBob();
      roster.remove(alice);
      roster.remove(alice);
      expect(roster.participants()).toEqual([bob]);
      expect(roster.peerLeft('A1')).toBeUndefined();
      // Back from a new socket: the one that left takes no one.
      expect(roster.admit('A2', alice, 9_000)).toBe('new');
    });

    it('drops no one and greets no one at a tick when all is quiet', () => {
      const roster = metAliceAndBob();
      expect(roster.tick(1_000_000, allUp)).toEqual({ greet: [], drop: [] });
    });
  });
});
