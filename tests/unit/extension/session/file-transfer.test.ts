import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeDataMessage, fileChannelLabel, parseDataMessage, transferIdOfLabel } from '../../../../protocol/data.ts';
import type { Channel } from '../../../../extension/session/channel.ts';
import { ChannelEvents } from './channel-events.ts';
import { noRoomReason } from '../../../../extension/session/file-consent.ts';
import { BlockHasher } from '../../../../extension/session/block-hash.ts';
import {
  CHUNK_BYTES,
  DECLINED,
  FileTransfers,
  HIGH_WATER_BYTES,
  READ_BYTES,
  type CancelledTransfer,
  type CompletedTransfer,
  type FailedTransfer,
  type FileTransferEvents,
  type FileTransfersOptions,
  type TransferProgress,
} from '../../../../extension/session/file-transfer.ts';

// A real RTCDataChannel must fit the interface the transfers are written against (checked by tsc).
const realChannelFits = (dc: RTCDataChannel): Channel => dc;
void realChannelFits;

const MiB = 1024 * 1024;

type Tamper = (data: string | ArrayBuffer, binaryIndex: number) => string | ArrayBuffer | undefined;

/**
 * One end of an in-memory, ordered, reliable channel pair that behaves like
 * RTCDataChannel where it matters here: messages arrive one per macrotask, so a
 * fast sender really does pile up `bufferedAmount`; `bufferedamountlow` fires
 * when the buffer drains to the threshold; binary frames arrive as Blobs unless
 * `binaryType` is 'arraybuffer'; close() delivers what was sent first.
 */
class FakeChannel extends ChannelEvents implements Channel {
  readyState: RTCDataChannelState = 'connecting';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  binaryType: BinaryType = 'blob';
  remote!: FakeChannel;
  /** Messages from this end, not yet delivered; one is delivered per macrotask. */
  readonly #outbox: (() => void)[] = [];
  #draining = false;
  maxBuffered = 0;
  lowEvents = 0;
  binarySent = 0;
  bytesSent = 0;
  readonly textSent: string[] = [];
  /** Changes (or with undefined, drops) a message on its way to the other end. */
  tamper: Tamper | undefined;
  /** Milliseconds per message delivered from this end (a slow link); 0 is one per macrotask. */
  pace = 0;

  constructor(readonly label: string) {
    super();
  }

  send(data: string | ArrayBuffer | ArrayBufferView<ArrayBuffer>): void {
    if (this.readyState !== 'open') throw new DOMException('channel not open', 'InvalidStateError');
    const size = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    if (typeof data === 'string') this.textSent.push(data);
    else this.bytesSent += size;
    this.bufferedAmount += size;
    this.maxBuffered = Math.max(this.maxBuffered, this.bufferedAmount);
    // Copied, as a real channel's receiver gets its own buffer; a view sends only its own bytes.
    let copy: string | ArrayBuffer | undefined =
      typeof data === 'string'
        ? data
        : ArrayBuffer.isView(data)
          ? data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)
          : data.slice(0);
    if (typeof data !== 'string') {
      if (this.tamper) copy = this.tamper(copy, this.binarySent);
      this.binarySent++;
    } else if (this.tamper) {
      copy = this.tamper(copy, -1);
    }
    this.#enqueue(() => {
      const before = this.bufferedAmount;
      this.bufferedAmount -= size;
      if (before > this.bufferedAmountLowThreshold && this.bufferedAmount <= this.bufferedAmountLowThreshold) {
        this.lowEvents++;
        this.dispatchEvent(new Event('bufferedamountlow'));
      }
      const to = this.remote;
      if (copy === undefined || to.readyState !== 'open') return;
      const data = typeof copy === 'string' || to.binaryType === 'arraybuffer' ? copy : new Blob([copy]);
      to.dispatchEvent(new MessageEvent('message', { data }));
    });
  }

  close(): void {
    if (this.readyState === 'closing' || this.readyState === 'closed') return;
    this.readyState = 'closing';
    this.remote.readyState = 'closing';
    this.#enqueue(() => {
      for (const end of [this, this.remote]) {
        end.readyState = 'closed';
        end.dispatchEvent(new Event('close'));
      }
    });
  }

  open(): void {
    this.readyState = 'open';
    this.dispatchEvent(new Event('open'));
  }

  #later(fn: () => void): void {
    if (this.pace > 0) setTimeout(fn, this.pace);
    else setImmediate(fn);
  }

  #enqueue(step: () => void): void {
    this.#outbox.push(step);
    if (this.#draining) return;
    this.#draining = true;
    const next = () => {
      const step = this.#outbox.shift();
      if (!step) {
        this.#draining = false;
        return;
      }
      step();
      this.#later(next);
    };
    this.#later(next);
  }
}

type Log = { [K in keyof FileTransferEvents]: FileTransferEvents[K][0][] };

interface Person {
  name: string;
  transfers: FileTransfers;
  log: Log;
  /** Channels this person opened, by `${peer} ${label}`. */
  opened: Map<string, FakeChannel>;
}

/** People who can send each other files: each opened channel's other end is handed to the receiver, as ondatachannel would. */
function people(names: string[], opts: Omit<FileTransfersOptions, 'openChannel'> = {}): Map<string, Person> {
  const all = new Map<string, Person>();
  for (const name of names) {
    const opened = new Map<string, FakeChannel>();
    const transfers = new FileTransfers({
      ...opts,
      openChannel: (peer, label) => {
        const mine = new FakeChannel(label);
        const theirs = new FakeChannel(label);
        mine.remote = theirs;
        theirs.remote = mine;
        opened.set(`${peer} ${label}`, mine);
        setImmediate(() => {
          all.get(peer)?.transfers.acceptChannel(name, theirs);
          mine.open();
          theirs.open();
        });
        return mine;
      },
    });
    const log: Log = {
      transferStarted: [],
      consentAsked: [],
      accepted: [],
      progress: [],
      completed: [],
      failed: [],
      cancelled: [],
      declined: [],
    };
    for (const event of Object.keys(log) as (keyof Log)[]) {
      // Each key's array holds that event's payloads; the cast only widens the push.
      transfers.on(event, (payload) => (log[event] as unknown[]).push(payload));
    }
    all.set(name, { name, transfers, log, opened });
  }
  return all;
}

