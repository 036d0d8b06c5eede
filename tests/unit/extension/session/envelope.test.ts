// Sealed envelopes and the key they are sealed with, in Node's WebCrypto
// (the same API and algorithms as the browser's).
import { describe, expect, it } from 'vitest';
import { open as openEnvelope, seal as sealEnvelope } from '../../../../extension/session/envelope.ts';
import { deriveRoomKey, fromBase64Url, newSecret, toBase64Url } from '../../../../extension/session/room-key.ts';
import { MAX_PADDED_BYTES, PAD_MIN_BYTES } from '../../../../protocol/peer.ts';

/** Seals text that fits (every test's does). */
async function seal(...args: Parameters<typeof sealEnvelope>): Promise<string> {
  const envelope = await sealEnvelope(...args);
  if (envelope === undefined) throw new Error('too long to seal');
  return envelope;
}

/** The plaintext, or undefined. */
const open = async (...args: Parameters<typeof openEnvelope>): Promise<string | undefined> => (await openEnvelope(...args))?.plaintext;

/** Bytes of sealed data (IV, padded ciphertext, tag) in an envelope. */
const sealedBytes = (envelope: string): number => fromBase64Url(envelope.slice(2)).length;

const ALICE = 'peer-alice';
const BOB = 'peer-bob';
const CAROL = 'peer-carol';

