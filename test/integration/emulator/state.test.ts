import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import starkbank from 'starkbank';
import { generateCertificate, isReusable, type TlsMaterial } from '../../../emulator/certificate';
import { readConnectionInfo } from '../../../emulator/connectionInfo';
import { readEmulatorEnv } from '../../../emulator/env';
import { createEmulatorAgent } from '../../../src/starkbank/emulatorAgent';
import { startLocalEmulator } from '../../../tools/localEmulator';
import { startTestEmulator } from '../../../testkit/emulator';
import { all, rawRequest, waitUntil, WebhookReceiver } from './support';

describe('emulator: state file, admin API and settings', () => {
  let dir: string;
  before(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'emulator-state-'))));
  after(() => rm(dir, { recursive: true, force: true }));

  it('saves state on close and loads it on the next start, keeping keys and pending work', async () => {
    const stateFile = path.join(dir, 'state.json');
    const first = await startTestEmulator({
      stateFile,
      behaviour: { payShare: 1, payDelayMinMs: 600_000, payDelayMaxMs: 600_000 },
    });
    const [invoice] = await starkbank.invoice.create(
      [new starkbank.Invoice({ amount: 700, name: 'Ana', taxId: '01234567890' })],
      {
        user: first.user,
      },
    );
    assert.ok(invoice);
    const eventKey = first.emulator.eventPublicKeyPem;
    await first.close();
    const saved = JSON.parse(await readFile(stateFile, 'utf8')) as {
      invoices: { id: string }[];
      jobs: { kind: string }[];
    };
    assert.deepEqual(
      saved.invoices.map((i) => i.id),
      [invoice.id],
    );
    assert.deepEqual(saved.jobs.map((j) => j.kind).sort(), ['overdueInvoice', 'payInvoice'], 'pending work is saved');

    const second = await startTestEmulator({ stateFile, behaviour: { timeScale: 0.0001 } });
    try {
      assert.equal(second.emulator.eventPublicKeyPem, eventKey);
      const again = await starkbank.invoice.get(invoice.id, { user: second.user });
      assert.equal(again.amount, 700);
      assert.equal(second.emulator.snapshot().invoiceLogs.length, 1);
      const fresh = await starkbank.invoice.create(
        [new starkbank.Invoice({ amount: 1, name: 'Bia', taxId: '01234567890' })],
        {
          user: second.user,
        },
      );
      assert.notEqual(fresh[0]?.id, invoice.id);
    } finally {
      await second.close();
    }
  });

  it('turns an invoice overdue and expired on time after a restart, delivering both events', async () => {
    const stateFile = path.join(dir, 'deadlines.json');
    const behaviour = { payShare: 0, timeScale: 0.001 }; // one bank second is one real millisecond
    const receiver = new WebhookReceiver();
    const url = await receiver.start();
    try {
      const first = await startTestEmulator({ stateFile, behaviour });
      let invoice: starkbank.Invoice | undefined;
      try {
        await starkbank.webhook.create({ url, subscriptions: ['invoice'], user: first.user });
        const due = new Date(Date.now() + 300_000).toISOString();
        const draft = new starkbank.Invoice({ amount: 800, name: 'Davi', taxId: '01234567890', due, expiration: 100 });
        [invoice] = await starkbank.invoice.create([draft], { user: first.user });
      } finally {
        await first.close();
      }
      assert.ok(invoice);
      const saved = JSON.parse(await readFile(stateFile, 'utf8')) as { jobs: { kind: string }[] };
      assert.ok(
        saved.jobs.some((j) => j.kind === 'overdueInvoice'),
        'the due timer is saved',
      );

      const second = await startTestEmulator({ stateFile, behaviour });
      try {
        const status = (): string | undefined => second.emulator.snapshot().invoices[0]?.status;
        await waitUntil(() => status() === 'expired', 2_000, 'expired');
        const logs = await all(starkbank.invoice.log.query({ invoiceIds: [invoice.id], user: second.user }));
        assert.deepEqual(logs.map((l) => l.type).reverse(), ['created', 'overdue', 'expired']);
        await receiver.waitFor(3);
        // Deliveries still pending at the restart go out together, so in any order.
        assert.deepEqual(
          receiver
            .events()
            .map((e) => e.log.type)
            .sort(),
          ['created', 'expired', 'overdue'],
        );
      } finally {
        await second.close();
      }
    } finally {
      await receiver.close();
    }
  });

  it('keeps its TLS certificate in the state file: a client that pinned it still connects after a restart', async () => {
    const stateFile = path.join(dir, 'tls.json');
    const first = await startTestEmulator({ stateFile });
    const pinned = first.emulator.caPem;
    await first.close();

    const second = await startTestEmulator({ stateFile });
    try {
      assert.equal(second.emulator.caPem, pinned);
      starkbank.setHttpsAgent(createEmulatorAgent({ port: second.emulator.port, caPem: pinned }));
      assert.equal((await starkbank.balance.get({ user: second.user })).amount, 0);
    } finally {
      await second.close();
    }
  });

  it('keeps its certificate in the data directory of `npm run dev`: the ca.pem a client pinned still works', async () => {
    const dataDir = path.join(dir, 'dev-data');
    const saved = process.env.EMULATOR_PORT;
    process.env.EMULATOR_PORT = '0'; // the local runner's default port may be taken on this machine
    try {
      const first = await startLocalEmulator(dataDir, {});
      const pinned = await readFile(path.join(dataDir, 'ca.pem'), 'utf8');
      await first.emulator.close();

      const second = await startLocalEmulator(dataDir, {});
      try {
        const info = await readConnectionInfo(dataDir);
        assert.equal(info.caPem, pinned);
        assert.equal(second.emulator.caPem, pinned);
        const user = new starkbank.Project({
          environment: 'sandbox',
          id: second.env.STARK_PROJECT_ID!,
          privateKey: await readFile(second.env.STARK_PRIVATE_KEY_FILE!, 'utf8'),
        });
        starkbank.setHttpsAgent(createEmulatorAgent({ port: info.port, caPem: pinned }));
        assert.equal((await starkbank.balance.get({ user })).amount, 0);
      } finally {
        starkbank.setHttpsAgent(null);
        await second.emulator.close();
      }
    } finally {
      if (saved === undefined) delete process.env.EMULATOR_PORT;
      else process.env.EMULATOR_PORT = saved;
    }
  });

  it('replaces a stored certificate that is about to expire or does not match its key, and keeps the new one', async () => {
    const stateFile = path.join(dir, 'tls-renewed.json');
    const first = await startTestEmulator({ stateFile });
    await first.close();
    const saved = JSON.parse(await readFile(stateFile, 'utf8')) as { tls: TlsMaterial };
    const expiring = await generateCertificate(1);
    const mismatched = { certPem: saved.tls.certPem, keyPem: expiring.keyPem };
    for (const stale of [expiring, mismatched]) {
      await writeFile(stateFile, JSON.stringify({ ...saved, tls: stale }));
      const next = await startTestEmulator({ stateFile });
      const served = next.emulator.caPem;
      await next.close();
      assert.notEqual(served, stale.certPem);
      const kept = (JSON.parse(await readFile(stateFile, 'utf8')) as { tls: TlsMaterial }).tls;
      assert.equal(kept.certPem, served, 'the new certificate is stored');
      assert.ok(isReusable(kept));
      assert.ok(Date.parse(new X509Certificate(served).validTo) > Date.now() + 300 * 24 * 3_600_000);
    }
  });

  it('serves the admin API without Stark authentication', async () => {
    const t = await startTestEmulator();
    try {
      const post = (p: string, body: unknown): ReturnType<typeof rawRequest> =>
        rawRequest(t.emulator, 'POST', p, {}, JSON.stringify(body));
      assert.equal((await post('/admin/faults', { errorRate: 1 })).status, 200);
      assert.equal(t.emulator.getFaults().errorRate, 1);
      assert.equal((await post('/admin/faults', { errorRate: 2 })).status, 400);
      assert.equal((await post('/admin/behaviour', { payShare: 0.5 })).status, 200);
      assert.equal(t.emulator.getBehaviour().payShare, 0.5);
      const state = await rawRequest(t.emulator, 'GET', '/admin/state', {});
      assert.equal(state.status, 200);
      assert.deepEqual(state.body.invoices, []);
      assert.equal((await post('/admin/invoices/1234567890123456/pay', {})).status, 404);
    } finally {
      await t.close();
    }
  });

  it('reads settings from the environment with clear errors', () => {
    const { options, dataDir } = readEmulatorEnv({
      EMULATOR_PORT: '9443',
      EMULATOR_TIME_SCALE: '0.01',
      EMULATOR_PAY_SHARE: '1',
      EMULATOR_FAULTS: '{"errorRate":0.1,"rules":[{"kind":"error","path":"/v2/transfer"}]}',
    });
    assert.equal(options.port, 9443);
    assert.deepEqual(options.behaviour, { timeScale: 0.01, payShare: 1 });
    assert.equal(options.faults?.rules?.[0]?.count, 1);
    assert.equal(dataDir, '.data/emulator');
    assert.throws(
      () => readEmulatorEnv({ EMULATOR_PAY_SHARE: 'lots', EMULATOR_PORT: '-1' }),
      /EMULATOR_PAY_SHARE[\s\S]*|EMULATOR_PORT/,
    );
  });
});
