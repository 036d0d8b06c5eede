// The secret in a share link and what is derived from it, in Node's WebCrypto
// (the same API and algorithms as the browser's).
import { describe, expect, it } from 'vitest';
import { isRoomId } from '../../../../protocol/ids.ts';
import { open, seal } from '../../../../extension/session/envelope.ts';
import { SECRET_PATTERN, deriveRoomKey, fromBase64Url, newSecret, toBase64Url } from '../../../../extension/session/room-key.ts';

const ALICE = 'peer-alice';
const BOB = 'peer-bob';

describe('room-key', () => {
  it('makes secrets of 32 random bytes in unpadded base64url, never twice the same', () => {
    const secrets = Array.from({ length: 50 }, newSecret);
    for (const s of secrets) {
      expect(s).toMatch(SECRET_PATTERN);
      expect(fromBase64Url(s)).toHaveLength(32);
    }
    expect(new Set(secrets).size).toBe(secrets.length);
  });

  it('round-trips any bytes through base64url without + / or =', () => {
    for (let len = 0; len < 70; len++) {
      const bytes = crypto.getRandomValues(new Uint8Array(len));
      const text = toBase64Url(bytes);
      expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
      expect(fromBase64Url(text)).toEqual(bytes);
    }
    expect(toBase64Url(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
  });

  it('derives the same room id and a working key from the same secret every time', async () => {
    const secret = newSecret();
    const [a, b] = await Promise.all([deriveRoomKey(secret), deriveRoomKey(secret)]);
    expect(a.room).toBe(b.room);
    const envelope = await seal(a.key, a.room, ALICE, BOB, 'hello');
    expect((await open(b.key, b.room, ALICE, BOB, envelope ?? ''))?.plaintext).toBe('hello');
  });

  it('derives a 128-bit room id (22 base64url characters) the relay accepts', async () => {
    const { room } = await deriveRoomKey(newSecret());
    expect(room).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(fromBase64Url(room)).toHaveLength(16);
  });

  it('derives different rooms from different secrets', async () => {
    const rooms = await Promise.all(Array.from({ length: 10 }, async () => (await deriveRoomKey(newSecret())).room));
    expect(new Set(rooms).size).toBe(10);
  });

  it('does not reveal the secret in the room id', async () => {
    const secret = newSecret();
    const { room } = await deriveRoomKey(secret);
    expect(secret.startsWith(room)).toBe(false);
    expect(secret).not.toContain(room);
  });

  it('keeps the AES key inside WebCrypto (not extractable)', async () => {
    const { key } = await deriveRoomKey(newSecret());
    expect(key.extractable).toBe(false);
    expect(key.algorithm).toMatchObject({ name: 'AES-GCM', length: 256 });
  });
});

describe('the room id of a new link (newSecret + deriveRoomKey)', () => {
  it('is 22 base64url characters, a valid room id for the relay', async () => {
    const { room } = await deriveRoomKey(newSecret());
    expect(room).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(isRoomId(room)).toBe(true);
  });

  it('carries 128 bits (16 bytes decoded)', async () => {
    const { room } = await deriveRoomKey(newSecret());
    expect(Buffer.from(room, 'base64url')).toHaveLength(16);
  });

  it('is distinct for distinct secrets, and the same for the same secret', async () => {
    const secrets = Array.from({ length: 200 }, () => newSecret());
    expect(new Set(secrets).size).toBe(200);
    const rooms = await Promise.all(secrets.map(async (s) => (await deriveRoomKey(s)).room));
    expect(new Set(rooms).size).toBe(200);
    const first = secrets[0] ?? '';
    expect((await deriveRoomKey(first)).room).toBe(rooms[0]);
  });

  it('never contains the secret it came from', async () => {
    const secret = newSecret();
    const { room } = await deriveRoomKey(secret);
    expect(secret).not.toContain(room);
    expect(room).not.toBe(secret.slice(0, 22));
  });
});
