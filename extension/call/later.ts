// A module the page loads only when first asked for. Solid's `lazy` would do
// it too, but it brings Suspense into the chunk every page shares (the popup's
// budget included); a signal that fills when the import resolves is enough here.
import { createSignal, type Accessor } from 'solid-js';

/**
 * Undefined until `load` resolves; the first call starts it. A load that fails
 * (the network dropped while the relay's web page fetched it) is tried again at
 * the next call rather than kept as failed for the page's life.
 */
export function later<T>(load: () => Promise<T>): Accessor<T | undefined> {
  const [value, setValue] = createSignal<T>();
  let started = false;
  return () => {
    if (!started) {
      started = true;
      load().then(
        (v) => setValue(() => v),
        (err: unknown) => {
          started = false;
          console.error('zing: a part of the call page did not load', err);
        },
      );
    }
    return value();
  };
}
