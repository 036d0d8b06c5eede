import { afterEach, describe, expect, it, vi } from 'vitest';
import { Chat, type ChatDrop, type ChatEntry } from '../../../../extension/session/chat.ts';
import type { ChatLimits } from '../../../../extension/session/chat-rate.ts';
import { MAX_CHAT_TEXT_BYTES, encodeDataMessage } from '../../../../protocol/data.ts';
import type { Channel } from '../../../../extension/session/channel.ts';
import { ChannelEvents } from './channel-events.ts';

// A real RTCDataChannel must fit the interface the chat is written against (checked by tsc).
const realChannelFits = (dc: RTCDataChannel): Channel => dc;
void realChannelFits;

/**
 * One end of an in-memory, ordered, reliable channel pair. Messages arrive in a
 * later task (setTimeout 0), like a real channel's; both ends start
 * 'connecting' and open together once `open()` is called.
 */
class FakeChannel extends ChannelEvents implements Channel {
  readyState: RTCDataChannelState = 'connecting';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  binaryType: BinaryType = 'blob';
  remote!: FakeChannel;
  readonly sent: string[] = [];

  constructor(readonly label: string) {
    super();
  }

  send(data: string | ArrayBuffer): void {
    if (this.readyState !== 'open') throw new DOMException('channel not open', 'InvalidStateError');
    if (typeof data !== 'string') throw new Error('the chat channel only sends text in these tests');
    this.sent.push(data);
    setTimeout(() => {
      if (this.remote.readyState === 'open') this.remote.dispatchEvent(new MessageEvent('message', { data }));
    });
  }

  close(): void {
    for (const end of [this, this.remote]) {
      if (end.readyState === 'closed') continue;
      end.readyState = 'closed';
      end.dispatchEvent(new Event('close'));
    }
  }
}

function channelPair(label = 'chat'): { a: FakeChannel; b: FakeChannel; open: () => void } {
  const a = new FakeChannel(label);
  const b = new FakeChannel(label);
  a.remote = b;
  b.remote = a;
  const open = () => {
    for (const end of [a, b]) {
      end.readyState = 'open';
      end.dispatchEvent(new Event('open'));
    }
  };
  return { a, b, open };
}

/** Resolves once every message sent so far has been delivered (each is one setTimeout away). */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 5));

function record(chat: Chat): ChatEntry[] {
  const entries: ChatEntry[] = [];
  chat.on('message', (e) => entries.push(e));
  return entries;
}

/** Alice and Bob, each with a Chat, joined by one open channel pair. */
function twoPeople() {
  const alice = new Chat();
  const bob = new Chat();
  const pair = channelPair();
  alice.addPeer('bob', pair.a);
  bob.addPeer('alice', pair.b);
  pair.open();
  return { alice, bob, pair, aliceSaw: record(alice), bobSaw: record(bob) };
}

