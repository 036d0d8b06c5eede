// Sizes in words for people: in the files list and in the reasons a transfer gives.

/** `n` bytes as `1.95 GiB`, `12.3 KiB`, `300 bytes`: binary units, three significant digits (so 1.95 GiB is not 2). */
export function formatBytes(n: number): string {
  for (const [unit, size] of [
    ['GiB', 2 ** 30],
    ['MiB', 2 ** 20],
    ['KiB', 2 ** 10],
  ] as const) {
    const v = n / size;
    if (v >= 1) return `${v >= 100 ? Math.round(v) : +v.toPrecision(3)} ${unit}`;
  }
  return n === 1 ? '1 byte' : `${n} bytes`;
}
