// `npm test`: every check and every test, in two lanes.
//
// The end-to-end project is nearly all of the run, one file at a time, and needs the build.
// Everything else (Firefox lint, unit and relay tests) needs about a core for under a
// minute. Vitest will not run projects of different worker counts side by side ("different
// 'maxWorkers' but same 'sequence.groupOrder'"), so before this they ran first, alone, and
// the end-to-end files started a minute in with one core idle meanwhile. Now the typecheck,
// lint and build run first (a broken tree fails in seconds), then the end-to-end project and
// the rest start together. The side lane's output is held and printed whole when it ends, so
// neither log is cut into the other's lines; the run fails if either lane does.
import { spawn } from 'node:child_process';

/** Runs a command; gives its exit code, and its output when `hold` (else it goes straight through). */
function run(command, args, hold) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: hold ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    const chunks = [];
    if (hold) {
      child.stdout.on('data', (c) => chunks.push(c));
      child.stderr.on('data', (c) => chunks.push(c));
    }
    child.on('error', (err) => resolve({ code: 1, output: `${command}: ${err.message}\n` }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output: Buffer.concat(chunks).toString() }));
  });
}

const npmRun = (script, hold = false) => run('npm', ['run', '-s', script], hold);

// `npm test -- <files>` once filtered vitest; now the lanes run everything, so say so rather than ignore it.
if (process.argv.length > 2) {
  console.error(`npm test runs every check and test, and takes no arguments (got: ${process.argv.slice(2).join(' ')}).`);
  console.error('For some files: npx vitest run <files>   (or npm run test:unit, test:relay, test:e2e)');
  process.exit(2);
}

for (const script of ['typecheck', 'lint', 'build']) {
  const { code } = await npmRun(script);
  if (code !== 0) process.exit(code);
}

async function sideLane() {
  let output = '';
  for (const [command, args] of [
    ['npm', ['run', '-s', 'lint:firefox']],
    ['npx', ['vitest', 'run', '--project', 'unit', '--project', 'relay']],
  ]) {
    const result = await run(command, args, true);
    output += `\n$ ${[command, ...args].join(' ')}\n${result.output}`;
    if (result.code !== 0) return { code: result.code, output };
  }
  return { code: 0, output };
}

const [e2e, side] = await Promise.all([
  run('npx', ['vitest', 'run', '--project', 'e2e'], false),
  sideLane().then((result) => {
    process.stdout.write(
      `\n── Firefox lint, unit and relay tests (run beside the end-to-end files) ──${result.output}\n── end of that lane: ${result.code === 0 ? 'passed' : 'FAILED'} ──\n\n`,
    );
    return result;
  }),
]);
if (side.code !== 0) console.error('npm test: the Firefox lint, unit or relay lane failed (its output is above).');
if (e2e.code !== 0) console.error('npm test: the end-to-end tests failed.');
process.exit(side.code !== 0 ? side.code : e2e.code);
