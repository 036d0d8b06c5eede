// CPU time of each person's Chromium, from /proc, for bench/call.ts.
//
// Each person is one Chromium (its own profile) launched with a marker switch
// (`--zing-bench-person=<name>`; Chromium ignores switches it does not know).
// The browser process (or the /usr/bin/chromium wrapper script above it, whose
// tree is the same) is the one whose command line carries the marker and no
// `--type=`; everything below it in the ppid tree (zygote, renderers, GPU,
// network, audio and video-capture utilities) is that person's. The call page
// is an extension page, so it runs in the renderer started with
// `--extension-process` (shared with the extension's idle service worker); the
// naive mesh's page (bench/lib/naive-mesh.ts) is a web page, so it runs in a
// renderer without that switch (beside the idle about:blank one a browser opens with).
//
// /proc/<pid>/stat fields 14 and 15 (utime, stime) count every thread of the
// process in clock ticks (getconf CLK_TCK, 100 on Linux). A process that
// starts and ends inside a window is missed; a process new in a window counts
// from zero.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export const PERSON_SWITCH = '--zing-bench-person';

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface Proc {
  pid: number;
  ppid: number;
  /** utime + stime, seconds. */
  cpu: number;
  args: string[];
}

/** Scheduling policies (field 41) that run before every normal thread: SCHED_FIFO and SCHED_RR. */
const REALTIME_POLICIES = new Set([1, 2]);

/**
 * A /proc/<pid>/stat or /proc/<pid>/task/<tid>/stat line: the name, the parent, utime + stime in
 * seconds, and whether it is scheduled real-time.
 */
export function parseStat(stat: string): { name: string; ppid: number; cpu: number; realtime: boolean } {
  // The command name (field 2) is in parentheses and may hold spaces: split after its closing one.
  const close = stat.lastIndexOf(')');
  const rest = stat.slice(close + 2).split(' ');
  // rest[0] is field 3 (state): ppid is field 4, utime 14, stime 15, policy 41.
  return {
    name: stat.slice(stat.indexOf('(') + 1, close),
    ppid: Number(rest[1]),
    cpu: (Number(rest[11]) + Number(rest[12])) / CLK_TCK,
    realtime: REALTIME_POLICIES.has(Number(rest[38])),
  };
}

function readProc(pid: number): Proc | undefined {
  try {
    const { ppid, cpu } = parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    // Zygote-forked children rewrite their title as one space-separated string: split on both.
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/).filter(Boolean);
    return { pid, ppid, cpu, args };
  } catch {
    return undefined; // gone between readdir and read
  }
}

function allProcs(): Map<number, Proc> {
  const out = new Map<number, Proc>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const p = readProc(Number(name));
    if (p) out.set(p.pid, p);
  }
  return out;
}

/** Which renderer runs the call page: Zing's extension page, or a web page (the naive mesh). */
export type CallPageProcess = 'extension' | 'web';

/** Per person: CPU seconds of the whole browser tree and of the renderer that runs the call page. */
export interface CpuSnapshot {
  at: number;
  /** person → pid → cpu seconds */
  tree: Map<string, Map<number, number>>;
  /** person → pids of the renderers that run the call page */
  extensionRenderers: Map<string, Set<number>>;
  /** person → "<process>/<thread>" → cpu seconds, summed over the person's tree (see threadsOf). */
  threads: Map<string, Map<string, number>>;
  /** The "<process>/<thread>" keys of threads scheduled real-time (Chromium's audio threads, where it may). */
  realtime: Set<string>;
  /** Every process on the machine: pid → cpu seconds (for what else ran, in the same accounting). */
  all: Map<number, number>;
  /** Machine-wide busy and total jiffies from /proc/stat. */
  machine: { busy: number; total: number };
}

function machineJiffies(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

/** What a Chromium child process is, in words: its --type, or the utility service it runs. */
function processKind(p: Proc, callPageRenderers: Set<number>): string {
  if (callPageRenderers.has(p.pid)) return 'call page';
  const type = p.args.find((a) => a.startsWith('--type='))?.slice('--type='.length);
  if (type === undefined) return 'browser';
  if (type === 'utility') {
    const service =
      p.args
        .find((a) => a.startsWith('--utility-sub-type='))
        ?.split('.')
        .at(-1) ?? 'utility';
    return service.replace(/Service$/, '').toLowerCase() || 'utility';
  }
  return type === 'renderer' ? 'other renderer' : type;
}

/**
 * CPU seconds by "<process>/<thread>" over the given processes (/proc/<pid>/task/<tid>/stat: the thread's
 * own utime and stime; its name is Chromium's, cut to 15 characters by the kernel). A process's first
 * thread is "main". Trailing digits go, so a pool's workers add up under one name.
 */
function threadsOf(
  pids: Iterable<number>,
  procs: Map<number, Proc>,
  callPageRenderers: Set<number>,
  realtime: Set<string>,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const pid of pids) {
    const p = procs.get(pid);
    if (!p) continue;
    const kind = processKind(p, callPageRenderers);
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // the process ended since it was listed
    }
    for (const tid of tids) {
      try {
        const stat = parseStat(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
        const key = `${kind}/${Number(tid) === pid ? 'main' : stat.name.replace(/\d+$/, '')}`;
        out.set(key, (out.get(key) ?? 0) + stat.cpu);
        if (stat.realtime) realtime.add(key);
      } catch {
        // the thread ended between readdir and read
      }
    }
  }
  return out;
}

