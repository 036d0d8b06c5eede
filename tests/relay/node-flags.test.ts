// The relay's Node flags (relay/node-flags.ts) must reach every way an operator
// starts it; tests and bench:relay import them, package.json and the Dockerfile cannot.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RELAY_NODE_FLAGS } from '../../relay/node-flags.ts';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('the relay’s Node flags', () => {
  it('are passed by npm run relay and relay:announce', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    for (const name of ['relay', 'relay:announce']) {
      const words = (scripts[name] ?? '').split(/\s+/);
      expect(words[0]).toBe('node');
      for (const flag of RELAY_NODE_FLAGS) expect(words).toContain(flag);
    }
  });

  it('are passed by the Docker image', () => {
    const cmd = /^CMD (\[.*\])$/m.exec(read('Dockerfile'))?.[1];
    expect(cmd).toBeDefined();
    const argv = JSON.parse(cmd ?? '[]') as string[];
    expect(argv[0]).toBe('node');
    expect(argv.slice(1, 1 + RELAY_NODE_FLAGS.length)).toEqual([...RELAY_NODE_FLAGS]);
    expect(argv.at(-1)).toBe('dist/relay.mjs');
  });
});
