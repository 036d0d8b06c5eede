// File contents for transfer tests: every 4 bytes differ (a multiplicative hash of
// the offset), so a chunk lost, repeated or out of order changes the SHA-256, and
// none of it compresses away on the way.

/** `length` bytes (a multiple of 4) of the pattern; `seed` (odd) makes another file of the same size. */
export function patternBytes(length: number, seed = 2654435761): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i + 4 <= length; i += 4) bytes.writeUInt32LE(Math.imul(i, seed) >>> 0, i);
  return bytes;
}
