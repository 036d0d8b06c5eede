// The call page's side of a local recording: the `Record` toggle, how long it
// has run, and `Save recording` once it stopped. The recorder itself
// (session/recorder.ts) is loaded on the first press, so a call that never
// records never loads it.
import { Show, createSignal, onCleanup, type Accessor } from 'solid-js';
import type { CallSession } from '../session/call-session.ts';
import type { Recorder } from '../session/recorder.ts';
import type { RecordingState } from '../session/recording-state.ts';
import { IDLE, clockText, elapsedMs, isRecording } from '../session/recording-view.ts';

export interface RecordingControl {
  readonly state: Accessor<RecordingState>;
  /** The last finished recording, ready to save. */
  readonly saved: Accessor<{ url: string; name: string } | undefined>;
  /** Seconds since it started, while it runs. */
  readonly elapsed: Accessor<number>;
  /** What became of the last recording, in words (the words load with the recorder). */
  readonly text: Accessor<string | undefined>;
  toggle(): void;
  /** The call ended: a running recording stops and stays savable. */
  stop(): void;
}

export function createRecordingControl(session: CallSession, stage: () => HTMLElement | undefined, maxBytes: number): RecordingControl {
  const [state, setState] = createSignal<RecordingState>(IDLE);
  const [saved, setSaved] = createSignal<{ url: string; name: string }>();
  const [elapsed, setElapsed] = createSignal(0);
  const [text, setText] = createSignal<string>();
  let recorder: Recorder | undefined;
  let loading = false;
  const ticker = setInterval(() => setElapsed(elapsedMs(state(), performance.now())), 500);
  onCleanup(() => {
    clearInterval(ticker);
    recorder?.close();
    const old = saved();
    if (old) URL.revokeObjectURL(old.url);
  });

  const finished = async (r: Recorder) => {
    const file = await r.save();
    r.close();
    if (recorder === r) recorder = undefined;
    if (!file) return;
    const old = saved();
    if (old) URL.revokeObjectURL(old.url);
    setSaved({ url: URL.createObjectURL(file.blob), name: file.name });
  };

  const start = async () => {
    if (loading || recorder) return;
    loading = true;
    setState({ phase: 'starting' });
    try {
      const [recorderModule, sceneModule] = await Promise.all([import('../session/recorder.ts'), import('./recording-scene.ts')]);
      const mod = recorderModule;
      const { stageScene } = sceneModule;
      const limit = { maxBytes, headroomBytes: mod.RECORDING_HEADROOM_BYTES };
      const r = new mod.Recorder({ call: session, scene: () => stageScene(stage()), limit });
      recorder = r;
      r.on('changed', (s) => {
        setState(s);
        setText(mod.recordingText(s, limit));
        setElapsed(elapsedMs(s, performance.now()));
        if (s.phase === 'done') void finished(r);
        if (s.phase === 'failed') {
          r.close();
          if (recorder === r) recorder = undefined;
        }
      });
      r.start();
    } catch (err) {
      console.warn('zing: the recorder could not load', err);
      setState({ phase: 'failed', message: 'its code could not be loaded' });
      setText('Recording could not start: its code could not be loaded. Reload the page and try again.');
    } finally {
      loading = false;
    }
  };

  return {
    state,
    saved,
    elapsed,
    text,
    toggle: () => {
      if (recorder && isRecording(recorder.state)) recorder.stop('person');
      else void start();
    },
    stop: () => recorder?.stop('callEnded'),
  };
}

/** The `Record` toggle, and the time it has run beside it. */
export function RecordButton(props: { control: RecordingControl }) {
  const on = () => isRecording(props.control.state());
  return (
    <>
      <button type="button" class="record" aria-pressed={on()} onClick={() => props.control.toggle()}>
        <span class="rec-dot" aria-hidden="true" /> Record
      </button>
      <Show when={on()}>
        <span class="rec-time">{clockText(props.control.elapsed())}</span>
      </Show>
    </>
  );
}

/** What became of the last recording, and `Save recording` while there is one. */
export function RecordingResult(props: { control: RecordingControl }) {
  const text = () => props.control.text();
  const urgent = () => {
    const s = props.control.state();
    return s.phase === 'failed' || (s.phase === 'done' && (s.reason === 'sizeLimit' || s.reason === 'failed'));
  };
  return (
    <Show when={text() !== undefined || props.control.saved()}>
      <div class="recording-result">
        <Show when={text()}>{(t) => <p role={urgent() ? 'alert' : undefined}>{t()}</p>}</Show>
        <Show when={props.control.saved()}>
          {(file) => (
            <a class="save-recording" href={file().url} download={file().name}>
              Save recording
            </a>
          )}
        </Show>
      </div>
    </Show>
  );
}
