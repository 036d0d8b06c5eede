// axe-core run inside a page under test, for the "no serious or critical
// violation" rule every page and dialog is held to.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/**
 * axe-core in the page, limited to `selectors` (those present; at least one must be):
 * its serious and critical findings, in words.
 */
export async function seriousViolations(page: Page, selectors: string | string[]): Promise<string[]> {
  const source = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  // Evaluated over the DevTools protocol, which the extension page's CSP does not govern.
  await page.evaluate(source);
  return page.evaluate(
    async (include) => {
      type Axe = {
        run(context: unknown): Promise<{ violations: { id: string; impact?: string | null; nodes: { target: unknown[] }[] }[] }>;
      };
      const axe = (globalThis as unknown as { axe: Axe }).axe;
      const present = include.filter((s) => document.querySelector(s) !== null).map((s) => [s]);
      if (present.length === 0) throw new Error(`nothing matches ${include.join(', ')}`);
      const { violations } = await axe.run({ include: present });
      return violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
    },
    typeof selectors === 'string' ? [selectors] : selectors,
  );
}