function pick(all: Map<string, Person>, name: string): Person {
  const p = all.get(name);
  if (!p) throw new Error(`no ${name}`);
  return p;
}

/** Resolves with the next `event` from `who` matching `test`. */
function next<K extends keyof FileTransferEvents>(
  who: Person,
  event: K,
  test: (payload: FileTransferEvents[K][0]) => boolean = () => true,
): Promise<FileTransferEvents[K][0]> {
  return new Promise((resolve) => {
    const off = who.transfers.on(event, ((payload: FileTransferEvents[K][0]) => {
      if (!test(payload)) return;
      off();
      resolve(payload);
    }) as never); // `never`: a listener of one payload stands for the event's one-argument tuple
  });
}

/** Resolves when `who` has ended as many transfers as `count` (completed, failed, cancelled or declined). */
const ended = (who: Person, count = 1) =>
  vi.waitFor(
    () => {
      const n = who.log.completed.length + who.log.failed.length + who.log.cancelled.length + who.log.declined.length;
      if (n < count) throw new Error(`${who.name} ended ${n} of ${count}`);
    },
    { timeout: 20_000, interval: 5 },
  );

const bytesOf = async (blob: Blob) => new Uint8Array(await blob.arrayBuffer());

/** A Blob whose slices from byte `from` on are read only once `gate` has resolved. */
class HeldBlob extends Blob {
  constructor(
    parts: BlobPart[],
    readonly gate: Promise<void>,
    readonly from: number,
  ) {
    super(parts);
  }

  override slice(start = 0, end?: number, type?: string): Blob {
    const part = super.slice(start, end, type);
    if (start < this.from) return part;
    const { gate } = this;
    // An own arrayBuffer in front of Blob's: the read resolves after the gate.
    const read = async () => {
      await gate;
      return Blob.prototype.arrayBuffer.call(part);
    };
    return Object.assign(part, { arrayBuffer: read });
  }
}
const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

afterEach(() => {
  vi.restoreAllMocks();
});

