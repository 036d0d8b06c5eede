import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FileSource, type SliceReader } from '../../../../extension/session/file-source.ts';
import { FILE_HASH_BLOCK_BYTES } from '../../../../protocol/data.ts';

const KiB = 1024;
const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
/** The block hash of protocol/data.ts, by Node's own SHA-256. */
const blockSha256Of = (bytes: Uint8Array) => {
  const digests: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += FILE_HASH_BLOCK_BYTES)
    digests.push(
      createHash('sha256')
        .update(bytes.subarray(at, at + FILE_HASH_BLOCK_BYTES))
        .digest(),
    );
  return sha256Of(Buffer.concat(digests));
};

/** Everything `reader` hands out, joined. */
async function drain(reader: SliceReader): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for (let slice = await reader.next(); slice !== undefined; slice = await reader.next()) parts.push(slice);
  return Buffer.concat(parts);
}

describe('FileSource', () => {
  it('hands each of two readers in step the whole file, reading and hashing it once', async () => {
    const bytes = randomBytes(100 * KiB + 7);
    const source = new FileSource(new Blob([bytes]), { readBytes: 8 * KiB, readAhead: 2, windowReads: 4 });
    const [a, b] = [source.reader(), source.reader()];
    const [gotA, gotB] = await Promise.all([drain(a), drain(b)]);
    expect(sha256Of(gotA)).toBe(sha256Of(bytes));
    expect(sha256Of(gotB)).toBe(sha256Of(bytes));
    expect(await source.digest()).toBe(blockSha256Of(bytes));
    expect(source.blobReads).toBe(13);
    expect(source.hashedBytes).toBe(bytes.length);
  });

  it('reads ahead of the slice it hands out', async () => {
    const source = new FileSource(new Blob([randomBytes(64 * KiB)]), { readBytes: 4 * KiB, readAhead: 3, windowReads: 8 });
    const reader = source.reader();
    await reader.next();
    expect(source.blobReads).toBe(4); // the one handed out and three ahead
  });

  it('lets a fast reader run to the end past a reader that does not move, holding no more than the window', async () => {
    const bytes = randomBytes(200 * KiB);
    const source = new FileSource(new Blob([bytes]), { readBytes: 4 * KiB, readAhead: 2, windowReads: 5 });
    const slow = source.reader();
    const fast = source.reader();
    const first = await slow.next(); // the slow one takes one slice, then stalls
    let largest = 0;
    const parts: Uint8Array[] = [];
    for (let slice = await fast.next(); slice !== undefined; slice = await fast.next()) {
      parts.push(slice);
      largest = Math.max(largest, source.windowSize);
    }
    expect(sha256Of(Buffer.concat(parts))).toBe(sha256Of(bytes));
    expect(largest).toBeLessThanOrEqual(5);
    // The slow one carries on by itself, reading its own slices, and still gets every byte.
    const rest = await drain(slow);
    expect(sha256Of(Buffer.concat([first ?? new Uint8Array(), rest]))).toBe(sha256Of(bytes));
    expect(source.blobReads).toBeGreaterThan(50);
    // Hashed once all the same.
    expect(source.hashedBytes).toBe(bytes.length);
    expect(await source.digest()).toBe(blockSha256Of(bytes));
  });

  it('finishes the hash through a reader left behind when the readers ahead of it close half way', async () => {
    const bytes = randomBytes(64 * KiB + 1);
    const source = new FileSource(new Blob([bytes]), { readBytes: 4 * KiB, readAhead: 1, windowReads: 2 });
    const behind = source.reader();
    const ahead = source.reader();
    for (let i = 0; i < 8; i++) await ahead.next();
    ahead.close();
    expect(sha256Of(await drain(behind))).toBe(sha256Of(bytes));
    expect(await source.digest()).toBe(blockSha256Of(bytes));
    expect(source.hashedBytes).toBe(bytes.length);
  });

  it('hands out nothing and a digest at once for an empty file', async () => {
    const source = new FileSource(new Blob([]), { readBytes: 4 * KiB, readAhead: 2, windowReads: 4 });
    expect(await source.reader().next()).toBeUndefined();
    expect(await source.digest()).toBe(blockSha256Of(new Uint8Array()));
    expect(source.blobReads).toBe(0);
  });

  it('fails the reader of a slice that came back shorter than the file said, as a file changed on disk does', async () => {
    const blob = new Blob([randomBytes(16 * KiB)]);
    // A File whose bytes changed after it was picked reads back short (or fails); shortened here by hand.
    blob.slice = () => new Blob(['short']);
    const source = new FileSource(blob, { readBytes: 4 * KiB, readAhead: 2, windowReads: 4 });
    await expect(source.reader().next()).rejects.toThrow('the file changed while it was being read');
  });

  it('lets go of everything a closed reader held, and a closed reader hands out nothing', async () => {
    const source = new FileSource(new Blob([randomBytes(64 * KiB)]), { readBytes: 4 * KiB, readAhead: 2, windowReads: 8 });
    const reader = source.reader();
    await reader.next();
    expect(source.windowSize).toBeGreaterThan(0);
    reader.close();
    reader.close();
    expect(source.windowSize).toBe(0);
    expect(await reader.next()).toBeUndefined();
  });
});