export function snapshot(people: readonly string[], callPage: CallPageProcess = 'extension'): CpuSnapshot {
  const procs = allProcs();
  const children = new Map<number, number[]>();
  for (const p of procs.values()) {
    const list = children.get(p.ppid) ?? [];
    list.push(p.pid);
    children.set(p.ppid, list);
  }
  const tree = new Map<string, Map<number, number>>();
  const extensionRenderers = new Map<string, Set<number>>();
  const threads = new Map<string, Map<string, number>>();
  const realtime = new Set<string>();
  for (const person of people) {
    const marker = `${PERSON_SWITCH}=${person}`;
    const root = [...procs.values()].find((p) => p.args.includes(marker) && !p.args.some((a) => a.startsWith('--type=')));
    const pids = new Map<number, number>();
    const renderers = new Set<number>();
    const stack = root ? [root.pid] : [];
    while (stack.length > 0) {
      const pid = stack.pop()!; // non-empty: checked by the loop
      const p = procs.get(pid);
      if (!p) continue;
      pids.set(pid, p.cpu);
      if (p.args.includes('--type=renderer') && p.args.includes('--extension-process') === (callPage === 'extension')) renderers.add(pid);
      stack.push(...(children.get(pid) ?? []));
    }
    tree.set(person, pids);
    extensionRenderers.set(person, renderers);
    threads.set(person, threadsOf(pids.keys(), procs, renderers, realtime));
  }
  const all = new Map([...procs.values()].map((p) => [p.pid, p.cpu]));
  return { at: performance.now(), tree, extensionRenderers, threads, realtime, all, machine: machineJiffies() };
}

export interface CpuShare {
  /** Whole Chromium tree, percent of one core. */
  browser: number;
  /** The extension renderer (call page), percent of one core. */
  callPage: number;
}

/**
 * Percent of one core each person used between two snapshots; what every other
 * process used (this one, the relay, anything else on the machine), in the same
 * per-process accounting; and the machine's busy share of all cores from
 * /proc/stat. The last is tick-sampled and can read below the per-process sums
 * when many threads wake briefly (as WebRTC's do), so compare it only with itself.
 */
export function cpuBetween(
  a: CpuSnapshot,
  b: CpuSnapshot,
): {
  people: Map<string, CpuShare>;
  threads: Map<string, number>;
  /** Keys of `threads` scheduled real-time. */
  realtime: Set<string>;
  othersPercent: number;
  machineBusyPercent: number;
} {
  const seconds = (b.at - a.at) / 1000;
  const people = new Map<string, CpuShare>();
  for (const [person, pids] of b.tree) {
    const before = a.tree.get(person) ?? new Map<number, number>();
    let browser = 0;
    let callPage = 0;
    for (const [pid, cpu] of pids) {
      const used = cpu - (before.get(pid) ?? 0);
      browser += used;
      if (b.extensionRenderers.get(person)?.has(pid)) callPage += used;
    }
    people.set(person, { browser: (100 * browser) / seconds, callPage: (100 * callPage) / seconds });
  }
  // Mean over people, percent of one core, per "<process>/<thread>"; threads new in the window count from zero.
  const threads = new Map<string, number>();
  for (const [person, now] of b.threads) {
    const before = a.threads.get(person) ?? new Map<string, number>();
    for (const [key, cpu] of now)
      threads.set(key, (threads.get(key) ?? 0) + (100 * (cpu - (before.get(key) ?? 0))) / seconds / b.threads.size);
  }
  const tracked = new Set([...b.tree.values()].flatMap((pids) => [...pids.keys()]));
  let others = 0;
  for (const [pid, cpu] of b.all) if (!tracked.has(pid)) others += cpu - (a.all.get(pid) ?? cpu); // a process new in the window: not counted
  const busy = b.machine.busy - a.machine.busy;
  const total = b.machine.total - a.machine.total;
  return {
    people,
    threads,
    realtime: new Set([...a.realtime, ...b.realtime]),
    othersPercent: (100 * others) / seconds,
    machineBusyPercent: total > 0 ? (100 * busy) / total : NaN,
  };
}