describe('FileTransfers', () => {
  it('sends a several-MB file that arrives byte for byte, verified, with its name and type', async () => {
    const all = people(['alice', 'bob']);
    const [alice, bob] = [pick(all, 'alice'), pick(all, 'bob')];
    const bytes = randomBytes(5 * MiB + 12_345);
    const id = alice.transfers.send(new File([bytes], 'holiday.png', { type: 'image/png' }), ['bob']);
    const got = await next(bob, 'completed');
    await ended(alice);
    expect(got).toMatchObject({ id, peer: 'alice', direction: 'receive', name: 'holiday.png', size: bytes.length, verified: true });
    expect(got.blob.type).toBe('image/png');
    expect(sha256Of(await bytesOf(got.blob))).toBe(sha256Of(bytes));
    expect(alice.log.completed).toEqual([expect.objectContaining({ id, peer: 'bob', direction: 'send', verified: true })]);
    expect(alice.log.failed).toEqual([]);
    expect(bob.log.failed).toEqual([]);
  });

  it('never lets the sender buffer more than HIGH_WATER + one chunk, waiting for bufferedamountlow instead', async () => {
    const all = people(['alice', 'bob']);
    const [alice, bob] = [pick(all, 'alice'), pick(all, 'bob')];
    const id = alice.transfers.send(new Blob([randomBytes(6 * MiB)]), ['bob']);
    await ended(bob);
    const channel = alice.opened.get(`bob ${fileChannelLabel(id)}`);
    expect(channel?.maxBuffered).toBeLessThanOrEqual(HIGH_WATER_BYTES + CHUNK_BYTES);
    // Proof that backpressure was exercised, not just never needed:
    expect(channel?.maxBuffered).toBeGreaterThan(HIGH_WATER_BYTES);
    expect(channel?.lowEvents).toBeGreaterThan(0);
    expect(bob.log.completed).toHaveLength(1);
  });

  it('reports progress on both sides that rises to the full size', async () => {
    const all = people(['alice', 'bob'], { progressIntervalMs: 0 });
    const [alice, bob] = [pick(all, 'alice'), pick(all, 'bob')];
    const size = 2 * MiB + 5;
    alice.transfers.send(new Blob([randomBytes(size)]), ['bob']);
    await ended(bob);
    for (const progress of [alice.log.progress, bob.log.progress]) {
      const seen = progress.map((p: TransferProgress) => p.transferred);
      expect(seen.length).toBeGreaterThan(2);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      expect(seen.at(-1)).toBe(size);
    }
  });

  it('reports progress at most once per interval on each side, and always the last figure', async () => {
    const all = people(['alice', 'bob'], { now: () => 0 }); // time stands still: only the first and the last pass
    const [alice, bob] = [pick(all, 'alice'), pick(all, 'bob')];
    const size = 3 * MiB + 5;
    alice.transfers.send(new Blob([randomBytes(size)]), ['bob']);
    await ended(alice);
    expect(alice.log.progress.map((p: TransferProgress) => p.transferred)).toEqual([READ_BYTES, size]);
    expect(bob.log.progress.map((p: TransferProgress) => p.transferred)).toEqual([CHUNK_BYTES, size]);
  });

  it('announces every transfer with transferStarted before anything else about it', async () => {
    const all = people(['alice', 'bob']);
    const [alice, bob] = [pick(all, 'alice'), pick(all, 'bob')];
    const order: string[] = [];
    for (const who of [alice, bob]) {
      for (const event of ['transferStarted', 'progress', 'completed'] as const) {
        who.transfers.on(event, () => order.push(`${who.name} ${event}`));
      }
    }
    alice.transfers.send(new Blob(['small']), ['bob']);
    await ended(alice);
    expect(order.filter((e) => e.startsWith('alice')).at(0)).toBe('alice transferStarted');
    expect(order.filter((e) => e.startsWith('bob')).at(0)).toBe('bob transferStarted');
    expect(order.filter((e) => e.endsWith('completed'))).toEqual(['bob completed', 'alice completed']);
  });

  it('sends an empty file, which arrives verified', async () => {
    const all = people(['alice', 'bob']);
    const [alice, bob] = [pick(all, 'alice'), pick(all, 'bob')];
    alice.transfers.send(new File([], 'empty.txt', { type: 'text/plain' }), ['bob']);
    const got = await next(bob, 'completed');
    expect(got).toMatchObject({ name: 'empty.txt', size: 0, verified: true });
    expect(got.blob.size).toBe(0);
    await ended(alice);
    expect(alice.log.completed).toHaveLength(1);
  });

  it('rejects a file with a corrupted chunk on both sides, naming the SHA-256 mismatch', async () => {
    const all = people(['alice', 'bob']);
    const [alice, bob] = [pick(all, 'alice'), pick(all, 'bob')];
    const id = alice.transfers.send(new Blob([randomBytes(MiB)]), ['bob']);
    const channel = alice.opened.get(`bob ${fileChannelLabel(id)}`);
    expect(channel).toBeDefined();
    if (channel) {
      channel.tamper = (data, index) => {
        if (index !== 3 || typeof data === 'string') return data;
        new Uint8Array(data)[100]! ^= 0xff; // flip one byte in flight
        return data;
      };
    }
    const failure = await next(bob, 'failed');
    expect(failure.reason).toMatch(/^SHA-256 mismatch/);
    await ended(alice);
    expect(alice.log.failed).toEqual([expect.objectContaining({ id, peer: 'bob', reason: failure.reason })]);
    expect(bob.log.completed).toEqual([]);
    expect(alice.log.completed).toEqual([]);
  });

  it('rejects a file with a missing chunk, naming how many bytes arrived', async () => {
    const all = people(['alice', 'bob']);
    const [alice, bob] = [pick(all, 'alice'), pick(all, 'bob')];
    const size = MiB;
    const id = alice.transfers.send(new Blob([randomBytes(size)]), ['bob']);
    const channel = alice.opened.get(`bob ${fileChannelLabel(id)}`);
    if (channel) channel.tamper = (data, index) => (index === 5 ? undefined : data);
    const failure = await next(bob, 'failed');
    expect(failure.reason).toBe(`received ${size - CHUNK_BYTES} of ${size} bytes`);
    await ended(alice);
    expect(alice.log.failed[0]?.reason).toBe(failure.reason);
  });

  it('rejects a file whose announced hash is wrong even though every byte arrived', async () => {
    const all = people(['alice', 'bob']);
    const [alice, bob] = [pick(all, 'alice'), pick(all, 'bob')];
    const id = alice.transfers.send(new Blob(['hello']), ['bob']);
    const channel = alice.opened.get(`bob ${fileChannelLabel(id)}`);
    if (channel) {
      channel.tamper = (data) => {
        const msg = typeof data === 'string' ? parseDataMessage(data) : undefined;
        return msg?.type === 'fileEnd' ? encodeDataMessage({ ...msg, blockSha256: '0'.repeat(64) }) : data;
      };
    }
    expect((await next(bob, 'failed')).reason).toMatch(/^SHA-256 mismatch/);
  });

  it('stops the sender when the receiver cancels, and both sides say who cancelled', async () => {
    const all = people(['alice', 'bob']);
    const [alice, bob] = [pick(all, 'alice'), pick(all, 'bob')];
    const size = 8 * MiB;
    const id = alice.transfers.send(new Blob([randomBytes(size)]), ['bob']);
    await next(bob, 'progress');
    bob.transfers.cancel(id);
    expect(bob.log.cancelled).toEqual([expect.objectContaining({ id, peer: 'alice', by: 'self', direction: 'receive' })]);
    const theirs: CancelledTransfer = await next(alice, 'cancelled');
    expect(theirs).toMatchObject({ id, peer: 'bob', by: 'peer', direction: 'send', reason: 'cancelled' });
    const channel = alice.opened.get(`bob ${fileChannelLabel(id)}`);
    await vi.waitFor(() => expect(channel?.readyState).toBe('closed'));
    expect(channel?.bytesSent).toBeLessThan(size);
    expect(bob.log.completed).toEqual([]);
    expect(alice.log.completed).toEqual([]);
    expect([...alice.log.failed, ...bob.log.failed]).toEqual([]);
  });

  it('stops the receiver when the sender cancels, and the receiver emits cancelled by peer', async () => {
    const all = people(['alice', 'bob']);
    const [alice, bob] = [pick(all, 'alice'), pick(all, 'bob')];
    const size = 8 * MiB;
    const id = alice.transfers.send(new Blob([randomBytes(size)]), ['bob']);
    await next(bob, 'progress');
    alice.transfers.cancel(id);
    expect(alice.log.cancelled).toEqual([expect.objectContaining({ id, by: 'self', direction: 'send' })]);
    const theirs = await next(bob, 'cancelled');
    expect(theirs).toMatchObject({ id, peer: 'alice', by: 'peer', direction: 'receive' });
    const channel = alice.opened.get(`bob ${fileChannelLabel(id)}`);
    await vi.waitFor(() => expect(channel?.readyState).toBe('closed'));
    expect(channel?.bytesSent).toBeLessThan(size);
    expect([...alice.log.failed, ...bob.log.failed, ...bob.log.completed]).toEqual([]);
  });

  it('cancels a transfer whose channel has not opened yet without a word on the wire', async () => {
    const all = people(['alice', 'bob']);
    const [alice, bob] = [pick(all, 'alice'), pick(all, 'bob')];
    const id = alice.transfers.send(new Blob(['soon']), ['bob']);
    alice.transfers.cancel(id);
    expect(alice.log.cancelled).toHaveLength(1);
    const channel = alice.opened.get(`bob ${fileChannelLabel(id)}`);
    await vi.waitFor(() => expect(channel?.readyState).toBe('closed'));
    expect(channel?.textSent).toEqual([]);
    expect(bob.log.transferStarted).toEqual([]);
  });

  it('keeps two transfers at once to the same peer apart', async () => {
    const all = people(['alice', 'bob']);
    const [alice, bob] = [pick(all, 'alice'), pick(all, 'bob')];
    const one = randomBytes(3 * MiB + 1);
    const two = randomBytes(2 * MiB + 7);
    const idOne = alice.transfers.send(new File([one], 'one.bin'), ['bob']);
    const idTwo = alice.transfers.send(new File([two], 'two.bin'), ['bob']);
    await ended(bob, 2);
    const byId = new Map(bob.log.completed.map((c: CompletedTransfer) => [c.id, c]));
    expect(byId.get(idOne)?.name).toBe('one.bin');
    expect(byId.get(idTwo)?.name).toBe('two.bin');
    const [gotOne, gotTwo] = [byId.get(idOne), byId.get(idTwo)];
    expect(gotOne && sha256Of(await bytesOf(gotOne.blob))).toBe(sha256Of(one));
    expect(gotTwo && sha256Of(await bytesOf(gotTwo.blob))).toBe(sha256Of(two));
    // They really overlapped: the second started before the first was done.
    const startedTwo = bob.log.progress.findIndex((p: TransferProgress) => p.id === idTwo);
    const lastOfOne = bob.log.progress.findLastIndex((p: TransferProgress) => p.id === idOne);
    expect(startedTwo).toBeLessThan(lastOfOne);
  });

  it('sends one file to two peers under one id, each at its own pace', async () => {
    const all = people(['alice', 'bob', 'carol']);
    const [alice, bob, carol] = [pick(all, 'alice'), pick(all, 'bob'), pick(all, 'carol')];
    const bytes = randomBytes(MiB + 3);
    const id = alice.transfers.send(new Blob([bytes]), ['bob', 'carol']);
    await Promise.all([ended(bob), ended(carol), ended(alice, 2)]);
    for (const who of [bob, carol]) {
      const got = who.log.completed[0];
      expect(got?.id).toBe(id);
      expect(got && sha256Of(await bytesOf(got.blob))).toBe(sha256Of(bytes));
    }
    expect(alice.log.completed.map((c: CompletedTransfer) => c.peer).sort()).toEqual(['bob', 'carol']);
  });

  it('feeds a fast and a slow receiver from one read and one hash of the file, the fast one not held back', async () => {
    const pacing = {
      chunkBytes: 16 * 1024,
      readBytes: 64 * 1024,
      readAhead: 2,
      windowReads: 4,
      highWaterBytes: 256 * 1024,
      lowWaterBytes: 64 * 1024,
    };
    const all = people(['alice', 'bob', 'carol'], { pacing });
    const [alice, bob, carol] = [pick(all, 'alice'), pick(all, 'bob'), pick(all, 'carol')];
    const bytes = randomBytes(3 * MiB);
    const file = new Blob([bytes]);
    let reads = 0;
    const slice = file.slice.bind(file);
    file.slice = (...args) => {
      reads += 1;
      return slice(...args);
    };
    const hashed = vi.spyOn(BlockHasher.prototype, 'update');
    const id = alice.transfers.send(file, ['bob', 'carol']);
    const toCarol = alice.opened.get(`carol ${fileChannelLabel(id)}`);
    if (toCarol) toCarol.pace = 2; // carol's link delivers a message every 2 ms; bob's as fast as the loop turns
    await ended(bob);
    const carolGot = carol.log.progress.at(-1)?.transferred ?? 0;
    expect(carolGot).toBeLessThan(bytes.length / 2);
    await ended(carol);
    for (const who of [bob, carol]) {
      const got = who.log.completed[0];
      expect(got && sha256Of(await bytesOf(got.blob))).toBe(sha256Of(bytes));
    }
    // The file was read whole once for both, plus what carol re-read alone once bob was a window ahead:
    // never more than once per receiver. (How much carol shared depends on how soon bob got a window
    // ahead, which a loaded machine changes: from a few blocks down to none, 96 reads.)
    expect(reads).toBeGreaterThanOrEqual(48);
    expect(reads).toBeLessThanOrEqual(2 * 48);
    // Hashed once by the sender, once by each receiver: not once per receiver at the sender.
    const hashedBytes = hashed.mock.calls.reduce((sum, [data]) => sum + data.byteLength, 0);
    expect(hashedBytes).toBe(3 * bytes.length);
    // Each channel kept to its own backpressure.
    for (const peer of ['bob', 'carol']) {
      expect(alice.opened.get(`${peer} ${fileChannelLabel(id)}`)?.maxBuffered).toBeLessThanOrEqual(
        pacing.highWaterBytes + pacing.chunkBytes,
      );
    }
  });

  it('cancels one peer of a shared transfer without touching the other', async () => {
    const all = people(['alice', 'bob', 'carol']);
    const [alice, bob, carol] = [pick(all, 'alice'), pick(all, 'bob'), pick(all, 'carol')];
    // Larger than the high water mark, so bob's part is still on its way when it is cancelled.
    const id = alice.transfers.send(new Blob([randomBytes(3 * HIGH_WATER_BYTES)]), ['bob', 'carol']);
    await next(bob, 'progress');
    alice.transfers.cancel(id, 'bob');
    await Promise.all([ended(bob), ended(carol)]);
    expect(bob.log.cancelled).toHaveLength(1);
    expect(carol.log.completed).toHaveLength(1);
  });

  it('refuses a file over the receiver’s size limit, and the sender learns why', async () => {
    const all = people(['alice', 'bob'], { maxFileBytes: MiB });
    const [alice, bob] = [pick(all, 'alice'), pick(all, 'bob')];
    alice.transfers.send(new Blob([randomBytes(MiB + 1)]), ['bob']);
    const refused: FailedTransfer = await next(bob, 'failed');
    expect(refused.reason).toBe('the file is larger than the 1 MiB limit');
    expect((await next(alice, 'failed')).reason).toBe(refused.reason);
  });

  it('refuses more simultaneous files from one peer than the limit, and tells the sender', async () => {
    const all = people(['alice', 'bob'], { maxIncomingPerPeer: 1 });
    const [alice, bob] = [pick(all, 'alice'), pick(all, 'bob')];
    alice.transfers.send(new Blob([randomBytes(MiB)]), ['bob']);
    alice.transfers.send(new Blob([randomBytes(MiB)]), ['bob']);
    await ended(alice, 2);
    expect(alice.log.completed).toHaveLength(1);
    expect(alice.log.failed).toEqual([expect.objectContaining({ reason: 'too many files at once (at most 1)' })]);
    // The refused one never reaches the receiver's UI.
    expect(bob.log.transferStarted).toHaveLength(1);
  });

  it('refuses a second file from a peer under an id it already used, keeping the first file, its one URL and its bytes held', async () => {
    const urls = countedUrls();
    const all = people(['alice', 'bob'], { objectUrls: urls });
    const [alice, bob] = [pick(all, 'alice'), pick(all, 'bob')];
    const id = crypto.randomUUID();
    const first = randomBytes(MiB + 5);
    alice.transfers.send(new File([first], 'first.bin'), ['bob'], 'first.bin', id);
    await Promise.all([ended(bob), ended(alice)]);
    // A hostile sender opens a new `file:<id>` channel and offers again.
    alice.transfers.send(new File([randomBytes(2 * MiB)], 'second.bin'), ['bob'], 'second.bin', id);
    await ended(alice, 2);
    expect(alice.log.failed).toEqual([expect.objectContaining({ id, reason: 'a transfer with this id was already made in this call' })]);
    await settle();

    // Nothing about the second reaches the receiver's UI, so the first one's row stays as it was.
    expect(bob.log.transferStarted).toHaveLength(1);
    expect([...bob.log.failed, ...bob.log.declined, ...bob.log.cancelled, ...bob.log.consentAsked]).toEqual([]);
    expect(bob.log.completed).toHaveLength(1);
    const kept = bob.log.completed[0]!;
    expect(kept).toMatchObject({ id, name: 'first.bin', url: 'blob:1' });
    expect(sha256Of(await bytesOf(kept.blob))).toBe(sha256Of(first));
    expect(urls.created).toEqual(['blob:1']);
    expect(bob.transfers.heldBytes).toBe(MiB + 5);

    bob.transfers.close();
    expect(urls.revoked).toEqual(urls.created);
  });

  it('remembers the ids each peer used for the whole call, apart from other peers’ and past its leaving, up to maxIdsPerPeer', async () => {
    const all = people(['alice', 'bob', 'carol'], { maxIdsPerPeer: 2 });
    const [alice, bob, carol] = [pick(all, 'alice'), pick(all, 'bob'), pick(all, 'carol')];
    const id = crypto.randomUUID();
    alice.transfers.send(new Blob(['a']), ['bob'], 'a.txt', id);
    carol.transfers.send(new Blob(['c']), ['bob'], 'c.txt', id); // ids are per peer
    await Promise.all([ended(bob, 2), ended(alice), ended(carol)]);
    expect(bob.log.completed.map((c) => c.peer).sort()).toEqual(['alice', 'carol']);

    bob.transfers.removePeer('alice'); // and back: the same participant, whose file bob still keeps
    alice.transfers.send(new Blob(['again']), ['bob'], 'again.txt', id);
    const second = alice.transfers.send(new Blob(['b']), ['bob'], 'b.txt');
    alice.transfers.send(new Blob(['x']), ['bob'], 'x.txt');
    await ended(alice, 4);
    expect(alice.log.completed.map((c) => c.name)).toEqual(['a.txt', 'b.txt']);
    expect(alice.log.failed.map((f) => [f.name, f.reason])).toEqual([
      ['again.txt', 'a transfer with this id was already made in this call'],
      ['x.txt', 'too many files in this call (at most 2)'],
    ]);
    await settle();
    expect(bob.log.transferStarted.map((t) => t.name)).toEqual(['a.txt', 'c.txt', 'b.txt']);
    expect(bob.log.completed.map((c) => c.id)).toEqual([id, id, second]);
  });

  it('fails both sides when the channel closes mid-transfer', async () => {
    const all = people(['alice', 'bob']);
    const [alice, bob] = [pick(all, 'alice'), pick(all, 'bob')];
    const id = alice.transfers.send(new Blob([randomBytes(4 * MiB)]), ['bob']);
    await next(bob, 'progress');
    alice.opened.get(`bob ${fileChannelLabel(id)}`)?.remote.close(); // as if the connection dropped
    await Promise.all([ended(alice), ended(bob)]);
    const reason = 'the connection closed before the transfer finished';
    expect(alice.log.failed).toEqual([expect.objectContaining({ id, reason })]);
    expect(bob.log.failed).toEqual([expect.objectContaining({ id, reason })]);
  });

  it('names the closed connection, not the refused send, when the channel closes while a read is out', async () => {
    // Reads past the first slice wait for `release`: the sender is awaiting one when the channel
    // starts closing, and resumes before the close event (a busy machine does this at random).
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const file = new HeldBlob([randomBytes(3 * READ_BYTES)], held, READ_BYTES);
    const all = people(['alice', 'bob']);
    const [alice, bob] = [pick(all, 'alice'), pick(all, 'bob')];
    const id = alice.transfers.send(file, ['bob']);
    await next(bob, 'progress');
    alice.opened.get(`bob ${fileChannelLabel(id)}`)?.remote.close();
    release();
    await Promise.all([ended(alice), ended(bob)]);
    const reason = 'the connection closed before the transfer finished';
    expect(alice.log.failed).toEqual([expect.objectContaining({ id, reason })]);
    expect(bob.log.failed).toEqual([expect.objectContaining({ id, reason })]);
  });

  it('fails transfers with a peer who leaves the call', async () => {
    const all = people(['alice', 'bob']);
    const [alice, bob] = [pick(all, 'alice'), pick(all, 'bob')];
    alice.transfers.send(new Blob([randomBytes(4 * MiB)]), ['bob']);
    await next(bob, 'progress');
    alice.transfers.removePeer('bob');
    expect(alice.log.failed).toEqual([expect.objectContaining({ reason: 'the peer left the call' })]);
  });

  it('types a received HTML file as application/octet-stream so opening it cannot run script', async () => {
    const all = people(['alice', 'bob']);
    const [alice, bob] = [pick(all, 'alice'), pick(all, 'bob')];
    alice.transfers.send(new File(['<script>alert(1)</script>'], 'x.html', { type: 'text/html' }), ['bob']);
    const got = await next(bob, 'completed');
    expect(got.mime).toBe('text/html');
    expect(got.blob.type).toBe('application/octet-stream');
  });

  it('strips a path and control characters from an offered file name', async () => {
    const all = people(['alice', 'bob']);
    const [alice, bob] = [pick(all, 'alice'), pick(all, 'bob')];
    alice.transfers.send(new Blob(['x']), ['bob'], '../../etc/pass\u202ewd\u0000.txt');
    expect((await next(bob, 'completed')).name).toBe('passwd.txt');
  });

  it('closes a channel whose label is not a transfer id', () => {
    const transfers = new FileTransfers({ openChannel: () => new FakeChannel('unused') });
    const channel = new FakeChannel('file:not-a-uuid');
    channel.remote = new FakeChannel('file:not-a-uuid');
    channel.remote.remote = channel;
    channel.open();
    transfers.acceptChannel('mallory', channel);
    expect(channel.readyState).toBe('closing');
  });

  /** A channel a peer opened to `transfers` under a fresh transfer id, open at both ends, that sends nothing by itself. */
  const openedBy = (transfers: FileTransfers, peer: string): FakeChannel => {
    const label = fileChannelLabel(crypto.randomUUID());
    const channel = new FakeChannel(label);
    channel.remote = new FakeChannel(label);
    channel.remote.remote = channel;
    channel.open();
    channel.remote.open();
    transfers.acceptChannel(peer, channel);
    return channel;
  };

  it('closes a channel a peer opened that never offers once offerWaitMs has passed, telling the person nothing', async () => {
    const transfers = new FileTransfers({ openChannel: () => new FakeChannel('unused'), offerWaitMs: 50 });
    const events: string[] = [];
    for (const event of ['transferStarted', 'failed', 'cancelled', 'declined', 'consentAsked'] as const) {
      transfers.on(event, () => events.push(event));
    }
    const silent = openedBy(transfers, 'mallory');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(silent.readyState).toBe('open');
    await vi.waitFor(() => expect(silent.readyState).toBe('closed'), { timeout: 2_000, interval: 5 });
    expect(events).toEqual([]);
    transfers.close();
  });

  it('closes at once the channels a peer opens past its refused ones still waiting for an offer, so none piles up', async () => {
    const transfers = new FileTransfers({ openChannel: () => new FakeChannel('unused'), maxIncomingPerPeer: 2 });
    const running = [openedBy(transfers, 'mallory'), openedBy(transfers, 'mallory')];
    const refused = [openedBy(transfers, 'mallory'), openedBy(transfers, 'mallory')]; // each told why once it offers
    const past = Array.from({ length: 50 }, () => openedBy(transfers, 'mallory'));
    const other = openedBy(transfers, 'bob'); // another peer's room is its own
    for (const channel of [...running, ...refused, other]) expect(channel.readyState).toBe('open');
    for (const channel of past) expect(channel.readyState).not.toBe('open');
    // A refused one still tells its sender why when the offer comes.
    const [first] = refused;
    const id = transferIdOfLabel(first?.label ?? '') ?? '';
    const heard: string[] = [];
    first?.remote.addEventListener('message', (ev) => heard.push(String((ev as MessageEvent).data)));
    first?.remote.send(encodeDataMessage({ type: 'fileOffer', id, name: 'a.txt', size: 1, mime: 'text/plain' }));
    await vi.waitFor(() => expect(heard.map((m) => parseDataMessage(m)?.type)).toEqual(['fileFailed']), { timeout: 2_000, interval: 5 });
    expect(parseDataMessage(heard[0] ?? '')).toMatchObject({ reason: 'too many files at once (at most 2)' });
    transfers.close();
  });

  it('fails a transfer whose sender sends bytes past the offered size, and closes it if the sender does not', async () => {
    const transfers = new FileTransfers({ openChannel: () => new FakeChannel('unused'), closeGraceMs: 20 });
    const failed: FailedTransfer[] = [];
    transfers.on('failed', (f) => failed.push(f));
    const id = crypto.randomUUID();
    const mine = new FakeChannel(fileChannelLabel(id));
    const theirs = new FakeChannel(fileChannelLabel(id));
    mine.remote = theirs;
    theirs.remote = mine;
    transfers.acceptChannel('mallory', theirs);
    mine.open();
    theirs.open();
    mine.send(encodeDataMessage({ type: 'fileOffer', id, name: 'a', size: 10, mime: '' }));
    mine.send(new ArrayBuffer(11));
    await vi.waitFor(() => expect(failed).toEqual([expect.objectContaining({ reason: 'received more than the 10 bytes offered' })]));
    await vi.waitFor(() => expect(mine.textSent.length).toBe(1));
    await vi.waitFor(() => expect(theirs.readyState).toBe('closed'));
  });

  it('cancels everything on close, and close is safe twice', async () => {
    const all = people(['alice', 'bob']);
    const [alice, bob] = [pick(all, 'alice'), pick(all, 'bob')];
    alice.transfers.send(new Blob([randomBytes(4 * MiB)]), ['bob']);
    await next(bob, 'progress');
    const cancelled = alice.log.cancelled;
    alice.transfers.close();
    alice.transfers.close();
    expect(cancelled).toEqual([expect.objectContaining({ by: 'self', reason: 'the call ended' })]);
    await ended(bob);
    expect(bob.log.cancelled.length + bob.log.failed.length).toBe(1);
  });
});

