// The relay's web page (dist/web) as a redeploy brings it: a new build, whose
// every file has a new name (Vite names them by their content hash, and a
// change anywhere cascades through the names of those that import it).
import { cpSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';

const TEXT = new Set(['.html', '.js', '.css']);

/**
 * A copy of the web build in `from`, in a new folder, with every asset renamed
 * (`-2` before its extension) and every reference to one rewritten: what a
 * page loaded from the old build asks for next is not there.
 */
export function redeployedWebBuild(from: string): string {
  const to = mkdtempSync(join(tmpdir(), 'zing-web-'));
  cpSync(from, to, { recursive: true });
  const assets = join(to, 'assets');
  const names = readdirSync(assets);
  const renamed = new Map(names.map((name) => [name, `${name.slice(0, -extname(name).length)}-2${extname(name)}`]));
  // One pass, longest names first, so no name is rewritten inside another.
  const escaped = [...renamed.keys()].sort((a, b) => b.length - a.length).map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const anyName = new RegExp(escaped.join('|'), 'g');
  const rewrite = (file: string) =>
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(anyName, (n) => renamed.get(n) ?? n),
    );
  rewrite(join(to, 'extension/web/index.html'));
  for (const name of names) {
    if (TEXT.has(extname(name))) rewrite(join(assets, name));
    renameSync(join(assets, name), join(assets, renamed.get(name) ?? name));
  }
  return to;
}

/**
 * A copy of the web build in `from`, in a new folder, without the assets whose
 * names start with `prefix`: the page as a browser gets it halfway through a
 * rolling update, its HTML from one build and a chunk asked of the other.
 */
export function webBuildWithout(from: string, prefix: string): string {
  const to = mkdtempSync(join(tmpdir(), 'zing-web-'));
  cpSync(from, to, { recursive: true });
  const assets = join(to, 'assets');
  const gone = readdirSync(assets).filter((name) => name.startsWith(prefix));
  if (gone.length === 0) throw new Error(`no asset in ${from} starts with ${prefix}`);
  for (const name of gone) rmSync(join(assets, name));
  return to;
}
