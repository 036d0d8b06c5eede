import { describe, expect, it, vi } from 'vitest';
import { encodeDataMessage, fileChannelLabel, parseDataMessage } from '../../../../protocol/data.ts';
import type { Channel } from '../../../../extension/session/channel.ts';
import { ChannelEvents } from './channel-events.ts';
import { FileTransfers, type FileTransferEvents } from '../../../../extension/session/file-transfer.ts';
import { FileTransfersLater, type LoadFileTransfers } from '../../../../extension/session/file-transfers-later.ts';

/** A channel whose events the test fires by hand; what is sent and whether it closed are recorded. */
class HandChannel extends ChannelEvents implements Channel {
  readyState: RTCDataChannelState = 'open';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  binaryType: BinaryType = 'blob';
  readonly sent: string[] = [];
  constructor(readonly label: string) {
    super();
  }
  send(data: string | ArrayBuffer | ArrayBufferView<ArrayBuffer>): void {
    if (typeof data === 'string') this.sent.push(data);
  }
  close(): void {
    this.readyState = 'closed';
  }
  message(data: string): void {
    this.dispatchEvent(new MessageEvent('message', { data }));
  }
  closedByPeer(): void {
    this.readyState = 'closed';
    this.dispatchEvent(new Event('close'));
  }
}

/** A loader the test lets finish (or fail) when it wants. */
function heldLoader() {
  let finish: (ok: boolean) => void = () => undefined;
  const loads = vi.fn<LoadFileTransfers>(
    () =>
      new Promise((resolve, reject) => {
        finish = (ok) => (ok ? resolve(FileTransfers) : reject(new Error('chunk missing')));
      }),
  );
  return { loads, finish: (ok = true) => finish(ok) };
}

/** Transfer ids are UUIDs (protocol/ids.ts). */
const T1 = '00000000-0000-4000-8000-000000000001';
const T2 = '00000000-0000-4000-8000-000000000002';

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function record(files: FileTransfersLater): string[] {
  const seen: string[] = [];
  const events: (keyof FileTransferEvents)[] = ['transferStarted', 'consentAsked', 'accepted', 'failed', 'cancelled', 'declined'];
  for (const event of events) files.on(event, (t) => seen.push(`${event} ${t.name}`));
  return seen;
}

describe('FileTransfersLater', () => {
  it('reads what a peer sent on a file channel while the code was loading, in order, once it has loaded', async () => {
    const loader = heldLoader();
    const files = new FileTransfersLater({ openChannel: () => new HandChannel('unused'), askAboveBytes: 1 }, loader.loads);
    const seen = record(files);
    const channel = new HandChannel(fileChannelLabel(T1));
    files.acceptChannel('peer', channel);
    expect(channel.binaryType).toBe('arraybuffer');
    channel.message(encodeDataMessage({ type: 'fileOffer', id: T1, name: 'a.txt', size: 10, mime: 'text/plain' }));
    channel.closedByPeer();
    expect(seen).toEqual([]);
    loader.finish();
    await settle();
    expect(seen).toEqual(['transferStarted a.txt', 'consentAsked a.txt', 'failed a.txt']);
    expect(loader.loads).toHaveBeenCalledTimes(1);
  });

  it('sends a file chosen while the code was loading with the id it returned', async () => {
    const loader = heldLoader();
    const opened: HandChannel[] = [];
    const files = new FileTransfersLater(
      {
        openChannel: (_peer, label) => {
          const channel = new HandChannel(label);
          opened.push(channel);
          return channel;
        },
      },
      loader.loads,
    );
    const seen = record(files);
    const id = files.send(new Blob(['hello']), ['peer'], 'hello.txt');
    expect(opened).toEqual([]);
    loader.finish();
    await settle();
    expect(opened.map((c) => c.label)).toEqual([fileChannelLabel(id)]);
    expect(seen).toEqual(['transferStarted hello.txt']);
    await settle();
    expect(opened[0]?.sent.map((t) => parseDataMessage(t))).toEqual([{ type: 'fileOffer', id, name: 'hello.txt', size: 5, mime: '' }]);
  });

  it('starts loading on load() and not before, once however often it is asked', async () => {
    const loader = heldLoader();
    const files = new FileTransfersLater({ openChannel: () => new HandChannel('unused') }, loader.loads);
    expect(loader.loads).not.toHaveBeenCalled();
    files.load();
    files.load();
    files.acceptChannel('peer', new HandChannel(fileChannelLabel(T1)));
    expect(loader.loads).toHaveBeenCalledTimes(1);
  });

  it('closes the channels it holds, and never runs the code, when the call ends while it loads', async () => {
    const loader = heldLoader();
    const openChannel = vi.fn(() => new HandChannel('unused'));
    const files = new FileTransfersLater({ openChannel }, loader.loads);
    const seen = record(files);
    const channel = new HandChannel(fileChannelLabel(T1));
    files.acceptChannel('peer', channel);
    files.send(new Blob(['x']), ['peer'], 'x.txt');
    files.close();
    expect(channel.readyState).toBe('closed');
    loader.finish();
    await settle();
    const late = new HandChannel(fileChannelLabel(T2));
    files.acceptChannel('peer', late);
    expect(late.readyState).toBe('closed');
    expect(openChannel).not.toHaveBeenCalled();
    expect(seen).toEqual([]);
  });

  it('closes the channels it holds when the code cannot load, and tries again on the next need', async () => {
    const loader = heldLoader();
    const files = new FileTransfersLater({ openChannel: () => new HandChannel('unused'), askAboveBytes: 1 }, loader.loads);
    const seen = record(files);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const channel = new HandChannel(fileChannelLabel(T1));
    files.acceptChannel('peer', channel);
    loader.finish(false);
    await settle();
    expect(channel.readyState).toBe('closed');
    expect(errors).toHaveBeenCalledTimes(1);
    errors.mockRestore();
    const again = new HandChannel(fileChannelLabel(T2));
    files.acceptChannel('peer', again);
    again.message(encodeDataMessage({ type: 'fileOffer', id: T2, name: 'b.txt', size: 10, mime: '' }));
    loader.finish();
    await settle();
    expect(loader.loads).toHaveBeenCalledTimes(2);
    expect(seen).toEqual(['transferStarted b.txt', 'consentAsked b.txt']);
  });
});
