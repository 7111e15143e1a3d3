import { createEmulatorAgent } from '../src/starkbank/emulatorAgent';
import crypto from 'node:crypto';
import starkbank from 'starkbank';
import { startEmulator, type Emulator, type EmulatorOptions } from '../emulator';

export interface TestEmulator {
  emulator: Emulator;
  /** A project registered with the emulator; pass it explicitly to every SDK call. */
  user: starkbank.Project;
  projectId: string;
  privateKeyPem: string;
  close: () => Promise<void>;
}

/** A fresh secp256k1 key pair in the PEM formats the SDK and the emulator expect. Never committed anywhere. */
export function generateProjectKeys(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', {
    namedCurve: 'secp256k1',
    privateKeyEncoding: { type: 'sec1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/** Forgets the emulator's public key the SDK cached for `event.parse` (each emulator has its own). */
export function clearStarkbankCache(): void {
  const cache = starkbank.cache as Record<string, unknown>;
  for (const key of Object.keys(cache)) delete cache[key];
}

/**
 * Starts an emulator on a free port with a fixed seed, registers a freshly generated project and points the
 * global SDK agent at it. Only one test emulator should be active at a time (the agent is process-wide).
 */
export async function startTestEmulator(options: Partial<EmulatorOptions> = {}): Promise<TestEmulator> {
  const projectId = '5656565656565656';
  const { privateKeyPem, publicKeyPem } = generateProjectKeys();
  const emulator = await startEmulator({ seed: 'test-seed', ...options, port: options.port ?? 0 });
  emulator.registerProject(projectId, publicKeyPem);
  starkbank.setHttpsAgent(createEmulatorAgent({ port: emulator.port, caPem: emulator.caPem }));
  clearStarkbankCache();
  const user = new starkbank.Project({ environment: 'sandbox', id: projectId, privateKey: privateKeyPem });
  return {
    emulator,
    user,
    projectId,
    privateKeyPem,
    close: async () => {
      starkbank.setHttpsAgent(null);
      clearStarkbankCache();
      await emulator.close();
    },
  };
}
