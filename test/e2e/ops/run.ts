import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { getTestCodecServer, getTestEnv } from '../../helpers/temporal';

const repoRoot = path.resolve(__dirname, '../../..');
const entry = path.join(repoRoot, 'src/ops.ts');
// `node --import tsx`, resolved here: the child runs outside the repo, where a bare `tsx` would not be found.
const tsxLoader = pathToFileURL(path.join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the operator CLI as a real process, the way an operator does. It runs in an empty directory with only
 * the given variables, so a developer's `.env` or temporal.toml cannot leak in.
 */
export async function runCli(args: string[], env: Record<string, string> = {}, cwd = emptyDir()): Promise<CliResult> {
  const child = spawn(process.execPath, ['--import', tsxLoader, entry, ...args], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: cwd,
      TSX_TSCONFIG_PATH: path.join(repoRoot, 'tsconfig.json'),
      // Under `c8 mocha` the CLI's own code counts towards coverage too.
      ...(process.env.NODE_V8_COVERAGE ? { NODE_V8_COVERAGE: process.env.NODE_V8_COVERAGE } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  return { code, stdout, stderr };
}

/** Runs the CLI and insists it succeeded; the failure message carries what it printed. */
export async function runCliOk(args: string[], env: Record<string, string> = {}): Promise<string> {
  const result = await runCli(args, env);
  if (result.code !== 0) {
    throw new Error(`ops ${args.join(' ')} exited ${result.code}\n${result.stderr}${result.stdout}`);
  }
  return result.stdout;
}

/**
 * Variables that point the CLI at the test dev server and a worker's task queue, with payloads going through the
 * run's codec server as an operator's do: the CLI never gets the payload keys.
 */
export async function temporalEnv(taskQueue: string): Promise<Record<string, string>> {
  const env = await getTestEnv();
  const codec = await getTestCodecServer();
  return {
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_NAMESPACE: env.namespace ?? 'default',
    TEMPORAL_TASK_QUEUE: taskQueue,
    TEMPORAL_CODEC_ENDPOINT: codec.codecUrl,
    TEMPORAL_CODEC_AUTH: `Bearer ${codec.token}`,
  };
}

export function emptyDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ops-cli-test-'));
}