/** Alice with a channel to Bob and one to Cy, none open yet. */
function threePeople() {
  const alice = new Chat();
  const bob = new Chat();
  const cy = new Chat();
  const ab = channelPair();
  const ac = channelPair();
  alice.addPeer('bob', ab.a);
  bob.addPeer('alice', ab.b);
  alice.addPeer('cy', ac.a);
  cy.addPeer('alice', ac.b);
  return { alice, bob, cy, ab, ac };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Chat', () => {
  it('emits the sender its own message as an entry from self', () => {
    const { alice, aliceSaw } = twoPeople();
    const result = alice.send('hello');
    expect(result.ok).toBe(true);
    expect(aliceSaw).toEqual([expect.objectContaining({ from: 'self', text: 'hello' })]);
    expect(result.ok && result.entry).toBe(aliceSaw[0]);
  });

  it('delivers a message to the peer as an entry from that peer, with the same id and sentAt', async () => {
    const { alice, bobSaw } = twoPeople();
    const result = alice.send('hello');
    await settle();
    expect(bobSaw).toHaveLength(1);
    expect(bobSaw[0]).toMatchObject({ from: 'alice', text: 'hello' });
    expect(result.ok && bobSaw[0]?.id).toBe(result.ok && result.entry.id);
    expect(result.ok && bobSaw[0]?.sentAt).toBe(result.ok && result.entry.sentAt);
  });

  it('stamps received entries with the receiving clock', async () => {
    const bob = new Chat({ now: () => 42 });
    const alice = new Chat({ now: () => 7 });
    const pair = channelPair();
    alice.addPeer('bob', pair.a);
    bob.addPeer('alice', pair.b);
    pair.open();
    const bobSaw = record(bob);
    alice.send('hi');
    await settle();
    expect(bobSaw[0]).toMatchObject({ sentAt: 7, receivedAt: 42 });
  });

  it('delivers 100 messages sent in a burst once each and in order', async () => {
    const { alice, bobSaw } = twoPeople();
    const texts = Array.from({ length: 100 }, (_, i) => `message ${i}`);
    for (const text of texts) alice.send(text);
    await settle();
    expect(bobSaw.map((e) => e.text)).toEqual(texts);
    expect(new Set(bobSaw.map((e) => e.id)).size).toBe(100);
  });

  it('queues messages sent while the channel is still connecting and delivers them, in order, once it opens', async () => {
    const alice = new Chat();
    const bob = new Chat();
    const pair = channelPair();
    alice.addPeer('bob', pair.a);
    bob.addPeer('alice', pair.b);
    const bobSaw = record(bob);
    for (let i = 0; i < 100; i++) alice.send(`early ${i}`);
    expect(pair.a.sent).toEqual([]);
    pair.open();
    alice.send('after open');
    await settle();
    expect(bobSaw.map((e) => e.text)).toEqual([...Array.from({ length: 100 }, (_, i) => `early ${i}`), 'after open']);
  });

  it('sends every peer the same message under the same id', async () => {
    const { alice, bob, cy, ab, ac } = threePeople();
    ab.open();
    ac.open();
    const bobSaw = record(bob);
    const cySaw = record(cy);
    alice.send('to everyone');
    await settle();
    expect(bobSaw).toHaveLength(1);
    expect(cySaw).toHaveLength(1);
    expect(bobSaw[0]?.id).toBe(cySaw[0]?.id);
  });

  it('emits a message that arrives twice only once', async () => {
    const { pair, bobSaw } = twoPeople();
    const frame = encodeDataMessage({ type: 'chat', id: crypto.randomUUID(), text: 'once', sentAt: 1 });
    pair.a.send(frame);
    pair.a.send(frame);
    await settle();
    expect(bobSaw.map((e) => e.text)).toEqual(['once']);
  });

  it('emits a message relayed by two peers only once', async () => {
    const bob = new Chat();
    const fromAlice = channelPair();
    const fromCarol = channelPair();
    bob.addPeer('alice', fromAlice.b);
    bob.addPeer('carol', fromCarol.b);
    fromAlice.open();
    fromCarol.open();
    const bobSaw = record(bob);
    const frame = encodeDataMessage({ type: 'chat', id: crypto.randomUUID(), text: 'hi', sentAt: 1 });
    fromAlice.a.send(frame);
    fromCarol.a.send(frame);
    await settle();
    expect(bobSaw).toHaveLength(1);
  });

  it('ignores its own message echoed back by a peer', async () => {
    const { alice, pair, aliceSaw } = twoPeople();
    alice.send('mine');
    pair.b.send(pair.a.sent[0]!); // Bob's side bounces Alice's frame back
    await settle();
    expect(aliceSaw).toHaveLength(1);
  });

  it('sends and receives a message of exactly 16 KiB of UTF-8', async () => {
    const { alice, bobSaw } = twoPeople();
    const text = 'é'.repeat(MAX_CHAT_TEXT_BYTES / 2); // 2 bytes each in UTF-8
    expect(alice.send(text).ok).toBe(true);
    await settle();
    expect(bobSaw[0]?.text).toBe(text);
  });

  it('refuses to send a message one byte over 16 KiB, and sends nothing', () => {
    const { alice, pair, aliceSaw } = twoPeople();
    expect(alice.send(`${'é'.repeat(MAX_CHAT_TEXT_BYTES / 2)}x`)).toEqual({ ok: false, reason: 'invalid' });
    expect(pair.a.sent).toEqual([]);
    expect(aliceSaw).toEqual([]);
  });

  it('drops a received message over 16 KiB', async () => {
    const { pair, bobSaw } = twoPeople();
    pair.a.send(JSON.stringify({ type: 'chat', id: crypto.randomUUID(), text: 'x'.repeat(MAX_CHAT_TEXT_BYTES + 1), sentAt: 1 }));
    await settle();
    expect(bobSaw).toEqual([]);
  });

  it('refuses blank text', () => {
    const { alice } = twoPeople();
    expect(alice.send('')).toEqual({ ok: false, reason: 'invalid' });
    expect(alice.send(' \n\t ')).toEqual({ ok: false, reason: 'invalid' });
  });

  it('ignores frames that are not valid chat messages', async () => {
    const { pair, bobSaw } = twoPeople();
    for (const frame of [
      'not json',
      '[]',
      JSON.stringify({ type: 'chat', id: 'not-a-uuid', text: 'x', sentAt: 1 }),
      JSON.stringify({ type: 'chat', id: crypto.randomUUID(), text: 42, sentAt: 1 }),
      JSON.stringify({ type: 'chat', id: crypto.randomUUID(), text: 'x', sentAt: -1 }),
      JSON.stringify({ type: 'fileCancel', id: crypto.randomUUID(), reason: 'wrong channel' }),
    ]) {
      pair.a.send(frame);
    }
    await settle();
    expect(bobSaw).toEqual([]);
  });

  it('stops sending to a peer once it is removed', async () => {
    const { alice, pair, bobSaw } = twoPeople();
    alice.removePeer('bob');
    alice.send('gone');
    await settle();
    expect(pair.a.sent).toEqual([]);
    expect(bobSaw).toEqual([]);
  });

  it('keeps messages queued for a peer whose channel is replaced, and sends them on the new one', async () => {
    const alice = new Chat();
    const bob = new Chat();
    const first = channelPair();
    alice.addPeer('bob', first.a);
    alice.send('queued');
    const second = channelPair();
    alice.addPeer('bob', second.a);
    bob.addPeer('alice', second.b);
    const bobSaw = record(bob);
    first.open(); // the replaced channel opening late sends nothing
    second.open();
    await settle();
    expect(first.a.sent).toEqual([]);
    expect(bobSaw.map((e) => e.text)).toEqual(['queued']);
  });

  it('keeps a frame the channel refused and sends it with the next message', async () => {
    const { alice, pair, bobSaw } = twoPeople();
    vi.spyOn(console, 'warn').mockImplementation(() => undefined); // the warning is expected here
    const send = vi.spyOn(pair.a, 'send').mockImplementationOnce(() => {
      throw new DOMException('send queue is full', 'OperationError');
    });
    alice.send('first');
    alice.send('second');
    await settle();
    expect(send).toHaveBeenCalledTimes(3);
    expect(bobSaw.map((e) => e.text)).toEqual(['first', 'second']);
  });

  it('does nothing after close, and close is safe twice', async () => {
    const { alice, pair, bob, aliceSaw, bobSaw } = twoPeople();
    alice.close();
    alice.close();
    expect(alice.send('late')).toEqual({ ok: false, reason: 'closed' });
    bob.send('to a closed chat');
    await settle();
    expect(pair.a.sent).toEqual([]);
    expect(aliceSaw).toEqual([]);
    expect(bobSaw).toHaveLength(1);
  });

  describe('rate limit', () => {
    const limits: ChatLimits = {
      messages: { perSecond: 1, burst: 5 },
      chars: { perSecond: 64 * 1024, burst: 1024 * 1024 },
      spellQuietMs: 10_000,
    };

    /** Bob with a hand-driven clock, and a raw channel end that stands for a peer whose chat ignores the limit. */
    function floodedBob() {
      let now = 0;
      const bob = new Chat({ limits, now: () => now });
      const pair = channelPair();
      bob.addPeer('mallory', pair.b);
      pair.open();
      const drops: ChatDrop[] = [];
      bob.on('dropped', (d) => drops.push(d));
      const flood = (n: number, prefix = 'spam') => {
        for (let i = 0; i < n; i++)
          pair.a.send(encodeDataMessage({ type: 'chat', id: crypto.randomUUID(), text: `${prefix} ${i}`, sentAt: 0 }));
      };
      return { bob, bobSaw: record(bob), drops, flood, send: (frame: string) => pair.a.send(frame), setNow: (t: number) => (now = t) };
    }

    it('drops a peer’s messages past its burst and says so once for the spell', async () => {
      const { bobSaw, drops, flood } = floodedBob();
      flood(50);
      await settle();
      expect(bobSaw.map((e) => e.text)).toEqual(['spam 0', 'spam 1', 'spam 2', 'spam 3', 'spam 4']);
      expect(drops).toEqual([{ from: 'mallory', at: 0 }]);
    });

    it('takes the peer’s messages again once it slows down, and announces a later spell again', async () => {
      const { bobSaw, drops, flood, setNow } = floodedBob();
      flood(10);
      await settle();
      setNow(2_000); // two messages earned
      flood(2, 'calm');
      await settle();
      expect(bobSaw.slice(5).map((e) => e.text)).toEqual(['calm 0', 'calm 1']);
      setNow(30_000);
      flood(10, 'again');
      await settle();
      expect(drops.map((d) => d.at)).toEqual([0, 30_000]);
    });

    it('takes a flood of recording notices only up to the allowance, and the last one taken stands', async () => {
      const { bob, send, setNow } = floodedBob();
      const notices: boolean[] = [];
      bob.on('recording', (_from, msg) => notices.push(msg.on));
      for (let i = 0; i < 1_000; i++) send(encodeDataMessage({ type: 'recording', on: i % 2 === 0 }));
      await settle();
      expect(notices).toEqual([true, false, true, false, true]);
      // An honest peer's notice later is taken.
      setNow(2_000);
      send(encodeDataMessage({ type: 'recording', on: false }));
      await settle();
      expect(notices.at(-1)).toBe(false);
      expect(notices).toHaveLength(6);
    });

    it('keeps a dropped message’s id unseen, so the same message sent again later is taken', async () => {
      const { bobSaw, flood, send, setNow } = floodedBob();
      flood(5);
      const late = encodeDataMessage({ type: 'chat', id: crypto.randomUUID(), text: 'late', sentAt: 0 });
      send(late);
      await settle();
      expect(bobSaw.map((e) => e.text)).not.toContain('late');
      setNow(1_000);
      send(late);
      await settle();
      expect(bobSaw.at(-1)?.text).toBe('late');
    });

    it('refuses to send faster than peers take messages, sends nothing then, and sends again once earned', async () => {
      let now = 0;
      const alice = new Chat({ limits, now: () => now });
      const bob = new Chat({ limits, now: () => now });
      const pair = channelPair();
      alice.addPeer('bob', pair.a);
      bob.addPeer('alice', pair.b);
      pair.open();
      const bobSaw = record(bob);
      const drops: ChatDrop[] = [];
      bob.on('dropped', (d) => drops.push(d));
      const results = Array.from({ length: 7 }, (_, i) => alice.send(`m${i}`));
      expect(results.map((r) => r.ok || r.reason)).toEqual([true, true, true, true, true, 'tooFast', 'tooFast']);
      expect(pair.a.sent).toHaveLength(5);
      await settle();
      now = 1_000;
      expect(alice.send('m7').ok).toBe(true);
      await settle();
      expect(bobSaw.map((e) => e.text)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm7']);
      expect(drops).toEqual([]);
    });
  });
});

