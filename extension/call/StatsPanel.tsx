import { For, Show, createSignal, onCleanup } from 'solid-js';
import type { CallSession, ParticipantView } from '../session/call-session.ts';
import type { LinkStats } from '../session/link-stats.ts';
import type { LinkQuality } from '../session/quality.ts';
import { askedText, limitText } from './quality-text.ts';

/** How often the open panel refreshes; getStats on 7 links once a second is cheap. */
const REFRESH_MS = 1000;

const kbps = (bps: number | undefined) => (bps === undefined ? '…' : `${Math.round(bps / 1000)} kbps`);
const ms = (v: number | undefined) => (v === undefined ? '…' : `${Math.round(v)} ms`);
const percent = (v: number | undefined) => (v === undefined ? '…' : `${v.toFixed(1)} %`);

export function StatsPanel(props: { session: CallSession; participants: readonly ParticipantView[] }) {
  const [stats, setStats] = createSignal<Record<string, LinkStats>>({});
  // What each receiver asked for and what the governor lets through, refreshed with the figures.
  const [quality, setQuality] = createSignal<Record<string, LinkQuality | undefined>>({});
  // One refresh at a time: on a busy page getStats can take longer than the interval.
  let busy = false;
  const refresh = () => {
    if (busy) return;
    busy = true;
    void props.session
      .linkStats()
      .then(
        (s) => {
          setStats(s);
          setQuality(Object.fromEntries(Object.keys(s).map((id) => [id, props.session.quality.describe(id)])));
        },
        () => undefined,
      ) // a link that closed meanwhile has no stats: the next tick tries again
      .finally(() => {
        busy = false;
      });
  };
  refresh();
  const timer = setInterval(refresh, REFRESH_MS);
  onCleanup(() => clearInterval(timer));
  const totalUp = () => Object.values(stats()).reduce((sum, s) => sum + (s.sendBps ?? 0), 0);

  return (
    <section id="stats-panel" aria-label="Connection stats" class="stats">
      <p class="total">
        Total upload: <span data-stat="total-upload">{kbps(totalUp())}</span> of {kbps(props.session.uploadBudgetBps)} budget
      </p>
      <Show when={props.participants.some((p) => !p.self)} fallback={<p>No one else is in the call yet.</p>}>
        <table>
          <thead>
            <tr>
              <th scope="col">With</th>
              <th scope="col">Sending</th>
              <th scope="col">Receiving</th>
              <th scope="col">Round trip</th>
              <th scope="col">Packet loss</th>
              <th scope="col">They show us</th>
              <th scope="col">Sending at most</th>
            </tr>
          </thead>
          <tbody>
            <For each={props.participants.filter((p) => !p.self)}>
              {(p) => {
                const s = () => stats()[p.id];
                return (
                  <tr>
                    <th scope="row">{p.name}</th>
                    <td>
                      {kbps(s()?.sendBps)} · {s()?.sendResolution ?? '—'}
                    </td>
                    <td>
                      {kbps(s()?.receiveBps)} · {s()?.receiveResolution ?? '—'}
                    </td>
                    <td>{ms(s()?.rttMs)}</td>
                    <td>{percent(s()?.lossPercent)}</td>
                    <td data-stat="asked">{askedText(quality()[p.id]?.asked)}</td>
                    <td data-stat="limit">{limitText(quality()[p.id])}</td>
                  </tr>
                );
              }}
            </For>
          </tbody>
        </table>
      </Show>
    </section>
  );
}
