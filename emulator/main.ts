import pino from 'pino';
import { writeConnectionInfo } from './connectionInfo';
import { readEmulatorEnv } from './env';
import { startEmulator } from './index';

/** Runs the emulator alone: `npm run emulator`. Settings come from EMULATOR_* variables (see README.md). */
async function main(): Promise<void> {
  const { options, dataDir, logLevel } = readEmulatorEnv();
  const logger = pino({ name: 'stark-emulator', level: logLevel });
  const emulator = await startEmulator({ ...options, logger });
  const info = await writeConnectionInfo(dataDir, emulator);
  logger.info({ ...info, eventPublicKeyPem: undefined, seed: emulator.seed }, 'emulator ready');

  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'emulator shutting down');
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'emulator shutdown failed');
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
