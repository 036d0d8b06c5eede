// Starts the relay and stops it cleanly on SIGTERM/SIGINT.
import { ConfigError, loadConfig, type RelayConfig } from './config.ts';
import { startRelay } from './server.ts';

async function main(): Promise<void> {
  let config: RelayConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`zing relay: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const relay = await startRelay(config);
  if (process.argv.includes('--announce')) {
    process.stdout.write(
      [
        '',
        `Zing relay running at ${relay.url}  (Ctrl+C stops it)`,
        'Load the extension: open chrome://extensions, switch on Developer mode,',
        `press "Load unpacked" and pick ${new URL('../dist/chrome', import.meta.url).pathname}`,
        'Then click the Zing icon in the toolbar and press "Start a call".',
        '',
      ].join('\n'),
    );
  }
  const stop = () => {
    void relay.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`zing relay: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
