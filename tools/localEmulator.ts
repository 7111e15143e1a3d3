import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { startEmulator, type BehaviourSettings, type Emulator } from '../emulator';
import { writeConnectionInfo } from '../emulator/connectionInfo';
import { readEmulatorEnv } from '../emulator/env';
import { makePrivateDir } from '../src/shared/privateDir';

export interface LocalEmulator {
  emulator: Emulator;
  /** Environment that points the product's config at the emulator with the local project's credentials. */
  env: Record<string, string>;
}

const PROJECT_ID = '5000000000000001';

/**
 * The emulator standing in for Stark Bank, with a local project whose key pair is generated on the first run
 * and kept in the (git-ignored) data dir, so state and credentials survive restarts.
 */
export async function startLocalEmulator(dataDir: string, demo: Partial<BehaviourSettings>): Promise<LocalEmulator> {
  const { options, logLevel } = readEmulatorEnv();
  makePrivateDir(dataDir);
  const keys = projectKeys(dataDir);
  const emulator = await startEmulator({
    stateFile: path.join(dataDir, 'state.json'),
    ...options,
    behaviour: { ...demo, ...options.behaviour },
    logger: pino({ name: 'stark-emulator', level: logLevel === 'info' ? 'warn' : logLevel }),
  });
  emulator.registerProject(PROJECT_ID, keys.publicKeyPem);
  const info = await writeConnectionInfo(dataDir, emulator);
  return {
    emulator,
    env: {
      STARK_ENVIRONMENT: 'sandbox',
      STARK_PROJECT_ID: PROJECT_ID,
      STARK_PRIVATE_KEY_FILE: keys.privateKeyFile,
      STARK_WORKSPACE_ID: emulator.workspaceId,
      STARK_EMULATOR_ADDRESS: `${info.host}:${info.port}`,
      STARK_EMULATOR_CA_FILE: info.caFile,
    },
  };
}

function projectKeys(dataDir: string): { privateKeyFile: string; publicKeyPem: string } {
  const privateKeyFile = path.join(dataDir, 'project-private-key.pem');
  if (!fs.existsSync(privateKeyFile)) {
    const { privateKey } = crypto.generateKeyPairSync('ec', {
      namedCurve: 'secp256k1',
      privateKeyEncoding: { type: 'sec1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    fs.writeFileSync(privateKeyFile, privateKey, { mode: 0o600 });
  }
  const publicKeyPem = crypto
    .createPublicKey(fs.readFileSync(privateKeyFile, 'utf8'))
    .export({ type: 'spki', format: 'pem' })
    .toString();
  return { privateKeyFile, publicKeyPem };
}