/** Lets the fake channels deliver whatever is in flight: each hop is one macrotask. */
const settle = async (hops = 20) => {
  for (let i = 0; i < hops; i++) await new Promise((resolve) => setImmediate(resolve));
};

/** Object URLs that can be counted: `blob:1`, `blob:2`, …; created and revoked ones are listed. */
function countedUrls() {
  const created: string[] = [];
  const revoked: string[] = [];
  const create = () => {
    const url = `blob:${created.length + 1}`;
    created.push(url);
    return url;
  };
  return { created, revoked, create, revoke: (url: string) => void revoked.push(url) };
}

describe('FileTransfers asking the receiver first', () => {
  it('holds a file above the ask size at its offer, with no byte sent, until the receiver accepts it', async () => {
    const all = people(['alice', 'bob'], { askAboveBytes: MiB });
    const [alice, bob] = [pick(all, 'alice'), pick(all, 'bob')];
    const bytes = randomBytes(2 * MiB);
    const id = alice.transfers.send(new File([bytes], 'big.bin'), ['bob']);
    const asked = await next(bob, 'consentAsked');
    expect(asked).toMatchObject({ id, peer: 'alice', name: 'big.bin', size: 2 * MiB, why: 'size' });
    await settle();
    const channel = alice.opened.get(`bob ${fileChannelLabel(id)}`);
    expect(channel?.bytesSent).toBe(0);
    expect(channel?.textSent.map((t) => parseDataMessage(t)?.type)).toEqual(['fileOffer']);
    expect([...alice.log.progress, ...bob.log.progress, ...alice.log.accepted, ...bob.log.accepted]).toEqual([]);

    bob.transfers.accept(id, 'alice');
    const got = await next(bob, 'completed');
    expect(sha256Of(await bytesOf(got.blob))).toBe(sha256Of(bytes));
    await ended(alice);
    expect(alice.log.accepted).toEqual([expect.objectContaining({ id, peer: 'bob' })]);
    expect(alice.log.completed).toHaveLength(1);
  });

  it('reads the start of the file while its offer waits, sending none of it before the accept', async () => {
    /** A file that counts the reads made of it. */
    class CountedFile extends File {
      reads = 0;
      override slice(...args: Parameters<Blob['slice']>): Blob {
        this.reads += 1;
        return super.slice(...args);
      }
    }
    const all = people(['alice', 'bob'], { askAboveBytes: MiB });
    const [alice, bob] = [pick(all, 'alice'), pick(all, 'bob')];
    const file = new CountedFile([randomBytes(3 * READ_BYTES)], 'big.bin');
    const id = alice.transfers.send(file, ['bob']);
    await next(bob, 'consentAsked');
    await settle();
    expect(file.reads).toBeGreaterThan(0);
    expect(alice.opened.get(`bob ${fileChannelLabel(id)}`)?.bytesSent).toBe(0);
    bob.transfers.accept(id, 'alice');
    await ended(bob);
    // Read once however early: no slice twice.
    expect(file.reads).toBe(3);
    expect(bob.log.completed).toHaveLength(1);
  });

  it('frees both sides when the receiver declines: the sender ends declined, the channel closes, nothing is held', async () => {
    const all = people(['alice', 'bob'], { askAboveBytes: MiB });
    const [alice, bob] = [pick(all, 'alice'), pick(all, 'bob')];
    const id = alice.transfers.send(new File([randomBytes(2 * MiB)], 'big.bin'), ['bob']);
    await next(bob, 'consentAsked');
    bob.transfers.decline(id, 'alice');
    expect(bob.log.declined).toEqual([expect.objectContaining({ id, peer: 'alice', by: 'self', reason: DECLINED })]);
    const theirs = await next(alice, 'declined');
    expect(theirs).toMatchObject({ id, peer: 'bob', direction: 'send', by: 'peer', reason: DECLINED });
    const channel = alice.opened.get(`bob ${fileChannelLabel(id)}`);
    await vi.waitFor(() => expect(channel?.readyState).toBe('closed'));
    expect(channel?.bytesSent).toBe(0);
    expect(bob.transfers.heldBytes).toBe(0);
    expect([...alice.log.failed, ...bob.log.failed, ...alice.log.cancelled, ...bob.log.cancelled]).toEqual([]);
    // A second answer, or one for a transfer that is gone, changes nothing.
    bob.transfers.accept(id, 'alice');
    await settle();
    expect(bob.log.accepted).toEqual([]);
  });

  it('takes a file at or below the ask size without asking', async () => {
    const all = people(['alice', 'bob'], { askAboveBytes: MiB });
    const [alice, bob] = [pick(all, 'alice'), pick(all, 'bob')];
    alice.transfers.send(new Blob([randomBytes(MiB)]), ['bob']);
    await ended(bob);
    expect(bob.log.consentAsked).toEqual([]);
    expect(bob.log.completed).toHaveLength(1);
  });

  it('ends an offer as cancelled by the peer when the sender withdraws it while the receiver is asked', async () => {
    const all = people(['alice', 'bob'], { askAboveBytes: 0 });
    const [alice, bob] = [pick(all, 'alice'), pick(all, 'bob')];
    const id = alice.transfers.send(new Blob(['x']), ['bob']);
    await next(bob, 'consentAsked');
    alice.transfers.cancel(id);
    expect(await next(bob, 'cancelled')).toMatchObject({ id, by: 'peer' });
    bob.transfers.accept(id, 'alice');
    expect(bob.log.accepted).toEqual([]);
  });

  it('asks for the files past the first three from one peer within ten seconds, and not once that window has passed', async () => {
    let now = 0;
    const all = people(['alice', 'bob'], { now: () => now });
    const [alice, bob] = [pick(all, 'alice'), pick(all, 'bob')];
    const ids = [1, 2, 3, 4, 5].map((n) => alice.transfers.send(new File([`file ${n}`], `${n}.txt`), ['bob']));
    await vi.waitFor(() => expect(bob.log.accepted.length + bob.log.consentAsked.length).toBe(5));
    expect(bob.log.consentAsked.map((c) => c.why)).toEqual(['burst', 'burst']);
    expect(bob.log.accepted).toHaveLength(3);
    const asked = new Set(bob.log.consentAsked.map((c) => c.id));
    expect(ids.filter((id) => asked.has(id))).toHaveLength(2);

    now = 10_000;
    alice.transfers.send(new File(['later'], 'later.txt'), ['bob']);
    await vi.waitFor(() => expect(bob.log.accepted).toHaveLength(4));
    expect(bob.log.consentAsked).toHaveLength(2);
  });

  it('counts offers per peer: a burst from one peer does not make another peer ask', async () => {
    const all = people(['alice', 'bob', 'carol']);
    const [alice, bob, carol] = [pick(all, 'alice'), pick(all, 'bob'), pick(all, 'carol')];
    for (let n = 0; n < 4; n++) alice.transfers.send(new Blob([`a${n}`]), ['bob']);
    carol.transfers.send(new Blob(['c']), ['bob']);
    await vi.waitFor(() => expect(bob.log.accepted.length + bob.log.consentAsked.length).toBe(5));
    expect(bob.log.consentAsked.map((c) => c.peer)).toEqual(['alice']);
  });

  it('declines an offer at once, on both sides with the reason, while unsaved received files would pass the cap', async () => {
    const urls = countedUrls();
    const all = people(['alice', 'bob'], { maxUnsavedBytes: 3 * MiB, objectUrls: urls });
    const [alice, bob] = [pick(all, 'alice'), pick(all, 'bob')];
    const first = alice.transfers.send(new Blob([randomBytes(2 * MiB)]), ['bob']);
    await ended(bob);
    expect(bob.transfers.heldBytes).toBe(2 * MiB);

    const second = alice.transfers.send(new Blob([randomBytes(2 * MiB)]), ['bob']);
    const mine = await next(bob, 'declined');
    const reason = noRoomReason(2 * MiB, 3 * MiB);
    expect(mine).toMatchObject({ id: second, by: 'self', reason });
    expect(await next(alice, 'declined')).toMatchObject({ id: second, by: 'peer', reason });
    expect(bob.log.consentAsked).toEqual([]);

    // Saving the first makes room again.
    bob.transfers.saved(first, 'alice');
    expect(bob.transfers.heldBytes).toBe(0);
    alice.transfers.send(new Blob([randomBytes(2 * MiB)]), ['bob']);
    await ended(bob, 3);
    expect(bob.log.completed).toHaveLength(2);
  });

  it('counts a file still arriving against the cap, so a second accepted offer that no longer fits is declined', async () => {
    const all = people(['alice', 'bob'], { maxUnsavedBytes: 3 * MiB, askAboveBytes: MiB });
    const [alice, bob] = [pick(all, 'alice'), pick(all, 'bob')];
    const first = alice.transfers.send(new File([randomBytes(2 * MiB)], 'first.bin'), ['bob']);
    const second = alice.transfers.send(new File([randomBytes(2 * MiB)], 'second.bin'), ['bob']);
    await vi.waitFor(() => expect(bob.log.consentAsked).toHaveLength(2));
    expect(bob.transfers.heldBytes).toBe(0); // asking holds nothing

    bob.transfers.accept(first, 'alice');
    expect(bob.transfers.heldBytes).toBe(2 * MiB); // in full, from the moment it is accepted
    bob.transfers.accept(second, 'alice');
    const reason = noRoomReason(2 * MiB, 3 * MiB);
    expect(bob.log.declined).toEqual([expect.objectContaining({ id: second, by: 'self', reason })]);
    expect(await next(alice, 'declined')).toMatchObject({ id: second, by: 'peer', reason });
    await ended(bob, 2);
    expect(bob.log.completed.map((c) => c.id)).toEqual([first]);
    expect(bob.transfers.heldBytes).toBe(2 * MiB);
  });

  it('revokes a received file’s URL at once when it is dismissed, after the grace when it is saved, and all of them on close', async () => {
    const urls = countedUrls();
    const all = people(['alice', 'bob'], { objectUrls: urls, savedUrlGraceMs: 30 });
    const [alice, bob] = [pick(all, 'alice'), pick(all, 'bob')];
    const ids = ['a', 'b', 'c'].map((text) => alice.transfers.send(new Blob([text]), ['bob']));
    await ended(bob, 3);
    const urlOf = (id: string) => bob.log.completed.find((c) => c.id === id)?.url;
    const [a, b, c] = ids.map(urlOf);
    expect(new Set([a, b, c]).size).toBe(3);
    expect(a).toMatch(/^blob:/);
    expect(alice.log.completed.every((t) => t.url === undefined)).toBe(true);

    bob.transfers.dismiss(ids[0]!, 'alice'); // three ids sent above
    expect(urls.revoked).toEqual([a]);
    bob.transfers.saved(ids[1]!, 'alice');
    expect(urls.revoked).toEqual([a]);
    await vi.waitFor(() => expect(urls.revoked).toEqual([a, b]));
    bob.transfers.dismiss(ids[1]!, 'alice'); // already revoked: not twice
    bob.transfers.close();
    expect(urls.revoked).toEqual([a, b, c]);
    expect(bob.transfers.heldBytes).toBe(0);
  });

  it('revokes a saved file’s URL on close when its grace has not run out yet', async () => {
    const urls = countedUrls();
    const all = people(['alice', 'bob'], { objectUrls: urls, savedUrlGraceMs: 60_000 });
    const [alice, bob] = [pick(all, 'alice'), pick(all, 'bob')];
    const id = alice.transfers.send(new Blob(['x']), ['bob']);
    await ended(bob);
    bob.transfers.saved(id, 'alice');
    expect(urls.revoked).toEqual([]);
    bob.transfers.close();
    expect(urls.revoked).toEqual(['blob:1']);
  });

  it('fails a transfer whose sender sends bytes before the offer was accepted, and nothing is kept', async () => {
    const transfers = new FileTransfers({ openChannel: () => new FakeChannel('unused'), askAboveBytes: 5, closeGraceMs: 20 });
    const log = { asked: 0, failed: [] as FailedTransfer[] };
    transfers.on('consentAsked', () => log.asked++);
    transfers.on('failed', (f) => log.failed.push(f));
    const id = crypto.randomUUID();
    const mine = new FakeChannel(fileChannelLabel(id));
    const theirs = new FakeChannel(fileChannelLabel(id));
    mine.remote = theirs;
    theirs.remote = mine;
    transfers.acceptChannel('mallory', theirs);
    mine.open();
    theirs.open();
    mine.send(encodeDataMessage({ type: 'fileOffer', id, name: 'a', size: 10, mime: '' }));
    mine.send(new ArrayBuffer(10));
    await vi.waitFor(() =>
      expect(log.failed).toEqual([expect.objectContaining({ reason: 'the sender sent file bytes before the offer was accepted' })]),
    );
    expect(log.asked).toBe(1);
    expect(transfers.heldBytes).toBe(0);
    await vi.waitFor(() => expect(theirs.readyState).toBe('closed'));
  });

  it('fails the sender, rather than report success, when a receiver says fileDone to an offer it never accepted', async () => {
    const all = people(['alice', 'bob'], { askAboveBytes: 0 });
    const [alice, bob] = [pick(all, 'alice'), pick(all, 'bob')];
    const id = alice.transfers.send(new Blob(['x']), ['bob']);
    await next(bob, 'consentAsked');
    const channel = alice.opened.get(`bob ${fileChannelLabel(id)}`);
    channel?.remote.send(encodeDataMessage({ type: 'fileDone', id }));
    expect(await next(alice, 'failed')).toMatchObject({ reason: 'the receiver sent something unexpected' });
    expect(alice.log.completed).toEqual([]);
  });
});
