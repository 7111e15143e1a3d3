import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { emulatorEnvSchema } from './env';

/**
 * The emulator image's HEALTHCHECK: healthy once the emulator answers over TLS with the certificate it wrote to
 * its data dir (ca.pem), on its own port. Exit 0 or 1.
 */
const env = emulatorEnvSchema.pick({ EMULATOR_PORT: true, EMULATOR_DATA_DIR: true }).parse(process.env);
try {
  const ca = fs.readFileSync(path.join(env.EMULATOR_DATA_DIR, 'ca.pem'));
  https
    .get({ host: '127.0.0.1', port: env.EMULATOR_PORT, path: '/admin/settings', ca, timeout: 4_000 }, (r) =>
      process.exit(r.statusCode === 200 ? 0 : 1),
    )
    .on('error', () => process.exit(1))
    .on('timeout', () => process.exit(1));
} catch {
  process.exit(1);
}
