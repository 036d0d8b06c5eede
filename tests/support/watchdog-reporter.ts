// A test file that never ends (a synchronous loop: vitest's timeouts cannot
// stop one, since they need the worker's event loop) holds `npm test` until
// CI's own limit, with nothing said about which file: that is how one stop's
// work failed to land. This reporter runs in vitest's main process, which
// stays free while a worker spins. It names a file that has run past its
// limit, with the last test it started where the worker said, stops every
// process below it (workers, browsers, servers) and ends the run, failed.
import { execFileSync } from 'node:child_process';
import { relative } from 'node:path';
import type { Reporter, TestCase, TestModule } from 'vitest/node';

/** Five times the longest file (media.e2e, 58 s in a full run here); a file's start is when it starts running, not queued. */
export const FILE_LIMIT_MS = 5 * 60_000;

/** The files in `running` (file → when it started) that have run longer than `limitMs` at `now`. */
export function overdue(running: ReadonlyMap<string, number>, now: number, limitMs: number): string[] {
  return [...running].filter(([, since]) => now - since > limitMs).map(([file]) => file);
}

/** Every process below `root` (its workers, and the browsers and servers they started), deepest first. */
function descendants(root: number): number[] {
  let table: string;
  try {
    table = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' });
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  for (const line of table.split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (pid === undefined || ppid === undefined || !Number.isInteger(pid) || !Number.isInteger(ppid)) continue;
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      walk(child);
      out.push(child);
    }
  };
  walk(root);
  return out;
}

export default class WatchdogReporter implements Reporter {
  readonly #running = new Map<string, number>();
  readonly #lastTest = new Map<string, string>();
  readonly #limitMs = Number(process.env.ZING_TEST_FILE_LIMIT_MS) || FILE_LIMIT_MS;
  readonly #timer = setInterval(() => this.#check(), Math.min(30_000, this.#limitMs / 4)).unref();

  onTestModuleStart(module: TestModule): void {
    this.#running.set(module.moduleId, Date.now());
  }

  onTestModuleEnd(module: TestModule): void {
    this.#running.delete(module.moduleId);
    this.#lastTest.delete(module.moduleId);
  }

  onTestCaseReady(test: TestCase): void {
    this.#lastTest.set(test.module.moduleId, test.fullName);
  }

  onTestRunEnd(): void {
    clearInterval(this.#timer);
  }

  #check(): void {
    const late = overdue(this.#running, Date.now(), this.#limitMs);
    if (late.length === 0) return;
    for (const file of late) {
      const last = this.#lastTest.get(file);
      console.error(
        `watchdog: ${relative(process.cwd(), file)} has run for over ${Math.round(this.#limitMs / 1000)} s` +
          `${last ? `; the last test it started: ${last}` : ''}. Stopping the run.`,
      );
    }
    for (const pid of descendants(process.pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    process.exit(1);
  }
}
