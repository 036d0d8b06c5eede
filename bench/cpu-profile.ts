// Where a server's time went, from a V8 CPU profile (`node --cpu-prof`; bench:relay
// writes one per server with BENCH_CPU_PROF_DIR): self time per function, heaviest
// first, and the longest spells in which the process never went idle (what a
// message that arrived then waited behind), with what filled them.
//
//   npx tsx bench/cpu-profile.ts <file.cpuprofile> [top functions, 25] [spells from ms, 8] [from s] [to s]
//
// From/to (seconds since the profile started) keep one phase, e.g. bench:relay's rate
// slots without the process start and the flood.
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isProfile = (v: unknown): v is Profile =>
  isRecord(v) &&
  Array.isArray(v.nodes) &&
  Array.isArray(v.samples) &&
  Array.isArray(v.timeDeltas) &&
  typeof v.startTime === 'number' &&
  v.nodes.every((n) => isRecord(n) && typeof n.id === 'number' && isRecord(n.callFrame));

const [file, topArg, spellArg, fromArg, toArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: tsx bench/cpu-profile.ts <file.cpuprofile> [top] [spell ms] [from s] [to s]\n');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const spellMs = Number(spellArg ?? 8);
const fromS = Number(fromArg ?? 0);
const toS = Number(toArg ?? Number.POSITIVE_INFINITY);
const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
if (!isProfile(parsed)) throw new Error(`${file} is not a V8 CPU profile`);
const profile = parsed;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
const label = (id: number): string => {
  const cf = byId.get(id)?.callFrame;
  if (!cf) return '?';
  const where = cf.url ? ` ${cf.url.split('/').slice(-2).join('/')}:${cf.lineNumber + 1}` : '';
  return `${cf.functionName || '(anonymous)'}${where}`;
};
const isIdle = (id: number) => byId.get(id)?.callFrame.functionName === '(idle)';
/** The innermost frame of `id` that is in this project's code (not node_modules, not node: internals), if any. */
const ownFrame = (id: number): string | undefined => {
  for (let x: number | undefined = id; x !== undefined; x = parentOf.get(x)) {
    const url = byId.get(x)?.callFrame.url ?? '';
    if (url.startsWith('file://') && !url.includes('/node_modules/')) return label(x);
  }
  return undefined;
};

// Self time per function, and busy spells (consecutive samples that are not idle).
const self = new Map<string, number>();
let total = 0;
let idle = 0;
const spells: Array<{ at: number; ms: number; ids: number[] }> = [];
let t = profile.startTime;
let spell: { at: number; ids: number[] } | undefined;
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i] ?? 0;
  const dt = (profile.timeDeltas[i] ?? 0) / 1000; // µs -> ms
  t += profile.timeDeltas[i] ?? 0;
  const at = (t - profile.startTime) / 1e6;
  if (at < fromS || at > toS) {
    spell = undefined; // a spell that crosses the window's edge is not counted
    continue;
  }
  total += dt;
  if (isIdle(id)) {
    idle += dt;
    if (spell) spells.push({ at: spell.at, ms: (t - spell.at) / 1000, ids: spell.ids });
    spell = undefined;
    continue;
  }
  self.set(label(id), (self.get(label(id)) ?? 0) + dt);
  spell ??= { at: t, ids: [] };
  spell.ids.push(id);
}

console.log(
  `${file}: ${total.toFixed(0)} ms sampled, ${(total - idle).toFixed(0)} ms busy (${((100 * (total - idle)) / total).toFixed(0)}%)`,
);
console.log(`\nself time, top ${top} (ms, % of busy):`);
for (const [name, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`${ms.toFixed(0).padStart(8)} ${((100 * ms) / (total - idle)).toFixed(1).padStart(5)}%  ${name}`);

const long = spells.filter((s) => s.ms >= spellMs);
console.log(`\nbusy spells of ${spellMs} ms or more: ${long.length} of ${spells.length} (longest first, at most 15):`);
for (const s of [...long].sort((a, b) => b.ms - a.ms).slice(0, 15)) {
  const counts = new Map<string, number>();
  for (const id of s.ids) {
    const key = `${label(id)}${ownFrame(id) ? ` < ${ownFrame(id)}` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const what = [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([k, n]) => `${((100 * n) / s.ids.length).toFixed(0)}% ${k}`)
    .join(' | ');
  console.log(`  +${((s.at - profile.startTime) / 1e6).toFixed(1)} s, ${s.ms.toFixed(1)} ms: ${what}`);
}
