import pino from 'pino';
import { writeConnectionInfo } from './connectionInfo';
import { readSandboxEnv } from './env';
import { startSandbox } from './index';

/** Runs the emulator alone: `npm run sandbox`. Settings come from SANDBOX_* variables (see README.md). */
async function main(): Promise<void> {
  const { options, dataDir, logLevel } = readSandboxEnv();
  const logger = pino({ name: 'stark-sandbox', level: logLevel });
  const sandbox = await startSandbox({ ...options, logger });
  const info = await writeConnectionInfo(dataDir, sandbox);
  logger.info({ ...info, eventPublicKeyPem: undefined, seed: sandbox.seed }, 'sandbox ready');

  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'sandbox shutting down');
    sandbox.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'sandbox shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
