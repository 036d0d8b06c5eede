// Incremental SHA-256 (FIPS 180-4). It exists because WebCrypto's `digest()`
// only hashes one buffer that is already in memory, and a file transfer must
// hash a 1 GB file as it streams past, holding one read at a time.
// Pure and synchronous, so the sender and receiver feed it chunk by chunk.

// FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes.
// Int32Array, not Uint32Array: V8 keeps int32 values as small integers, while
// uint32 values at or above 2^31 become heap doubles and the hash runs ~3x slower.
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
  0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
  0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
  0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
  0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
  0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

// FIPS 180-4 §5.3.3: the initial hash value.
const H0 = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

const BLOCK_BYTES = 64;

export class Sha256 {
  readonly #h = new Int32Array(H0);
  // Bytes of an unfinished block, carried over to the next update().
  readonly #block = new Uint8Array(BLOCK_BYTES);
  #blockLength = 0;
  // A Number counts bytes exactly up to 2^53, far past any file we will send.
  #totalBytes = 0;
  #digest: string | undefined;

  /** Feeds more bytes; chunks of any size give the same digest as one big buffer. */
  update(data: Uint8Array): this {
    if (this.#digest !== undefined) throw new Error('Sha256: update() after digestHex()');
    this.#totalBytes += data.length;
    let offset = 0;
    if (this.#blockLength > 0) {
      const take = Math.min(BLOCK_BYTES - this.#blockLength, data.length);
      this.#block.set(data.subarray(0, take), this.#blockLength);
      this.#blockLength += take;
      offset = take;
      if (this.#blockLength < BLOCK_BYTES) return this;
      compress(this.#h, this.#block, 0, BLOCK_BYTES);
      this.#blockLength = 0;
    }
    // Whole blocks straight from the caller's bytes, without copying them.
    const end = offset + Math.floor((data.length - offset) / BLOCK_BYTES) * BLOCK_BYTES;
    if (end > offset) compress(this.#h, data, offset, end);
    if (end < data.length) {
      this.#block.set(data.subarray(end));
      this.#blockLength = data.length - end;
    }
    return this;
  }

  /** Finishes the hash (FIPS 180-4 §5.1.1 padding) and returns it as 64 lowercase hex digits; safe to call twice. */
  digestHex(): string {
    if (this.#digest !== undefined) return this.#digest;
    const bitLength = this.#totalBytes * 8;
    const padding = new Uint8Array((this.#blockLength < 56 ? 56 : 120) - this.#blockLength + 8);
    padding[0] = 0x80;
    const view = new DataView(padding.buffer);
    // The 64-bit big-endian length, split because bitwise operators only reach 32 bits.
    view.setUint32(padding.length - 8, Math.floor(bitLength / 2 ** 32));
    view.setUint32(padding.length - 4, bitLength >>> 0);
    const total = this.#totalBytes;
    this.update(padding);
    this.#totalBytes = total;
    let hex = '';
    for (const word of this.#h) hex += (word >>> 0).toString(16).padStart(8, '0');
    this.#digest = hex;
    return hex;
  }
}

// The message schedule, shared: compress() runs to completion, never two at once.
const W = new Int32Array(64);

/**
 * Compresses the 64-byte blocks of bytes[from, to) into the state `h` (FIPS
 * 180-4 §6.2.2). The state stays in local variables across all the blocks of
 * one call and is written back once: about 1.5× as fast in V8 as reading and
 * writing the Int32Array per block (measured on 256 KiB updates).
 */
function compress(h: Int32Array, bytes: Uint8Array, from: number, to: number): void {
  const w = W;
  // Every index below is inside the state, the schedule or a block the caller checked, so `!` holds.
  let h0 = h[0]!,
    h1 = h[1]!,
    h2 = h[2]!,
    h3 = h[3]!,
    h4 = h[4]!,
    h5 = h[5]!,
    h6 = h[6]!,
    h7 = h[7]!;
  for (let at = from; at < to; at += BLOCK_BYTES) {
    for (let i = 0, j = at; i < 16; i++, j += 4) {
      w[i] = (bytes[j]! << 24) | (bytes[j + 1]! << 16) | (bytes[j + 2]! << 8) | bytes[j + 3]!;
    }
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15]!;
      const y = w[i - 2]!;
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
    }
    let a = h0,
      b = h1,
      c = h2,
      d = h3,
      e = h4,
      f = h5,
      g = h6,
      k = h7;
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (k + S1 + ch + K[i]! + w[i]!) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      k = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + k) | 0;
  }
  h[0] = h0;
  h[1] = h1;
  h[2] = h2;
  h[3] = h3;
  h[4] = h4;
  h[5] = h5;
  h[6] = h6;
  h[7] = h7;
}

/** The SHA-256 of a small buffer, as bytes, synchronously (ids, commitments, safety codes: a few hundred bytes). */
export function sha256(data: Uint8Array): Uint8Array<ArrayBuffer> {
  const hex = new Sha256().update(data).digestHex();
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}
