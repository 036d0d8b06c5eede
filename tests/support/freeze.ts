// Freezes a person's whole Chromium, as a laptop does when its lid closes:
// every process of that browser stops (SIGSTOP) and later goes on (SIGCONT),
// while everyone else, the relay included, carries on. The browser is found by
// a marker switch on its command line (Chromium ignores switches it does not
// know), with everything below it in the parent tree: zygotes, renderers, GPU,
// network, audio and capture processes.
import { readdirSync, readFileSync } from 'node:fs';

/** The switch to pass in `extraArgs` for `name`'s browser, so freeze() can find it. */
export const freezeMarker = (name: string): string => `--zing-freeze=${name}`;

interface Proc {
  pid: number;
  ppid: number;
  args: string[];
}

function processes(): Proc[] {
  const out: Proc[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the name, which may hold spaces and parentheses: state, ppid, ...
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      out.push({ pid: Number(entry), ppid, args: readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0') });
    } catch {
      // Gone between the listing and the read: not part of any browser now.
    }
  }
  return out;
}

/** Every process of the browser launched with `freezeMarker(name)`. */
function browserTree(name: string): number[] {
  const all = processes();
  const tree = new Set(
    all.filter((p) => p.args.includes(freezeMarker(name)) && !p.args.some((a) => a.startsWith('--type='))).map((p) => p.pid),
  );
  if (tree.size === 0) throw new Error(`no browser launched with ${freezeMarker(name)}`);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) {
      if (tree.has(p.ppid) && !tree.has(p.pid)) {
        tree.add(p.pid);
        grew = true;
      }
    }
  }
  return [...tree];
}

/** Stops `name`'s browser; the returned function lets it go on (safe twice). */
export function freeze(name: string): () => void {
  const pids = browserTree(name);
  for (const pid of pids) process.kill(pid, 'SIGSTOP');
  let thawed = false;
  return () => {
    if (thawed) return;
    thawed = true;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // Already gone.
      }
    }
  };
}
