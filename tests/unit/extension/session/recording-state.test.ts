import { describe, expect, it } from 'vitest';
import {
  IDLE,
  MAX_RECORDING_BYTES,
  RECORDING_HEADROOM_BYTES,
  clockText,
  elapsedMs,
  isRecording,
  nextRecording,
  recordingFileName,
  recordingText,
  sizeText,
  softLimit,
  type RecordingEvent,
  type RecordingState,
  type SizeLimit,
} from '../../../../extension/session/recording-state.ts';

const LIMIT: SizeLimit = { maxBytes: 1_000, headroomBytes: 100 };

/** Runs `events` from idle, each at its own time; the last step's state and what each step said. */
function run(events: [number, RecordingEvent][], limit = LIMIT) {
  let state: RecordingState = IDLE;
  const steps: { keep: boolean; stop: boolean }[] = [];
  for (const [now, event] of events) {
    const step = nextRecording(state, event, now, limit);
    state = step.state;
    steps.push({ keep: step.keep, stop: step.stop });
  }
  return { state, steps };
}

const started: [number, RecordingEvent][] = [
  [0, { type: 'start' }],
  [250, { type: 'started' }],
];

describe('nextRecording', () => {
  it('counts the recording from when the recorder started, not from the press', () => {
    const { state } = run([...started, [1_250, { type: 'chunk', bytes: 10 }]]);
    expect(state).toEqual({ phase: 'recording', startedAt: 250, bytes: 10 });
    expect(elapsedMs(state, 5_250)).toBe(5_000);
  });

  it('keeps each chunk under the limit and adds up its bytes', () => {
    const { state, steps } = run([...started, [1_000, { type: 'chunk', bytes: 300 }], [2_000, { type: 'chunk', bytes: 300 }]]);
    expect(steps.slice(2)).toEqual([
      { keep: true, stop: false },
      { keep: true, stop: false },
    ]);
    expect(state).toMatchObject({ phase: 'recording', bytes: 600 });
  });

  it('stops by itself once within the headroom of the limit, keeping that chunk', () => {
    const { state, steps } = run([...started, [1_000, { type: 'chunk', bytes: 920 }], [1_500, { type: 'chunk', bytes: 50 }]]);
    expect(steps[2]).toEqual({ keep: true, stop: true });
    // A chunk due after stop() still fits, so it is kept.
    expect(steps[3]).toEqual({ keep: true, stop: false });
    expect(state).toEqual({ phase: 'stopping', startedAt: 250, stoppedAt: 1_000, bytes: 970, reason: 'sizeLimit' });
  });

  it('drops a chunk that would pass the limit, so the kept bytes never exceed it', () => {
    const { state, steps } = run([...started, [1_000, { type: 'chunk', bytes: 500 }], [2_000, { type: 'chunk', bytes: 600 }]]);
    expect(steps[3]).toEqual({ keep: false, stop: true });
    expect(state).toMatchObject({ phase: 'stopping', bytes: 500, reason: 'sizeLimit' });
    const after = nextRecording(state, { type: 'chunk', bytes: 600 }, 2_100, LIMIT);
    expect(after.keep).toBe(false);
    expect(after.stop).toBe(false);
  });

  it('ends done with the time from start to stop, whatever comes after the stop', () => {
    const { state } = run([
      ...started,
      [1_250, { type: 'chunk', bytes: 10 }],
      [4_250, { type: 'stop', reason: 'person' }],
      [4_400, { type: 'chunk', bytes: 10 }],
      [4_500, { type: 'stopped' }],
    ]);
    expect(state).toEqual({ phase: 'done', durationMs: 4_000, bytes: 20, reason: 'person' });
    expect(isRecording(state)).toBe(false);
  });

  it('asks the recorder to stop once, and ignores a second stop', () => {
    const { steps, state } = run([...started, [1_000, { type: 'stop', reason: 'person' }], [1_100, { type: 'stop', reason: 'callEnded' }]]);
    expect(steps.slice(2).map((s) => s.stop)).toEqual([true, false]);
    expect(state).toMatchObject({ phase: 'stopping', reason: 'person' });
  });

  it('goes back to idle when stopped before the recorder started', () => {
    const { state, steps } = run([
      [0, { type: 'start' }],
      [10, { type: 'stop', reason: 'person' }],
    ]);
    expect(state).toBe(IDLE);
    expect(steps[1]?.stop).toBe(true);
  });

  it('keeps what there is when the browser stops the recorder by itself', () => {
    const { state } = run([...started, [1_250, { type: 'chunk', bytes: 10 }], [3_250, { type: 'stopped' }]]);
    expect(state).toEqual({ phase: 'done', durationMs: 3_000, bytes: 10, reason: 'failed' });
  });

  it('stops on an encoder error mid-way and keeps what was recorded', () => {
    const { state, steps } = run([...started, [1_000, { type: 'failed', message: 'boom' }], [1_100, { type: 'stopped' }]]);
    expect(steps[2]?.stop).toBe(true);
    expect(state).toEqual({ phase: 'done', durationMs: 750, bytes: 0, reason: 'failed' });
  });

  it('fails in words when the recorder cannot start, and can be started again', () => {
    const { state } = run([
      [0, { type: 'start' }],
      [5, { type: 'failed', message: 'no encoder' }],
    ]);
    expect(state).toEqual({ phase: 'failed', message: 'no encoder' });
    expect(recordingText(state)).toBe('Recording could not start: no encoder');
    expect(nextRecording(state, { type: 'start' }, 10).state).toEqual({ phase: 'starting' });
  });

  it('ignores a second press while it runs, and chunks when not recording', () => {
    const { state } = run([...started, [300, { type: 'start' }]]);
    expect(state.phase).toBe('recording');
    expect(nextRecording(IDLE, { type: 'chunk', bytes: 5 }, 0)).toEqual({ state: IDLE, keep: false, stop: false });
  });

  it('shows the toggle pressed from the press until the recording is done', () => {
    expect(isRecording({ phase: 'starting' })).toBe(true);
    expect(isRecording({ phase: 'stopping', startedAt: 0, stoppedAt: 1, bytes: 0, reason: 'person' })).toBe(true);
    expect(isRecording(IDLE)).toBe(false);
  });
});

