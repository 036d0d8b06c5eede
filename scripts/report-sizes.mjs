// Prints the gzipped size of each entry page's JavaScript in the Chrome build,
// following its static imports, so size budgets are visible at every build.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = resolve('dist/chrome');
const pages = {
  popup: 'extension/popup/index.html',
  call: 'extension/call/index.html',
  options: 'extension/options/index.html',
};
const budgetsKB = { popup: 15, call: 60 };

function collect(file, seen) {
  if (seen.has(file) || !existsSync(file)) return;
  seen.add(file);
  const code = readFileSync(file, 'utf8');
  for (const m of code.matchAll(/(?:import|export)\s*(?:[^'"]*?from\s*)?["'](\.{1,2}\/[^"']+\.js)["']/g)) {
    collect(resolve(dirname(file), m[1]), seen);
  }
}

console.log('\nGzipped JavaScript per page (dist/chrome):');
for (const [name, html] of Object.entries(pages)) {
  const htmlPath = join(dist, html);
  if (!existsSync(htmlPath)) continue;
  const page = readFileSync(htmlPath, 'utf8');
  const seen = new Set();
  for (const m of page.matchAll(/<script[^>]+src="([^"]+)"/g)) {
    collect(m[1].startsWith('/') ? join(dist, m[1]) : resolve(dirname(htmlPath), m[1]), seen);
  }
  const bytes = [...seen].reduce((sum, f) => sum + gzipSync(readFileSync(f), { level: 9 }).length, 0);
  const kb = bytes / 1024;
  const budget = budgetsKB[name];
  console.log(`  ${name.padEnd(8)} ${kb.toFixed(1).padStart(6)} KB${budget ? `  (budget ${budget} KB${kb > budget ? ', OVER' : ''})` : ''}`);
}
