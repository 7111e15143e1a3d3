import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { getTestEnv, uniqueId } from '../../helpers/temporal';

const repoRoot = path.resolve(__dirname, '../../..');

/**
 * A process that installs the product's Temporal runtime (installTemporalRuntime, as the worker, `npm run dev`
 * and `ops replay` do) and runs a worker against the test server: what it prints is the evidence. Each process
 * has one Runtime, so this runs in a child of its own.
 */
async function workerProcessOutput(address: string, logLevel: string): Promise<{ stdout: string; stderr: string }> {
  const script = `
    const { NativeConnection, Worker } = require('@temporalio/worker');
    const { logger } = require('./src/observability/logger');
    const { installTemporalRuntime } = require('./src/temporal/runtime');
    (async () => {
      installTemporalRuntime(logger);
      const connection = await NativeConnection.connect({ address: ${JSON.stringify(address)} });
      const worker = await Worker.create({
        connection,
        taskQueue: ${JSON.stringify(uniqueId('core-logs'))},
        activities: { noop: async () => undefined },
      });
      await worker.runUntil(new Promise((resolve) => setTimeout(resolve, 1500)));
      await connection.close();
    })().catch((err) => { console.error(err); process.exit(1); });`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: logLevel },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  assert.equal(code, 0, stderr);
  return { stdout, stderr };
}

describe('one log stream: the Temporal SDK, native (Rust) core included, logs through pino', function () {
  this.timeout(60_000);

  it("forwards sdk-core's logs into the JSON stream, and prints nothing of its own on the console", async () => {
    const { address } = await getTestEnv();
    const { stdout, stderr } = await workerProcessOutput(address, 'info');
    const lines = stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        try {
          return JSON.parse(line) as Record<string, unknown>;
        } catch {
          return assert.fail(`a line that is not JSON: ${line}`);
        }
      });
    const core = lines.filter((l) => l.sdkComponent === 'core');
    assert.ok(
      core.some((l) => l.msg === 'Initializing worker' && l.level === 30 && l.source === 'temporal'),
      `sdk-core's "Initializing worker" (INFO) as a pino line: ${stdout}`,
    );
    assert.ok(
      lines.some((l) => l.sdkComponent === 'worker'),
      'the TypeScript side logs through the same logger',
    );
    assert.equal(stderr, '', 'nothing bypasses the logger');
  });

  it("honours the process's log level for core logs too", async () => {
    const { address } = await getTestEnv();
    const { stdout } = await workerProcessOutput(address, 'warn');
    assert.ok(!stdout.includes('Initializing worker'), stdout);
  });
});
