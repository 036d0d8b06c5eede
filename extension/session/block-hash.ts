// The hash a file transfer is checked with (protocol/data.ts, `fileEnd`): the
// SHA-256 of the SHA-256 digests of the file's FILE_HASH_BLOCK_BYTES blocks,
// one after another, each computed by WebCrypto.
//
// Why blocks and not one SHA-256 of the file: WebCrypto has no incremental
// digest, only one of a whole buffer, and a file is never one buffer here. A
// JavaScript SHA-256 (sha256.ts) can be fed piece by piece, but it ran at 24 to
// 134 MB/s on this project's 2-core machine depending on its load, against 240
// MB/s and more for WebCrypto's native one beside it (bench in the commit):
// hashing in JavaScript took a large share of each page's main thread at 10 MB/s
// on both sides. WebCrypto also runs the digest off the main thread.
import { FILE_HASH_BLOCK_BYTES } from '../../protocol/data.ts';

const hex = (bytes: ArrayBuffer): string => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');

/**
 * Takes a stream of bytes in order, in pieces of any size, and gives its block
 * hash. A piece that is exactly one block at a block boundary is hashed as it
 * is; other pieces are copied into a block first. `onBlock`, if given, receives
 * each full block and the last, shorter one in order (the receiver keeps them as
 * Blob parts, so its bytes are copied once).
 */
export class BlockHasher {
  readonly #blockBytes: number;
  readonly #onBlock: ((block: Uint8Array<ArrayBuffer>) => void) | undefined;
  /** Digests of the blocks so far, in order. */
  readonly #digests: Promise<ArrayBuffer>[] = [];
  #block: Uint8Array<ArrayBuffer> | undefined;
  #filled = 0;
  #done = false;
  /** Bytes taken so far, for tests and benchmarks. */
  bytes = 0;

  constructor(onBlock?: (block: Uint8Array<ArrayBuffer>) => void, blockBytes = FILE_HASH_BLOCK_BYTES) {
    this.#onBlock = onBlock;
    this.#blockBytes = blockBytes;
  }

  update(bytes: Uint8Array<ArrayBuffer>): void {
    if (this.#done) throw new Error('BlockHasher: update after digest');
    this.bytes += bytes.byteLength;
    if (this.#filled === 0 && bytes.byteLength === this.#blockBytes) return this.#hashBlock(bytes);
    for (let at = 0; at < bytes.byteLength; ) {
      this.#block ??= new Uint8Array(this.#blockBytes);
      const take = Math.min(this.#blockBytes - this.#filled, bytes.byteLength - at);
      this.#block.set(bytes.subarray(at, at + take), this.#filled);
      this.#filled += take;
      at += take;
      if (this.#filled === this.#blockBytes) this.#flush();
    }
  }

  /** The block hash as 64 lowercase hex digits; the hasher takes nothing more. */
  async digestHex(): Promise<string> {
    if (!this.#done) {
      this.#done = true;
      this.#flush();
    }
    const digests = await Promise.all(this.#digests);
    const all = new Uint8Array(32 * digests.length);
    for (const [i, d] of digests.entries()) all.set(new Uint8Array(d), 32 * i);
    return hex(await crypto.subtle.digest('SHA-256', all));
  }

  #flush(): void {
    const block = this.#block;
    if (!block || this.#filled === 0) return;
    // The full buffer, or a copy of the last block's bytes (a view would hand the Blob the whole buffer).
    this.#hashBlock(this.#filled === block.byteLength ? block : block.slice(0, this.#filled));
    this.#block = undefined;
    this.#filled = 0;
  }

  #hashBlock(block: Uint8Array<ArrayBuffer>): void {
    // WebCrypto copies the bytes when called, so the block may be handed on at once.
    const digest = crypto.subtle.digest('SHA-256', block);
    // Whoever awaits digestHex() sees a failure; this one must not also be unhandled.
    digest.catch(() => undefined);
    this.#digests.push(digest);
    this.#onBlock?.(block);
  }
}
