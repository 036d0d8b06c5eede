// Named moments of joining a call, as User Timing marks (`performance.mark`),
// so that bench:setup can print where the time between `Join call` and the
// first remote frame goes (#12), and devtools shows them on the timeline.
// Each name is marked once per page: a long call adds nothing.
const marked = new Set<string>();

/** Marks `zing:<name>` the first time it happens on this page. */
export function markOnce(name: string): void {
  if (marked.has(name)) return;
  marked.add(name);
  // Outside a browser (unit tests in Node) performance.mark exists too; anywhere it does not, nothing is lost.
  if (typeof performance !== 'undefined' && typeof performance.mark === 'function') performance.mark(`zing:${name}`);
}
