// Who in the call is recording it, as each says of itself (protocol/data.ts,
// `recording`), and telling the others while this page records: when it
// starts and stops, and each newcomer once its channel is there.
//
// A notice speaks only for its sender, so a peer can mark no one but itself.
// Someone who leaves (or is blocked) stops counting as recording: their
// channel is gone, and they tell us again if they come back while recording.
import type { RecordingNotice } from '../../protocol/data.ts';
import type { ParticipantId } from '../../protocol/ids.ts';

export interface RecordingNoticesOptions {
  /** Sends a notice to one participant, or to everyone. */
  send: (msg: RecordingNotice, to?: ParticipantId) => void;
  /** Someone's recording changed (this page's included): the view needs updating. */
  changed: () => void;
}

export class RecordingNotices {
  readonly #opts: RecordingNoticesOptions;
  readonly #recording = new Set<ParticipantId>();
  #self = false;

  constructor(opts: RecordingNoticesOptions) {
    this.#opts = opts;
  }

  /** Whether this page records the call now. */
  get self(): boolean {
    return this.#self;
  }

  /** Whether `participant` said it records the call and has not said otherwise since. */
  isRecording(participant: ParticipantId): boolean {
    return this.#recording.has(participant);
  }

  /** This page started or stopped recording: everyone is told. */
  setSelf(on: boolean): void {
    if (on === this.#self) return;
    this.#self = on;
    this.#opts.send({ type: 'recording', on });
    this.#opts.changed();
  }

  /** A participant's channel is there (new, back, or unblocked): tell them if this page records. */
  peerJoined(participant: ParticipantId): void {
    if (this.#self) this.#opts.send({ type: 'recording', on: true }, participant);
  }

  /** A participant left or was blocked: they no longer count as recording. */
  peerLeft(participant: ParticipantId): void {
    if (this.#recording.delete(participant)) this.#opts.changed();
  }

  /** A validated notice from `participant`, about themselves. */
  receive(participant: ParticipantId, msg: RecordingNotice): void {
    if (msg.on === this.#recording.has(participant)) return;
    if (msg.on) this.#recording.add(participant);
    else this.#recording.delete(participant);
    this.#opts.changed();
  }
}
