// Freezes a person's whole Chromium, as a laptop does when its lid closes:
// every process of that browser stops (SIGSTOP) and later goes on (SIGCONT),
// while everyone else, the relay included, carries on. The browser is found by
// a marker switch on its command line (Chromium ignores switches it does not
// know), with everything below it in the parent tree: zygotes, renderers, GPU,
// network, audio and capture processes.
import { processTrees } from './process-tree.ts';

/** The switch to pass in `extraArgs` for `name`'s browser, so freeze() can find it. */
export const freezeMarker = (name: string): string => `--zing-freeze=${name}`;

/** Every process of the browser launched with `freezeMarker(name)`. */
function browserTree(name: string): number[] {
  const tree = processTrees((args) => args.includes(freezeMarker(name)) && !args.some((a) => a.startsWith('--type=')));
  if (tree.length === 0) throw new Error(`no browser launched with ${freezeMarker(name)}`);
  return tree;
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
