// Drives bench/lib/transfer-harness.ts from Node for bench/transfer.ts: one
// harness page per person (on the relay's origin, a secure context), a
// connection between every pair, and timed runs of Zing's transfer code or a
// bare channel between two of them.
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import type { FilePacing } from '../../extension/session/file-transfer.ts';
import type { Person } from '../../tests/support/browser.ts';
import type { TransferHarness } from './transfer-harness.ts';

type WithHarness = { zing: () => TransferHarness; ZingHarness: new (self: string) => TransferHarness };

// The page's harness, inside the callbacks below that run in the page (page.evaluate ships them
// as source, so they cannot close over anything here): openHarness defines `zing` in each page.
declare function zing(): TransferHarness;

export type Harness = Map<string, Page>;

/** Opens a harness page in each person's browser and connects every pair. */
export async function openHarness(people: Person[], origin: string, fileBytes: number): Promise<Harness> {
  const bundle = await build({
    entryPoints: [new URL('./transfer-harness.ts', import.meta.url).pathname],
    bundle: true,
    format: 'iife',
    target: 'es2022',
    write: false,
  });
  const code = bundle.outputFiles[0]?.text;
  if (!code) throw new Error('esbuild gave no harness bundle');
  const pages: Harness = new Map();
  for (const person of people) {
    const page = await person.context.newPage();
    await page.goto(`${origin}/healthz`);
    await page.evaluate(code);
    await page.evaluate(
      ({ self, bytes }) => {
        const g = globalThis as unknown as WithHarness;
        const harness = new g.ZingHarness(self);
        harness.makeFile(bytes);
        g.zing = () => harness;
      },
      { self: person.name, bytes: fileBytes },
    );
    pages.set(person.name, page);
  }
  const names = [...pages.keys()];
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) await pair(pages, names[i]!, names[j]!); // both within names
  }
  return pages;
}

async function pair(pages: Harness, a: string, b: string): Promise<void> {
  const [pa, pb] = [page(pages, a), page(pages, b)];
  await pa.evaluate((peer) => zing().connect(peer, true), b);
  await pb.evaluate((peer) => zing().connect(peer, false), a);
  const offer = await pa.evaluate((peer) => zing().describe(peer), b);
  const answer = await pb.evaluate(({ peer, offer }) => zing().describe(peer, offer), { peer: a, offer });
  await pa.evaluate(({ peer, answer }) => zing().describe(peer, answer), { peer: b, answer });
  await pa.waitForFunction((peer) => zing().gathered(peer), b);
  await pb.waitForFunction((peer) => zing().gathered(peer), a);
  const fromA = await pa.evaluate((peer) => zing().candidates(peer), b);
  const fromB = await pb.evaluate((peer) => zing().candidates(peer), a);
  await pa.evaluate(({ peer, list }) => zing().addCandidates(peer, list), { peer: b, list: fromB });
  await pb.evaluate(({ peer, list }) => zing().addCandidates(peer, list), { peer: a, list: fromA });
  await pa.waitForFunction((peer) => zing().connected(peer), b, { timeout: 15_000 });
  await pb.waitForFunction((peer) => zing().connected(peer), a, { timeout: 15_000 });
}

function page(pages: Harness, name: string): Page {
  const p = pages.get(name);
  if (!p) throw new Error(`no harness page for ${name}`);
  return p;
}

/** Sends the harness file with Zing's FileTransfers; ms from send() until the last receiver had it verified. */
export async function runZing(pages: Harness, from: string, to: string[], pacing: FilePacing, timeoutMs: number): Promise<number> {
  const { id, start } = await page(pages, from).evaluate(({ to, pacing }) => zing().sendZing(to, pacing), { to, pacing });
  const ends = await Promise.all(
    to.map(async (name) => {
      const p = page(pages, name);
      await p.waitForFunction((id) => zing().arrived.has(id), id, { timeout: timeoutMs, polling: 20 });
      return p.evaluate((id) => zing().arrived.get(id) ?? Number.NaN, id);
    }),
  );
  return Math.max(...ends) - start;
}

/**
 * Sends `bytes` (the harness file's size unless given) over a bare channel to
 * each of `to` at once; ms from the first send until every byte arrived everywhere.
 */
export async function runBare(
  pages: Harness,
  from: string,
  to: string[],
  pacing: Pick<FilePacing, 'chunkBytes' | 'highWaterBytes' | 'lowWaterBytes'>,
  timeoutMs: number,
  bytes?: number,
): Promise<number> {
  const sender = page(pages, from);
  const labels = await sender.evaluate(({ to, pacing, bytes }) => to.map((peer) => zing().sendBare(peer, pacing, bytes)), {
    to,
    pacing,
    bytes,
  });
  const ends = await Promise.all(
    to.map(async (name, i) => {
      const receiver = page(pages, name);
      const label = labels[i] ?? ''; // one label per receiver, made just above
      await receiver.waitForFunction((label) => zing().arrived.has(label), label, { timeout: timeoutMs, polling: 20 });
      return receiver.evaluate((label) => zing().arrived.get(label) ?? Number.NaN, label);
    }),
  );
  const starts = await sender.evaluate((labels) => labels.map((label) => zing().bareStarts.get(label) ?? Number.NaN), labels);
  return Math.max(...ends) - Math.min(...starts);
}

/** Makes each harness page's file `bytes` long. */
export async function setHarnessFile(pages: Harness, bytes: number): Promise<void> {
  for (const p of pages.values()) await p.evaluate((bytes) => zing().makeFile(bytes), bytes);
}
