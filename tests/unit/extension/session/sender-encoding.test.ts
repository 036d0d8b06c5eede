import { describe, expect, it } from 'vitest';
import type { VideoEncoding } from '../../../../extension/session/bandwidth.ts';
import { applyEncoding, type EncodedSender, forgetEncoding } from '../../../../extension/session/sender-encoding.ts';

/**
 * A sender as Chromium's behaves here: one encoding; setParameters takes effect
 * in the order called (getParameters after it reads what it set, as the WebRTC
 * thread has it queued), is undone if it fails, and settles when the test says.
 */
class FakeSender implements EncodedSender {
  encoding: RTCRtpEncodingParameters = { active: true };
  preference: RTCDegradationPreference | undefined;
  reads = 0;
  sets: { params: RTCRtpSendParameters; settle: (err?: Error) => void }[] = [];

  getParameters(): RTCRtpSendParameters {
    this.reads += 1;
    const params: RTCRtpSendParameters = {
      transactionId: String(this.reads),
      encodings: [{ ...this.encoding }],
      codecs: [],
      headerExtensions: [],
      rtcp: {},
    };
    if (this.preference !== undefined) params.degradationPreference = this.preference;
    return params;
  }

  setParameters(params: RTCRtpSendParameters): Promise<void> {
    const before = this.encoding;
    this.encoding = { ...params.encodings[0]! };
    this.preference = params.degradationPreference;
    return new Promise((resolve, reject) => {
      this.sets.push({
        params,
        settle: (err) => {
          if (!err) return resolve();
          this.encoding = before;
          reject(err);
        },
      });
    });
  }

  /** Settles the oldest setParameters still under way. */
  async settleNext(err?: Error): Promise<void> {
    this.sets.shift()!.settle(err);
    await new Promise((r) => setTimeout(r, 0));
  }
}

const enc = (maxBitrate: number): VideoEncoding => ({ active: true, maxBitrate, scaleResolutionDownBy: 2, maxFramerate: 15 });

describe('applyEncoding', () => {
  it('sets an encoding once and, asked again for the same, does not read the sender', async () => {
    const sender = new FakeSender();
    const done = applyEncoding(sender, enc(100_000));
    expect(sender.sets).toHaveLength(1);
    await sender.settleNext();
    await done;
    expect(sender.encoding.maxBitrate).toBe(100_000);
    const reads = sender.reads;
    for (let i = 0; i < 5; i++) await applyEncoding(sender, enc(100_000));
    expect(sender.reads).toBe(reads);
    expect(sender.sets).toHaveLength(0);
    // Something new is set.
    const next = applyEncoding(sender, enc(60_000));
    await sender.settleNext();
    await next;
    expect(sender.encoding.maxBitrate).toBe(60_000);
  });

  it('reads the sender again after a failed setParameters, and after forgetEncoding', async () => {
    const sender = new FakeSender();
    const failed = applyEncoding(sender, enc(100_000)).catch((err: unknown) => err);
    await sender.settleNext(new Error('InvalidModificationError'));
    expect(await failed).toEqual(new Error('InvalidModificationError'));
    expect(sender.encoding.maxBitrate).toBeUndefined();
    const retry = applyEncoding(sender, enc(100_000));
    expect(sender.sets).toHaveLength(1); // not taken for done
    await sender.settleNext();
    await retry;
    const reads = sender.reads;
    forgetEncoding(sender);
    await applyEncoding(sender, enc(100_000));
    expect(sender.reads).toBe(reads + 1); // read, found as wanted, nothing set
    expect(sender.sets).toHaveLength(0);
  });

  it('does not trust what settled while another setParameters was under way', async () => {
    const sender = new FakeSender();
    const first = applyEncoding(sender, enc(100_000));
    const second = applyEncoding(sender, enc(60_000));
    await sender.settleNext();
    await first;
    // The sender will hold 60 kbps once the second settles: asking for 100 again must not be skipped.
    const third = applyEncoding(sender, enc(100_000));
    expect(sender.sets).toHaveLength(2);
    await sender.settleNext();
    await second;
    await sender.settleNext();
    await third;
    expect(sender.encoding.maxBitrate).toBe(100_000);
  });

  it('sets the preference with the first encoding, keeps it through later sets, and puts it back after a negotiation lost it', async () => {
    const sender = new FakeSender();
    const first = applyEncoding(sender, enc(100_000), 'maintain-resolution');
    await sender.settleNext();
    await first;
    expect(sender.preference).toBe('maintain-resolution');
    const next = applyEncoding(sender, enc(60_000), 'maintain-resolution');
    await sender.settleNext();
    await next;
    expect(sender.preference).toBe('maintain-resolution');
    // A negotiation that dropped it: the encoding is as wanted, the preference is not.
    sender.preference = undefined;
    forgetEncoding(sender);
    const again = applyEncoding(sender, enc(60_000), 'maintain-resolution');
    expect(sender.sets).toHaveLength(1);
    await sender.settleNext();
    await again;
    expect(sender.preference).toBe('maintain-resolution');
    // Without a preference asked, whatever the sender has stays.
    forgetEncoding(sender);
    await applyEncoding(sender, enc(60_000));
    expect(sender.sets).toHaveLength(0);
  });

  it('leaves a sender with no encodings yet alone (it is applied again after negotiation)', async () => {
    const sender = new FakeSender();
    sender.getParameters = () => ({ transactionId: '1', encodings: [], codecs: [], headerExtensions: [], rtcp: {} });
    await applyEncoding(sender, enc(100_000));
    expect(sender.sets).toHaveLength(0);
  });
});

describe('applyEncoding with layers it never asked for', () => {
  it('sizes the first encoding and turns every other one off', async () => {
    let encodings: RTCRtpEncodingParameters[] = [
      { active: true, rid: 'h' },
      { active: true, rid: 'm' },
      { active: true, rid: 'l' },
    ];
    const sender: EncodedSender = {
      getParameters: () => ({
        transactionId: '1',
        encodings: encodings.map((e) => ({ ...e })),
        codecs: [],
        headerExtensions: [],
        rtcp: {},
      }),
      setParameters: async (params) => {
        encodings = params.encodings;
      },
    };
    await applyEncoding(sender, enc(100_000));
    expect(encodings.map((e) => e.active)).toEqual([true, false, false]);
    expect(encodings[0]).toMatchObject(enc(100_000));
  });
});