describe('seal and open', () => {
  const keys = deriveRoomKey(newSecret());

  it('opens a message to one peer for that peer', async () => {
    const { key, room } = await keys;
    const envelope = await seal(key, room, ALICE, BOB, 'offer: v=0…');
    expect(envelope.startsWith('d.')).toBe(true);
    expect(await open(key, room, ALICE, BOB, envelope)).toBe('offer: v=0…');
  });

  it('opens a broadcast for everyone in the room', async () => {
    const { key, room } = await keys;
    const envelope = await seal(key, room, ALICE, undefined, '{"t":"presence"}');
    expect(envelope.startsWith('b.')).toBe(true);
    expect(await open(key, room, ALICE, BOB, envelope)).toBe('{"t":"presence"}');
    expect(await open(key, room, ALICE, CAROL, envelope)).toBe('{"t":"presence"}');
  });

  it('carries any text, empty and non-ASCII included', async () => {
    const { key, room } = await keys;
    for (const text of ['', 'ü€😀', 'x'.repeat(20_000), '\u0000\u0080 ends in zeros\u0000\u0000']) {
      expect(await open(key, room, ALICE, BOB, await seal(key, room, ALICE, BOB, text))).toBe(text);
    }
  });

  it('says whether it was sealed for everyone or for one peer', async () => {
    const { key, room } = await keys;
    expect((await openEnvelope(key, room, ALICE, BOB, await seal(key, room, ALICE, undefined, 'x')))?.broadcast).toBe(true);
    expect((await openEnvelope(key, room, ALICE, BOB, await seal(key, room, ALICE, BOB, 'x')))?.broadcast).toBe(false);
  });

  it(`pads everything up to ${PAD_MIN_BYTES - 1} bytes to the same length`, async () => {
    const { key, room } = await keys;
    const lengths = new Set<number>();
    for (const text of ['', 'a', 'x'.repeat(500), 'ü'.repeat(300), 'y'.repeat(PAD_MIN_BYTES - 1)]) {
      lengths.add(sealedBytes(await seal(key, room, ALICE, BOB, text)));
    }
    expect([...lengths]).toEqual([12 + PAD_MIN_BYTES + 16]);
  });

  it('pads longer text to powers of two, and refuses what no bucket holds', async () => {
    const { key, room } = await keys;
    expect(sealedBytes(await seal(key, room, ALICE, BOB, 'x'.repeat(PAD_MIN_BYTES)))).toBe(12 + 2 * PAD_MIN_BYTES + 16);
    expect(sealedBytes(await seal(key, room, ALICE, BOB, 'x'.repeat(5000)))).toBe(12 + 8192 + 16);
    expect(await sealEnvelope(key, room, ALICE, BOB, 'x'.repeat(MAX_PADDED_BYTES))).toBeUndefined();
  });

  it('uses a fresh IV each time: the same message never seals the same way twice', async () => {
    const { key, room } = await keys;
    const a = await seal(key, room, ALICE, BOB, 'same');
    const b = await seal(key, room, ALICE, BOB, 'same');
    expect(a).not.toBe(b);
    expect(fromBase64Url(a.slice(2)).subarray(0, 12)).not.toEqual(fromBase64Url(b.slice(2)).subarray(0, 12));
  });

  it('does not show the plaintext to the relay', async () => {
    const { key, room } = await keys;
    const envelope = await seal(key, room, ALICE, BOB, 'a=fingerprint:sha-256 AB:CD');
    expect(envelope).not.toContain('fingerprint');
    expect(atob(envelope.slice(2).replace(/-/g, '+').replace(/_/g, '/'))).not.toContain('fingerprint');
  });

  describe('refuses what was altered on the way', () => {
    const flip = (envelope: string, index: number): string => {
      const bytes = fromBase64Url(envelope.slice(2));
      bytes[index]! ^= 0x01;
      return `${envelope.slice(0, 2)}${toBase64Url(bytes)}`;
    };

    it('a flipped bit anywhere: IV, ciphertext or tag', async () => {
      const { key, room } = await keys;
      const envelope = await seal(key, room, ALICE, BOB, 'hello there');
      const length = fromBase64Url(envelope.slice(2)).length;
      for (const index of [0, 11, 12, 15, length - 17, length - 1]) {
        expect(await open(key, room, ALICE, BOB, flip(envelope, index))).toBeUndefined();
      }
    });

    it('a truncated envelope', async () => {
      const { key, room } = await keys;
      const envelope = await seal(key, room, ALICE, BOB, 'hello there');
      expect(await open(key, room, ALICE, BOB, envelope.slice(0, -4))).toBeUndefined();
    });

    it('a message replayed into another room', async () => {
      const { key, room } = await keys;
      const envelope = await seal(key, room, ALICE, BOB, 'hello');
      expect(await open(key, 'another-room-id-xyz12', ALICE, BOB, envelope)).toBeUndefined();
    });

    it('a message the relay says came from someone else', async () => {
      const { key, room } = await keys;
      const envelope = await seal(key, room, ALICE, BOB, 'hello');
      expect(await open(key, room, CAROL, BOB, envelope)).toBeUndefined();
      const broadcast = await seal(key, room, ALICE, undefined, 'hello');
      expect(await open(key, room, CAROL, BOB, broadcast)).toBeUndefined();
    });

    it('a message re-addressed to another peer', async () => {
      const { key, room } = await keys;
      const envelope = await seal(key, room, ALICE, BOB, 'hello');
      expect(await open(key, room, ALICE, CAROL, envelope)).toBeUndefined();
    });

    it('a message to one peer relabelled as a broadcast, and a broadcast relabelled as directed', async () => {
      const { key, room } = await keys;
      const directed = await seal(key, room, ALICE, BOB, 'hello');
      expect(await open(key, room, ALICE, BOB, `b.${directed.slice(2)}`)).toBeUndefined();
      const broadcast = await seal(key, room, ALICE, undefined, 'hello');
      expect(await open(key, room, ALICE, BOB, `d.${broadcast.slice(2)}`)).toBeUndefined();
    });

    it('a message sealed with another room’s key', async () => {
      const { key, room } = await keys;
      const other = await deriveRoomKey(newSecret());
      const envelope = await seal(other.key, room, ALICE, BOB, 'hello');
      expect(await open(key, room, ALICE, BOB, envelope)).toBeUndefined();
    });

    it.each([
      ['an unknown scope', 'x.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
      ['no scope at all', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
      ['nothing after the scope', 'd.'],
      ['only an IV', `d.${toBase64Url(new Uint8Array(12))}`],
      ['characters outside base64', 'd.!!!!'],
      ['an empty string', ''],
    ])('%s', async (_what, envelope) => {
      const { key, room } = await keys;
      expect(await open(key, room, ALICE, BOB, envelope)).toBeUndefined();
    });

    it('a sealed message without the padding marker (not sealed by Zing)', async () => {
      const { key, room } = await keys;
      const iv = new Uint8Array(12);
      const additionalData = new TextEncoder().encode(`zing/v2|${room}|${ALICE}|${BOB}`);
      const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData }, key, new Uint8Array(PAD_MIN_BYTES));
      const bytes = new Uint8Array(12 + sealed.byteLength);
      bytes.set(new Uint8Array(sealed), 12);
      expect(await open(key, room, ALICE, BOB, `d.${toBase64Url(bytes)}`)).toBeUndefined();
    });
  });
});
