import { startApp, type App } from './app.ts';
import { loadConfig, readEnvFile } from './config.ts';
import { describeStartupError } from './startup-error.ts';

/** How long a stop may take to finish what is in flight and close connections and the store. */
const STOP_BOUND_MS = 10_000;

/** `npm start`: read the config, start the app, and turn known start-up failures into one line and exit code 2. */
async function main(): Promise<void> {
  // Signals are caught before start-up, so a SIGTERM that arrives while starting still ends cleanly.
  let app: App | undefined;
  let stopRequested = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopRequested) {
      process.stderr.write(`cohort-bot: ${signal} again: exiting at once\n`);
      process.exit(1);
    }
    stopRequested = true;
    app?.stop();
    setTimeout(() => {
      process.stderr.write(`cohort-bot: could not stop within ${STOP_BOUND_MS / 1000} s: exiting\n`);
      process.exit(1);
    }, STOP_BOUND_MS).unref();
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, onSignal);
  try {
    const config = loadConfig({ ...readEnvFile('.env'), ...process.env });
    app = await startApp(config, { input: process.stdin, output: process.stdout });
    if (stopRequested) app.stop();
    await app.done;
    process.exitCode = 0;
  } catch (error) {
    const line = describeStartupError(error);
    if (line === undefined) throw error;
    process.stderr.write(`cohort-bot: ${line}\n`);
    process.exitCode = 2;
  }
}

await main();
