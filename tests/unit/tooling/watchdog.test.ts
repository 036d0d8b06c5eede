import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { overdue } from '../../support/watchdog-reporter.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Whether `pid` still runs: a killed process that nobody has reaped yet (a zombie, state Z) does not. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('the test watchdog', () => {
  it('names the files past their limit, and only those', () => {
    const running = new Map([
      ['a.test.ts', 0],
      ['b.test.ts', 5_000],
    ]);
    expect(overdue(running, 10_000, 6_000)).toEqual(['a.test.ts']);
    expect(overdue(running, 10_000, 10_000)).toEqual([]);
    expect(overdue(new Map(), 1e12, 1)).toEqual([]);
  });

  it('ends a run whose test never returns, failed, naming the file, and stops the spinning worker', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zing-watchdog-'));
    const pidFile = join(dir, 'pid');
    const child = spawn(
      process.execPath,
      ['node_modules/vitest/vitest.mjs', 'run', '--config', 'tests/unit/tooling/fixtures/vitest.config.ts'],
      {
        cwd: ROOT,
        env: { ...process.env, ZING_TEST_FILE_LIMIT_MS: '1500', ZING_SPIN_PID_FILE: pidFile, CI: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(killer);
    expect(output).toContain('watchdog: tests/unit/tooling/fixtures/spins.fixture.ts has run for over 2 s');
    expect(code).toBe(1);
    // The worker that spun is gone, not left burning a core after the run.
    const worker = Number(readFileSync(pidFile, 'utf8'));
    rmSync(dir, { recursive: true, force: true });
    expect(worker).toBeGreaterThan(0);
    expect(running(worker)).toBe(false);
  }, 30_000);
});
