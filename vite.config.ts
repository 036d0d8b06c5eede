import { crx } from '@crxjs/vite-plugin';
import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';
import manifest from './manifest.json' with { type: 'json' };

// The relay a build talks to unless the user sets another in the options page.
const relayUrl = process.env.ZING_RELAY_URL ?? 'http://127.0.0.1:8787';

export default defineConfig({
  plugins: [solid(), crx({ manifest, browser: 'chrome' })],
  define: {
    __ZING_DEFAULT_RELAY_URL__: JSON.stringify(relayUrl),
  },
  build: {
    outDir: 'dist/chrome',
    emptyOutDir: true,
    target: 'es2022',
    // The call page is opened by URL, not named in the manifest, so it must be an explicit input.
    rollupOptions: {
      input: {
        call: 'extension/call/index.html',
      },
    },
  },
});
