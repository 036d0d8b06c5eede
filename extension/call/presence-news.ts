// What the call page says aloud, in its polite live region, as people come and
// go, start or stop recording, and share their screen: a screen reader hears
// what a sighted person sees happen to the tiles. Pure; loaded with the first
// change after the page starts (CallPage), so it costs the page's start nothing.
import type { ParticipantView } from '../session/call-session.ts';

/** What a line is made from: the tiles as they were and as they are. */
export type Seen = Pick<ParticipantView, 'id' | 'self' | 'kind' | 'name' | 'recording'>;

/** The lines for what changed from `before` to `after`; nothing about this person, who did it. */
export function presenceNews(before: readonly Seen[], after: readonly Seen[]): string[] {
  const was = new Map(before.map((p) => [p.id, p]));
  const is = new Map(after.map((p) => [p.id, p]));
  const lines: string[] = [];
  for (const p of after) {
    if (p.self) continue;
    const old = was.get(p.id);
    if (!old) lines.push(p.kind === 'camera' ? `${p.name} joined` : `${p.name} is sharing their screen`);
    if (p.kind === 'camera' && p.recording !== (old?.recording ?? false)) {
      lines.push(p.recording ? `${p.name} started recording the call` : `${p.name} stopped recording`);
    }
  }
  for (const p of before) {
    if (p.self || is.has(p.id)) continue;
    lines.push(p.kind === 'camera' ? `${p.name} left` : `${p.name} stopped sharing their screen`);
  }
  return lines;
}
