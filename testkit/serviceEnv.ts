import type { TestEmulator } from './emulator';
import { RUN_PAYLOAD_KEYS } from './payloadKeys';
import { tempFile } from './processes';

/**
 * The environment of a worker, webhook, setup or CLI process of a test or bench run: this Temporal and task queue,
 * this emulator's project, the run's payload key, and loopback ports the OS picks. `overrides` come last.
 */
export function serviceEnv(
  stark: Pick<TestEmulator, 'projectId' | 'privateKeyPem' | 'emulator'>,
  temporal: { address: string; taskQueue: string },
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: temporal.taskQueue,
    PAYLOAD_KEYS: RUN_PAYLOAD_KEYS,
    STARK_PROJECT_ID: stark.projectId,
    STARK_PRIVATE_KEY: stark.privateKeyPem,
    STARK_EMULATOR_ADDRESS: `127.0.0.1:${stark.emulator.port}`,
    STARK_EMULATOR_CA_FILE: tempFile('ca.pem', stark.emulator.caPem),
    WEBHOOK_HOST: '127.0.0.1',
    WEBHOOK_PORT: '0',
    // Tests stop webhooks often: no drain wait unless a test asks for one.
    WEBHOOK_DRAIN_TIME: '0s',
    ADMIN_PORT: '0',
    CODEC_PORT: '0',
    ...overrides,
  };
}
