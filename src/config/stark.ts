import { z } from 'zod';
import type { StarkConfig } from '../starkbank/starkConfig';
import { readStarkPrivateKey } from '../shared/pem';
import { optionalString, readSettingFile } from './fields';
import { defineSection } from './section';

// Any PEM form of a secp256k1 private key, handed on as the SEC1 PEM the SDK reads. Never echoed: a secret.
const privateKeyPem = z
  .string()
  .transform((text, ctx) => {
    const read = readStarkPrivateKey(text);
    if (read.ok) return read.pem;
    ctx.addIssue({ code: 'custom', message: `${read.problem} (the value is not shown)` });
    return z.NEVER;
  })
  .optional();

// Stark Bank knows only the public keys registered with the project: a new pair signs nothing it accepts.
const REGISTERED_KEY =
  "required, the key registered with the project (docker compose keeps it in the keys volume's " +
  '/keys/private-key.pem, elsewhere the secret the worker and webhook mount); a new pair (npm run ops -- keys ' +
  'create) works only once its public key is registered with the project at Stark Bank';

const schema = z.object({
  STARK_ENVIRONMENT: z.enum(['sandbox', 'production']).default('sandbox'),
  STARK_PROJECT_ID: optionalString,
  STARK_PRIVATE_KEY: privateKeyPem,
  STARK_PRIVATE_KEY_FILE: optionalString,
  STARK_WORKSPACE_ID: optionalString,
  STARK_HTTP_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
  STARK_LATE_COMMIT_MS: z.coerce.number().int().min(0).default(30_000),
  // When set, the SDK is pointed at the local emulator instead of Stark Bank (see emulator/README.md).
  STARK_EMULATOR_ADDRESS: optionalString,
  STARK_EMULATOR_CA_FILE: optionalString,
});
type Vars = z.output<typeof schema>;

export const starkSection = defineSection(schema, (e, problems) => {
  if (!e.STARK_PROJECT_ID) problems.push('STARK_PROJECT_ID: required');
  let privateKey = e.STARK_PRIVATE_KEY;
  if (!privateKey && e.STARK_PRIVATE_KEY_FILE) privateKey = readKeyFile(e.STARK_PRIVATE_KEY_FILE, problems);
  if (!privateKey && !e.STARK_PRIVATE_KEY_FILE)
    problems.push(`STARK_PRIVATE_KEY or STARK_PRIVATE_KEY_FILE: ${REGISTERED_KEY}`);
  const emulator = e.STARK_EMULATOR_ADDRESS ? loadEmulator(e, problems) : undefined;
  if (emulator && e.STARK_ENVIRONMENT !== 'sandbox') {
    problems.push('STARK_EMULATOR_ADDRESS: the emulator stands in for the sandbox only (STARK_ENVIRONMENT=sandbox)');
  }
  const stark: StarkConfig = {
    environment: e.STARK_ENVIRONMENT,
    projectId: e.STARK_PROJECT_ID ?? '',
    privateKey: privateKey ?? '',
    workspaceId: e.STARK_WORKSPACE_ID,
    httpTimeoutMs: e.STARK_HTTP_TIMEOUT_MS,
    lateCommitMs: e.STARK_LATE_COMMIT_MS,
    emulator,
  };
  // With a problem the placeholders above are never used: loading throws first.
  return { stark };
});

function readKeyFile(file: string, problems: string[]): string | undefined {
  const pem = readSettingFile('STARK_PRIVATE_KEY_FILE', file, problems);
  if (pem === undefined) return undefined;
  const read = readStarkPrivateKey(pem);
  if (read.ok) return read.pem;
  problems.push(`STARK_PRIVATE_KEY_FILE: ${file} ${read.problem}`);
  return undefined;
}

function loadEmulator(e: Vars, problems: string[]): StarkConfig['emulator'] {
  const match = /^([^:]+):(\d+)$/.exec(e.STARK_EMULATOR_ADDRESS ?? '');
  if (!match) {
    problems.push('STARK_EMULATOR_ADDRESS: expected host:port, e.g. 127.0.0.1:8443');
    return undefined;
  }
  if (!e.STARK_EMULATOR_CA_FILE) {
    problems.push('STARK_EMULATOR_CA_FILE: required with STARK_EMULATOR_ADDRESS (the emulator writes it at start)');
    return undefined;
  }
  const caPem = readSettingFile('STARK_EMULATOR_CA_FILE', e.STARK_EMULATOR_CA_FILE, problems);
  return caPem === undefined ? undefined : { host: match[1]!, port: Number(match[2]), caPem };
}
