import { startApp } from './app.ts';
import { describeStartupError } from './startup-error.ts';
import { loadConfig, readEnvFile } from './config.ts';

/** `npm start`: read the config, start the app, and turn known start-up failures into one line and exit code 2. */
async function main(): Promise<void> {
  try {
    const config = loadConfig({ ...readEnvFile('.env'), ...process.env });
    const app = await startApp(config, { input: process.stdin, output: process.stdout });
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => app.stop());
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
