// Vitest's globalSetup for the e2e project: one folder for the run's browser
// profiles, handed to the worker (browser-pool.ts keeps browsers there between
// files), and once every file is done, whatever still runs from that folder
// ends and the folder goes. The worker's own exit ends the browsers it
// launched too; this is for what a crashed or killed worker leaves.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { POOL_PROFILES_ENV } from './browser-pool.ts';
import { processTrees } from './process-tree.ts';
import { removeProfile } from './profile.ts';

export default function setup(): () => void {
  const folder = mkdtempSync(join(tmpdir(), 'zing-e2e-run-'));
  process.env[POOL_PROFILES_ENV] = folder;
  return () => {
    for (const pid of processTrees((args) => args.some((a) => a.includes(folder)))) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    removeProfile(folder);
  };
}
