// One file being sent, read and hashed once however many peers receive it.
//
// Each receiver's transfer takes the file through its own SliceReader, at the
// pace its data channel drains. The readers share one window of reads: the
// fastest reader's read-ahead reads a slice from the Blob, and the others take
// that same slice from the window when they get there. The window spans at most
// `windowReads` slices from the slowest reader that shares it to the furthest
// read; a reader that falls further behind leaves it and reads its own slices
// from the Blob from then on, so a slow peer never holds back a fast one and
// never makes the window hold the whole file.
//
// Hashing: the block hash (block-hash.ts) is fed each slice in order, the first
// time any reader's read of it completes, so every byte is hashed once. Whoever reads a slice first
// has read every slice before it, so the hash never waits for a slice nobody
// will read, even when the readers that shared the window are gone and a
// detached one carries on alone.
//
// Memory: the window (at most `windowReads` slices), plus `readAhead` slices per
// reader in flight, plus slices read out of order waiting for an earlier one to
// be hashed (at most the slices in flight).
import { BlockHasher } from './block-hash.ts';

export interface FileSourceOptions {
  /** Bytes per read from the Blob. */
  readBytes: number;
  /** Reads each reader keeps in flight ahead of the slice it hands out. */
  readAhead: number;
  /** Slices the shared window may span before the slowest reader in it reads on its own. */
  windowReads: number;
}

export class FileSource {
  readonly size: number;
  readonly #file: Blob;
  readonly #opts: FileSourceOptions;
  /** Slices in the file. */
  readonly #count: number;
  /** The shared window: reads by slice index. */
  readonly #window = new Map<number, Promise<Uint8Array<ArrayBuffer>>>();
  /** Readers that take their slices from the window. */
  readonly #sharing = new Set<SliceReader>();
  readonly #hash = new BlockHasher();
  /** Slices hashed so far, from the first. */
  #hashed = 0;
  /** Slices read before an earlier one: hashed once it has been. */
  readonly #early = new Map<number, Uint8Array<ArrayBuffer>>();
  /** The block hash, once every slice has been fed to it. */
  #digest: Promise<string> | undefined;
  readonly #digestWaiters: ((hex: Promise<string>) => void)[] = [];
  /** Reads made from the Blob, for tests and benchmarks. */
  blobReads = 0;
  /** Bytes fed to the hash, for tests and benchmarks. */
  hashedBytes = 0;

  constructor(file: Blob, opts: FileSourceOptions) {
    this.#file = file;
    this.size = file.size;
    this.#opts = opts;
    this.#count = Math.ceil(file.size / opts.readBytes);
    if (this.#count === 0) this.#digest = this.#hash.digestHex();
    // Whoever awaits digest() sees a failure; a digest nobody asks for must not be unhandled.
    this.#digest?.catch(() => undefined);
  }

  /** A reader from the first byte, at its own pace. Close it when done. */
  reader(): SliceReader {
    const reader = new SliceReader(this, this.#count, this.#opts.readAhead);
    this.#sharing.add(reader);
    return reader;
  }

  /** The file's block hash (block-hash.ts) as 64 hex digits, once every slice has been read by some reader. */
  digest(): Promise<string> {
    if (this.#digest !== undefined) return this.#digest;
    return new Promise((resolve) => this.#digestWaiters.push(resolve));
  }

  /** Slices held in the shared window now, for tests. */
  get windowSize(): number {
    return this.#window.size;
  }

  /** Slice `index` for `reader`: from the window while it shares it, else its own read. */
  slice(reader: SliceReader, index: number): Promise<Uint8Array<ArrayBuffer>> {
    if (!this.#sharing.has(reader)) return this.#read(index);
    const held = this.#window.get(index);
    if (held) return held;
    // Readers too far behind this read leave the window before it grows past its span.
    const oldest = index - this.#opts.windowReads + 1;
    for (const r of this.#sharing) if (r !== reader && r.position < oldest) this.#sharing.delete(r);
    const read = this.#read(index);
    this.#window.set(index, read);
    this.trim();
    return read;
  }

  /** Drops the slices every sharing reader has passed; called as readers move on, leave or close. */
  trim(): void {
    let lowest = Number.POSITIVE_INFINITY;
    for (const r of this.#sharing) lowest = Math.min(lowest, r.position);
    for (const index of this.#window.keys()) if (index < lowest) this.#window.delete(index);
  }

  /** A reader is done with the file. */
  leave(reader: SliceReader): void {
    this.#sharing.delete(reader);
    this.trim();
  }

  #read(index: number): Promise<Uint8Array<ArrayBuffer>> {
    const { readBytes } = this.#opts;
    const start = index * readBytes;
    const expected = Math.min(readBytes, this.size - start);
    this.blobReads += 1;
    const read = this.#file
      .slice(start, start + expected)
      .arrayBuffer()
      .then((buffer) => {
        if (buffer.byteLength !== expected) throw new Error('the file changed while it was being read');
        const bytes = new Uint8Array(buffer);
        this.#hashIn(index, bytes);
        return bytes;
      });
    // Whoever awaits this read sees its failure; a read-ahead nobody awaits any more must not report it again.
    read.catch(() => undefined);
    return read;
  }

  #hashIn(index: number, bytes: Uint8Array<ArrayBuffer>): void {
    if (index < this.#hashed) return;
    if (index > this.#hashed) {
      this.#early.set(index, bytes);
      return;
    }
    let next: Uint8Array<ArrayBuffer> | undefined = bytes;
    while (next) {
      this.#hash.update(next);
      this.hashedBytes += next.byteLength;
      this.#early.delete(this.#hashed);
      this.#hashed += 1;
      next = this.#early.get(this.#hashed);
    }
    if (this.#hashed === this.#count) {
      const hex = this.#hash.digestHex();
      hex.catch(() => undefined); // as in the constructor
      this.#digest = hex;
      for (const resolve of this.#digestWaiters.splice(0)) resolve(hex);
    }
  }
}

/** One receiver's way through a FileSource: the next slice, with reads kept in flight ahead of it. */
export class SliceReader {
  readonly #source: FileSource;
  readonly #count: number;
  readonly #readAhead: number;
  /** Reads in flight for the slices from `position` on. */
  readonly #ahead: Promise<Uint8Array<ArrayBuffer>>[] = [];
  #position = 0;
  #closed = false;

  constructor(source: FileSource, count: number, readAhead: number) {
    this.#source = source;
    this.#count = count;
    this.#readAhead = Math.max(1, readAhead);
  }

  /** The index of the next slice next() hands out. */
  get position(): number {
    return this.#position;
  }

  /** The next slice of the file, or undefined after the last one (or once closed). */
  async next(): Promise<Uint8Array<ArrayBuffer> | undefined> {
    if (this.#closed || this.#position >= this.#count) return undefined;
    this.#fill();
    const read = this.#ahead.shift();
    this.#position += 1;
    this.#source.trim();
    this.#fill();
    return read;
  }

  /** Starts the reads ahead of the first slice without taking it, for a reader that will be asked soon. */
  prefetch(): void {
    if (!this.#closed) this.#fill();
  }

  /** Lets go of the reads ahead and leaves the source's window; safe twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#ahead.length = 0;
    this.#source.leave(this);
  }

  #fill(): void {
    for (let index = this.#position + this.#ahead.length; this.#ahead.length < this.#readAhead && index < this.#count; index++) {
      this.#ahead.push(this.#source.slice(this, index));
    }
  }
}