describe('Chat: gestures on the chat channel', () => {
  it('sends a gesture to every peer and hands what arrives to its listeners, not to the chat log', async () => {
    const { alice, bob, aliceSaw, bobSaw } = twoPeople();
    const gestures: unknown[] = [];
    bob.on('gesture', (from, msg) => gestures.push([from, msg]));
    alice.sendGesture({ type: 'hand', raised: true, stamp: 1 });
    alice.sendGesture({ type: 'reaction', reaction: 'clap' });
    await settle();
    expect(gestures).toEqual([
      ['alice', { type: 'hand', raised: true, stamp: 1 }],
      ['alice', { type: 'reaction', reaction: 'clap' }],
    ]);
    expect(bobSaw).toEqual([]);
    expect(aliceSaw).toEqual([]);
  });

  it('sends a gesture to one peer only, queued until its channel opens', async () => {
    const { alice, bob, cy, ab, ac } = threePeople();
    ab.open();
    const heard: string[] = [];
    bob.on('gesture', () => heard.push('bob'));
    cy.on('gesture', () => heard.push('cy'));
    alice.sendGesture({ type: 'hand', raised: true, stamp: 3 }, 'cy');
    await settle();
    expect(heard).toEqual([]);
    ac.open();
    await settle();
    expect(heard).toEqual(['cy']);
  });

  it('drops a malformed gesture instead of passing it on', async () => {
    const { bob, pair } = twoPeople();
    const gestures: unknown[] = [];
    bob.on('gesture', (_from, msg) => gestures.push(msg));
    for (const frame of ['{"type":"hand","raised":true,"stamp":-1}', '{"type":"reaction","reaction":"poop"}', '{"type":"hand"}']) {
      pair.a.send(frame);
    }
    await settle();
    expect(gestures).toEqual([]);
  });

  describe('a blocked peer (their safety code changed after it was verified)', () => {
    it('sends them nothing, drops what was queued for them, and goes on with everyone else', async () => {
      const { alice, bob, cy, ab, ac } = threePeople();
      const bobSaw = record(bob);
      const cySaw = record(cy);
      alice.send('queued before the block');
      alice.block('bob', true);
      ab.open();
      ac.open();
      alice.send('while blocked');
      alice.sendGesture({ type: 'hand', raised: true, stamp: 1 });
      alice.sendGesture({ type: 'recording', on: true }, 'bob');
      await settle();
      expect(ab.a.sent).toEqual([]);
      expect(bobSaw).toEqual([]);
      expect(cySaw.map((e) => e.text)).toEqual(['queued before the block', 'while blocked']);
      alice.block('bob', false);
      alice.send('let back in');
      await settle();
      expect(bobSaw.map((e) => e.text)).toEqual(['let back in']);
    });

    it('drops their chat and reactions, and still takes their hand and recording notices', async () => {
      const { alice, bob, aliceSaw } = twoPeople();
      const heard: unknown[] = [];
      alice.on('gesture', (from, msg) => heard.push([from, msg]));
      alice.on('recording', (from, msg) => heard.push([from, msg]));
      alice.block('bob', true);
      bob.send('unseen');
      bob.sendGesture({ type: 'reaction', reaction: 'clap' });
      bob.sendGesture({ type: 'hand', raised: true, stamp: 7 });
      bob.sendGesture({ type: 'recording', on: true });
      await settle();
      expect(aliceSaw).toEqual([]);
      expect(heard).toEqual([
        ['bob', { type: 'hand', raised: true, stamp: 7 }],
        ['bob', { type: 'recording', on: true }],
      ]);
      // Let back in: their chat is taken again (a message they sent while blocked is not).
      alice.block('bob', false);
      bob.send('seen');
      await settle();
      expect(aliceSaw.map((e) => e.text)).toEqual(['seen']);
    });

    it('stays blocked on a channel that replaces theirs, and not once they left and came back', async () => {
      const alice = new Chat();
      const first = channelPair();
      alice.addPeer('bob', first.a);
      first.open();
      alice.block('bob', true);
      const second = channelPair();
      alice.addPeer('bob', second.a);
      second.open();
      alice.send('not to a blocked peer');
      await settle();
      expect(second.a.sent).toEqual([]);
      alice.removePeer('bob');
      const third = channelPair();
      alice.addPeer('bob', third.a);
      third.open();
      alice.send('to Bob, back');
      await settle();
      expect(third.a.sent).toHaveLength(1);
    });
  });
});
