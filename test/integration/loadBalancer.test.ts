import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startLoadBalancer, type LoadBalancer } from '../../testkit/loadBalancer';

const LIMIT = 1024;

/** A webhook stand-in: answers 200 with its name, or 413 before reading a body over LIMIT, as Express does. */
async function backend(name: string): Promise<{ port: number; server: http.Server }> {
  const server = http.createServer((req, res) => {
    if (Number(req.headers['content-length']) > LIMIT) {
      res.writeHead(413).end('too large');
      req.resume();
      return;
    }
    req.resume();
    req.on('end', () => res.end(name));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, server };
}

async function post(port: number, size = 10): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/webhook`, { method: 'POST', body: Buffer.alloc(size, 0x61) });
  return { status: res.status, body: await res.text() };
}

// The chaos run's one Stark Bank URL in front of two webhook replicas (testkit/loadBalancer.ts).
describe('chaos load balancer', () => {
  let balancer: LoadBalancer | undefined;
  const servers: http.Server[] = [];
  afterEach(async () => {
    await balancer?.close();
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      server.close();
    }
  });

  it('takes turns, and relays an early 413 for a body over the backend limit', async () => {
    const [a, b] = [await backend('a'), await backend('b')];
    servers.push(a.server, b.server);
    balancer = await startLoadBalancer([a.port, b.port]);
    const answers = await Promise.all([1, 2, 3, 4].map(() => post(balancer!.port)));
    assert.deepEqual(answers.map((r) => r.body).sort(), ['a', 'a', 'b', 'b']);
    for (let i = 0; i < 10; i++) assert.equal((await post(balancer.port, 128 * 1024)).status, 413);
    assert.equal(balancer.stats.badGateway, 0);
  });

  it('sends everything to the live backend once the other is gone, kept-alive connections included', async () => {
    const [a, b] = [await backend('a'), await backend('b')];
    servers.push(a.server);
    balancer = await startLoadBalancer([a.port, b.port]);
    await Promise.all([1, 2, 3, 4].map(() => post(balancer!.port)));
    // Like a SIGKILLed replica: every connection to it goes, and nothing listens on its port any more.
    b.server.closeAllConnections();
    await new Promise((resolve) => b.server.close(resolve));
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(balancer!.port)));
    assert.deepEqual(new Set(answers.map((r) => `${r.status} ${r.body}`)), new Set(['200 a']));
    assert.ok(balancer.stats.failovers >= 1);
    assert.equal(balancer.stats.badGateway, 0);
  });
});
