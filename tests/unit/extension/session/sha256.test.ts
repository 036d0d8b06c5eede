import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CHUNK_BYTES } from '../../../../extension/session/file-transfer.ts';
import { Sha256 } from '../../../../extension/session/sha256.ts';

const MiB = 1024 * 1024;

const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('Sha256', () => {
  it('matches node:crypto for every length around the block and padding edges, fed in random pieces', () => {
    for (const length of [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 4097]) {
      const bytes = randomBytes(length);
      const hash = new Sha256();
      for (let at = 0; at < length; ) {
        const step = 1 + Math.floor(Math.random() * 100);
        hash.update(bytes.subarray(at, at + step));
        at += step;
      }
      expect(hash.digestHex(), `length ${length}`).toBe(sha256Of(bytes));
    }
  });

  it('matches node:crypto for several MB fed in 16 KiB chunks', () => {
    const bytes = randomBytes(5 * MiB + 123);
    const hash = new Sha256();
    for (let at = 0; at < bytes.length; at += CHUNK_BYTES) hash.update(bytes.subarray(at, at + CHUNK_BYTES));
    expect(hash.digestHex()).toBe(sha256Of(bytes));
  });

  it('gives the known digest of "abc" (FIPS 180-4 example)', () => {
    expect(new Sha256().update(new TextEncoder().encode('abc')).digestHex()).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('returns the same digest when asked twice, and refuses more bytes after it', () => {
    const hash = new Sha256().update(new Uint8Array([1, 2, 3]));
    expect(hash.digestHex()).toBe(hash.digestHex());
    expect(() => hash.update(new Uint8Array([4]))).toThrow();
  });
});
