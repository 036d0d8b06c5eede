// Fails the build when a page's eager JavaScript passes its budget. What a page
// loads eagerly is read from the bundle's own metadata (Vite's .vite/manifest.json:
// the entry chunk and every chunk it imports statically, not dynamic imports),
// and each file is counted once, gzipped at level 9. The metadata is removed
// afterwards so it never ships inside an extension package.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Budgets in KB of gzipped JavaScript, per page (issue #11). */
const PAGES = [
  { name: 'popup', build: 'dist/chrome', entry: 'extension/popup/index.html', budgetKB: 15 },
  { name: 'call', build: 'dist/chrome', entry: 'extension/call/index.html', budgetKB: 60 },
  { name: 'options', build: 'dist/chrome', entry: 'extension/options/index.html', budgetKB: 15 },
  { name: 'guest', build: 'dist/web', entry: 'extension/web/index.html', budgetKB: 70 },
];

const manifests = new Map();
function manifestOf(build) {
  if (!manifests.has(build)) {
    const path = join(build, '.vite/manifest.json');
    if (!existsSync(path)) throw new Error(`${path} is missing: build with build.manifest on (vite.config.ts)`);
    manifests.set(build, JSON.parse(readFileSync(path, 'utf8')));
  }
  return manifests.get(build);
}

/** Every file a chunk loads before it runs: itself and its static imports, transitively. */
function eagerFiles(manifest, key, seen = new Set()) {
  const chunk = manifest[key];
  if (!chunk || seen.has(chunk.file)) return seen;
  seen.add(chunk.file);
  for (const dep of chunk.imports ?? []) eagerFiles(manifest, dep, seen);
  return seen;
}

let over = 0;
console.log('\nGzipped JavaScript each page loads eagerly:');
for (const page of PAGES) {
  const manifest = manifestOf(page.build);
  if (!manifest[page.entry]) throw new Error(`${page.entry} is not an entry of ${page.build}`);
  const files = eagerFiles(manifest, page.entry);
  const bytes = [...files].reduce((sum, f) => sum + gzipSync(readFileSync(join(page.build, f)), { level: 9 }).length, 0);
  const kb = bytes / 1024;
  const fails = kb > page.budgetKB;
  if (fails) over++;
  console.log(`  ${page.name.padEnd(8)} ${kb.toFixed(2).padStart(6)} KB  (budget ${page.budgetKB} KB)${fails ? '  OVER BUDGET' : ''}`);
}
for (const build of ['dist/chrome', 'dist/firefox', 'dist/web']) rmSync(join(build, '.vite'), { recursive: true, force: true });
if (over > 0) {
  console.error(
    `\n${over} page(s) over budget: lazy-load what is not needed at page start (import()), or say in the commit why the budget moves.`,
  );
  process.exit(1);
}
