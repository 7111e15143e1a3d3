import { serviceEnv } from '../../testkit/serviceEnv';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { useTestEmulator } from '../helpers/emulator';
import { startService } from '../../testkit/processes';
import { getTestEnv, uniqueId } from '../helpers/temporal';

/** A stand-in OTLP/HTTP collector: keeps every request body posted to /v1/traces. */
async function startCollector() {
  const bodies: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') bodies.push(Buffer.concat(chunks).toString());
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('trace export (real webhook process, OTLP/HTTP)', function () {
  this.timeout(60_000);
  const stark = useTestEmulator();

  it('exports the webhook spans to OTEL_EXPORTER_OTLP_ENDPOINT, named after the service', async () => {
    const env = await getTestEnv();
    const collector = await startCollector();
    try {
      const webhook = await startService(
        'src/webhook.ts',
        serviceEnv(
          stark,
          { address: env.address, taskQueue: uniqueId('otlp') },
          { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url },
        ),
        (l) => l.msg === 'webhook listening',
      );
      const url = String(webhook.logs.find((l) => l.msg === 'webhook listening')?.url);
      const answer = await fetch(url, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
      assert.equal(answer.status, 401);
      // A clean stop flushes what the batch processor holds.
      assert.equal(await webhook.stop('SIGTERM'), 0);
      const exported = collector.bodies.join('\n');
      assert.match(exported, /"name":"POST \/webhook\/starkbank"/);
      assert.match(exported, /"key":"service.name","value":\{"stringValue":"starkbank-payouts-webhook"\}/);
      assert.match(exported, /"key":"http.response.status_code","value":\{"intValue":401\}/);
    } finally {
      await collector.close();
    }
  });
});
