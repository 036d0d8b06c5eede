import { describe, expect, it } from 'vitest';
import { NoiseSuppressor, type SuppressorGraph } from '../../../../extension/session/noise-suppressor.ts';

/** A track as far as the suppressor looks at one: its identity and its mute flag. */
const track = (label: string): MediaStreamTrack => ({ label, enabled: true }) as unknown as MediaStreamTrack; // only these fields are read

class FakeGraph implements SuppressorGraph {
  readonly output = track('suppressed');
  running = false;
  input: MediaStreamTrack | null = null;
  active: boolean | undefined;
  closed = 0;
  readonly #listeners = new Set<() => void>();

  connect(input: MediaStreamTrack | null): void {
    this.input = input;
  }
  onRunningChanged(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  async setActive(active: boolean): Promise<void> {
    this.active = active;
    this.setRunning(active);
  }
  setRunning(running: boolean): void {
    if (running === this.running) return;
    this.running = running;
    for (const l of this.#listeners) l();
  }
  close(): void {
    this.closed += 1;
  }
}

/** A loader the test resolves or rejects when it likes. */
function deferredLoad() {
  let resolve!: (g: SuppressorGraph) => void;
  let reject!: (e: Error) => void;
  let calls = 0;
  const promise = new Promise<SuppressorGraph>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return {
    load: () => {
      calls += 1;
      return promise;
    },
    resolve,
    reject,
    get calls() {
      return calls;
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('NoiseSuppressor', () => {
  it('sends the raw microphone while the suppressor loads, then the suppressed one, and says so', async () => {
    const loader = deferredLoad();
    const ns = new NoiseSuppressor({ enabled: true, load: loader.load });
    let changes = 0;
    ns.on('changed', () => changes++);
    const mic = track('mic');
    expect(ns.output(mic)).toBe(mic);
    const graph = new FakeGraph();
    loader.resolve(graph);
    await settle();
    expect(changes).toBeGreaterThan(0);
    expect(ns.active).toBe(true);
    expect(ns.output(mic)).toBe(graph.output);
    expect(graph.input).toBe(mic);
  });

  it('loads nothing until it is on and there is a microphone', async () => {
    const loader = deferredLoad();
    const off = new NoiseSuppressor({ enabled: false, load: loader.load });
    expect(off.output(track('mic'))).not.toBeNull();
    const noMic = new NoiseSuppressor({ enabled: true, load: loader.load });
    expect(noMic.output(null)).toBeNull();
    expect(loader.calls).toBe(0);
  });

  it('switched off, sends the raw microphone at once, disconnects it and pauses the suppressor', async () => {
    const loader = deferredLoad();
    const ns = new NoiseSuppressor({ enabled: true, load: loader.load });
    const mic = track('mic');
    ns.output(mic);
    const graph = new FakeGraph();
    loader.resolve(graph);
    await settle();
    ns.output(mic);
    let changes = 0;
    ns.on('changed', () => changes++);
    ns.setEnabled(false);
    expect(changes).toBeGreaterThan(0);
    expect(ns.output(mic)).toBe(mic);
    expect(graph.input).toBeNull();
    expect(graph.active).toBe(false);
    ns.setEnabled(true);
    await settle();
    expect(ns.output(mic)).toBe(graph.output);
    expect(loader.calls).toBe(1);
  });

  it('waits for an AudioContext the browser holds back, sending the raw microphone meanwhile', async () => {
    const loader = deferredLoad();
    const ns = new NoiseSuppressor({ enabled: true, load: loader.load });
    const mic = track('mic');
    ns.output(mic);
    const graph = new FakeGraph();
    graph.setActive = async (active) => {
      graph.active = active; // resume() stays pending until a click
    };
    loader.resolve(graph);
    await settle();
    expect(ns.output(mic)).toBe(mic);
    let changes = 0;
    ns.on('changed', () => changes++);
    graph.setRunning(true); // the person clicked
    expect(changes).toBe(1);
    expect(ns.output(mic)).toBe(graph.output);
  });

  it('follows the microphone: a new device feeds the same suppressed track, and a mute mutes it', async () => {
    const loader = deferredLoad();
    const ns = new NoiseSuppressor({ enabled: true, load: loader.load });
    ns.output(track('mic'));
    const graph = new FakeGraph();
    loader.resolve(graph);
    await settle();
    const headset = track('headset');
    expect(ns.output(headset)).toBe(graph.output);
    expect(graph.input).toBe(headset);
    headset.enabled = false;
    expect(ns.output(headset)).toBe(graph.output);
    expect(graph.output.enabled).toBe(false);
    // Muted, the model gets no input at all (the worklet then skips its work), and gets it back on unmute.
    expect(graph.input).toBe(null);
    headset.enabled = true;
    expect(ns.output(headset)).toBe(graph.output);
    expect(graph.input).toBe(headset);
    expect(graph.output.enabled).toBe(true);
  });

  it('keeps the raw microphone and reports once where the suppressor cannot load', async () => {
    const loader = deferredLoad();
    const ns = new NoiseSuppressor({ enabled: true, load: loader.load });
    const failures: Error[] = [];
    ns.on('failed', (e) => failures.push(e));
    const mic = track('mic');
    ns.output(mic);
    loader.reject(new Error('no AudioWorklet'));
    await settle();
    ns.setEnabled(false);
    ns.setEnabled(true);
    expect(ns.output(mic)).toBe(mic);
    expect(failures.map((e) => e.message)).toEqual(['no AudioWorklet']);
    expect(loader.calls).toBe(1);
  });

  it('closes its suppressor once, even one that finishes loading after the call ended', async () => {
    const loader = deferredLoad();
    const ns = new NoiseSuppressor({ enabled: true, load: loader.load });
    ns.output(track('mic'));
    ns.close();
    ns.close();
    const graph = new FakeGraph();
    loader.resolve(graph);
    await settle();
    expect(graph.closed).toBe(1);
    expect(ns.active).toBe(false);
  });
});
