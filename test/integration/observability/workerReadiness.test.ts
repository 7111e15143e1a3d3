import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { NativeConnection, Worker } from '@temporalio/worker';
import { workerReadiness } from '../../../src/worker';
import { workflowsPath } from '../../helpers/payouts';
import { eventually, getTestEnv, getWorkflowBundle, uniqueId } from '../../helpers/temporal';

/** A TCP relay to the dev server that can be cut and restored: the worker's view of a Temporal outage. */
async function relayTo(address: string) {
  const [host, port] = address.split(':') as [string, string];
  const sockets = new Set<net.Socket>();
  const listen = async (onPort: number) => {
    const server = net.createServer((inbound) => {
      const outbound = net.connect(Number(port), host);
      for (const s of [inbound, outbound]) {
        sockets.add(s);
        s.on('error', () => s.destroy());
        s.on('close', () => sockets.delete(s));
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    await new Promise<void>((resolve) => server.listen(onPort, '127.0.0.1', resolve));
    return server;
  };
  let server = await listen(0);
  const relayPort = (server.address() as AddressInfo).port;
  return {
    address: `127.0.0.1:${relayPort}`,
    cut: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
    restore: async () => {
      server = await listen(relayPort);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('worker readiness (real Worker, real dev server)', function () {
  this.timeout(60_000);

  it('is ready while it polls; not when Temporal is unreachable or once it stopped', async () => {
    const env = await getTestEnv();
    const relay = await relayTo(env.address);
    const connection = await NativeConnection.connect({ address: relay.address });
    const taskQueue = uniqueId('readiness');
    const worker = await Worker.create({
      connection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle: await getWorkflowBundle(workflowsPath),
      activities: { noop: () => Promise.resolve() },
    });
    const running = worker.run();
    try {
      const ready = async () => ((await workerReadiness([worker])).length === 0 ? true : undefined);
      await eventually(ready, { what: 'the worker to poll' });
      await relay.cut();
      // The Worker still says RUNNING: only reaching the server tells that its polls fail.
      assert.equal(worker.getState(), 'RUNNING');
      assert.deepEqual(await workerReadiness([worker]), ['temporal']);
      await relay.restore();
      await eventually(ready, { what: 'the worker to be ready again' });
    } finally {
      worker.shutdown();
      await running.catch(() => undefined);
    }
    assert.ok((await workerReadiness([worker])).includes(`worker:${taskQueue}`));
    await connection.close();
    await relay.close();
  });
});
