import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BlockHasher } from '../../../../extension/session/block-hash.ts';
import { FILE_HASH_BLOCK_BYTES } from '../../../../protocol/data.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest();
/** The block hash, by Node's own SHA-256. */
const blockHashOf = (bytes: Uint8Array, block: number) => {
  const digests: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += block) digests.push(sha256(bytes.subarray(at, at + block)));
  return sha256(Buffer.concat(digests)).toString('hex');
};
const copy = (bytes: Uint8Array) => new Uint8Array(bytes);

describe('BlockHasher', () => {
  it('gives the SHA-256 of the blocks’ SHA-256s whatever sizes the bytes come in', async () => {
    const bytes = randomBytes(5 * 1000 + 17);
    const cuts = [1, 999, 1000, 1001, 3, 2000];
    const hasher = new BlockHasher(undefined, 1000);
    let at = 0;
    for (const n of cuts) {
      hasher.update(copy(bytes.subarray(at, at + n)));
      at += n;
    }
    hasher.update(copy(bytes.subarray(at)));
    expect(await hasher.digestHex()).toBe(blockHashOf(bytes, 1000));
    expect(hasher.bytes).toBe(bytes.length);
  });

  it('differs from the hash of the same bytes cut into other blocks, so both sides must use one size', async () => {
    const bytes = randomBytes(3000);
    const [a, b] = [new BlockHasher(undefined, 1000), new BlockHasher(undefined, 1500)];
    a.update(copy(bytes));
    b.update(copy(bytes));
    expect(await a.digestHex()).not.toBe(await b.digestHex());
  });

  it('hands on every block in order, the last one no longer than its bytes, and joined they are the input', async () => {
    const bytes = randomBytes(2 * 64 + 10);
    const blocks: Uint8Array[] = [];
    const hasher = new BlockHasher((block) => blocks.push(block), 64);
    for (let at = 0; at < bytes.length; at += 7) hasher.update(copy(bytes.subarray(at, at + 7)));
    expect(blocks.map((b) => b.byteLength)).toEqual([64, 64]);
    await hasher.digestHex();
    expect(blocks.map((b) => b.byteLength)).toEqual([64, 64, 10]);
    expect(blocks.every((b) => b.buffer.byteLength === b.byteLength)).toBe(true);
    expect(Buffer.concat(blocks)).toEqual(bytes);
  });

  it('hashes a whole block given at a block boundary without copying it', async () => {
    const block = new Uint8Array(randomBytes(64));
    const seen: Uint8Array[] = [];
    const hasher = new BlockHasher((b) => seen.push(b), 64);
    hasher.update(block);
    expect(seen[0]).toBe(block);
    expect(await hasher.digestHex()).toBe(blockHashOf(block, 64));
  });

  it('gives the SHA-256 of nothing for no bytes, as for an empty file', async () => {
    expect(await new BlockHasher().digestHex()).toBe(createHash('sha256').digest('hex'));
  });

  it('uses 1 MiB blocks unless told otherwise', async () => {
    const bytes = randomBytes(FILE_HASH_BLOCK_BYTES + 1);
    const hasher = new BlockHasher();
    hasher.update(copy(bytes));
    expect(await hasher.digestHex()).toBe(blockHashOf(bytes, 1024 * 1024));
  });

  it('refuses bytes after its digest was asked for', async () => {
    const hasher = new BlockHasher(undefined, 64);
    hasher.update(new Uint8Array(3));
    await hasher.digestHex();
    expect(() => hasher.update(new Uint8Array(1))).toThrow(/after digest/);
  });
});