describe('softLimit', () => {
  it('stops the default recording two chunks short of 1 GiB', () => {
    expect(MAX_RECORDING_BYTES).toBe(2 ** 30);
    expect(softLimit({ maxBytes: MAX_RECORDING_BYTES, headroomBytes: RECORDING_HEADROOM_BYTES })).toBe(
      MAX_RECORDING_BYTES - RECORDING_HEADROOM_BYTES,
    );
  });

  it('never takes more than a quarter of a small limit as headroom', () => {
    expect(softLimit({ maxBytes: 300_000, headroomBytes: RECORDING_HEADROOM_BYTES })).toBe(225_000);
  });
});

describe('words and names', () => {
  it('says a size-limited recording stopped, at which limit, and what to do', () => {
    const text = recordingText(
      { phase: 'done', durationMs: 65_000, bytes: 900, reason: 'sizeLimit' },
      { maxBytes: 2 ** 30, headroomBytes: 0 },
    );
    expect(text).toBe(
      'Recording stopped at 1:05: it reached the 1 GiB limit for one recording. Save it, then press Record again to go on in a new file.',
    );
  });

  it('writes lengths as a clock', () => {
    expect(clockText(0)).toBe('0:00');
    expect(clockText(65_999)).toBe('1:05');
    expect(clockText(3_723_000)).toBe('1:02:03');
  });

  it('writes sizes as a person reads them', () => {
    expect(sizeText(2 ** 30)).toBe('1 GiB');
    expect(sizeText(300 * 2 ** 20)).toBe('300 MiB');
    expect(sizeText(300_000)).toBe('293 KiB');
  });

  it('names the file after the local date and time it started, with nothing a file system refuses', () => {
    const name = recordingFileName(new Date(2026, 11, 3, 9, 5, 7));
    expect(name).toBe('zing-recording-2026-12-03-09-05-07.webm');
    expect(name).not.toMatch(/[\\/:*?"<>| ]/);
  });
});
