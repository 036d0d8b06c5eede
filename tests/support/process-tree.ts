// Processes on this machine, read from /proc (Linux), and the trees below them:
// a browser is a tree of processes (zygotes, renderers, GPU, network, audio,
// capture), and only some of them carry the switches it was started with.
import { readdirSync, readFileSync } from 'node:fs';

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
      // Gone between the listing and the read: not part of any tree now.
    }
  }
  return out;
}

/** Every process whose command line `roots` picks, with everything below them in the parent tree. */
export function processTrees(roots: (args: string[]) => boolean): number[] {
  const all = processes();
  const tree = new Set(all.filter((p) => p.pid !== process.pid && roots(p.args)).map((p) => p.pid));
  for (let grew = tree.size > 0; grew; ) {
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
