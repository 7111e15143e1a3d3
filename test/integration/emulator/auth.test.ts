import assert from 'node:assert/strict';
import starkbank from 'starkbank';
import { generateProjectKeys, startTestEmulator, type TestEmulator } from '../../../testkit/emulator';
import { rawRequest, rejectsWith, starkHeaders } from './support';

describe('emulator: request authentication', () => {
  let t: TestEmulator;
  before(async () => (t = await startTestEmulator()));
  after(() => t.close());

  const invoiceBody = JSON.stringify({ invoices: [{ amount: 100, name: 'Ana Lima', taxId: '012.345.678-90' }] });

  it('accepts requests the SDK signs', async () => {
    const balance = await starkbank.balance.get({ user: t.user });
    assert.equal(balance.amount, 0);
  });

  it('rejects a project signing with the wrong key', async () => {
    const impostor = new starkbank.Project({
      environment: 'sandbox',
      id: t.projectId,
      privateKey: generateProjectKeys().privateKeyPem,
    });
    await rejectsWith(starkbank.balance.get({ user: impostor }), 400, ['invalidCredentials']);
  });

  it('rejects an unknown project', async () => {
    const stranger = new starkbank.Project({ environment: 'sandbox', id: '1', privateKey: t.privateKeyPem });
    await rejectsWith(starkbank.balance.get({ user: stranger }), 400, ['invalidAccessId']);
  });

  it('accepts a float Access-Time (as the Python SDK sends) and a hand-signed POST', async () => {
    const time = (Date.now() / 1000).toFixed(6);
    const response = await rawRequest(
      t.emulator,
      'POST',
      '/v2/invoice',
      starkHeaders(t.projectId, t.privateKeyPem, invoiceBody, time),
      invoiceBody,
    );
    assert.equal(response.status, 200);
    assert.equal((response.body.invoices as unknown[]).length, 1);
  });

  it('rejects a body changed after signing', async () => {
    const headers = starkHeaders(t.projectId, t.privateKeyPem, invoiceBody);
    const tampered = invoiceBody.replace('"amount":100', '"amount":900');
    const response = await rawRequest(t.emulator, 'POST', '/v2/invoice', headers, tampered);
    assert.equal(response.status, 400);
    assert.equal(response.body.errors?.[0]?.code, 'invalidCredentials');
    assert.equal(
      t.emulator.snapshot().invoices.some((i) => i.amount === 900),
      false,
    );
  });

  it('rejects a stale Access-Time even when correctly signed', async () => {
    const stale = String(Math.round(Date.now() / 1000) - 10 * 60);
    const response = await rawRequest(
      t.emulator,
      'GET',
      '/v2/balance',
      starkHeaders(t.projectId, t.privateKeyPem, '', stale),
    );
    assert.equal(response.status, 400);
    assert.equal(response.body.errors?.[0]?.code, 'invalidAccessTime');
  });

  for (const missing of ['Access-Id', 'Access-Time', 'Access-Signature']) {
    it(`rejects a request without ${missing}`, async () => {
      const headers = starkHeaders(t.projectId, t.privateKeyPem, '');
      delete headers[missing];
      const response = await rawRequest(t.emulator, 'GET', '/v2/balance', headers);
      assert.equal(response.status, 400);
      assert.ok(
        Array.isArray(response.body.errors) && response.body.errors.length === 1,
        JSON.stringify(response.body),
      );
    });
  }

  it('rejects a garbage signature', async () => {
    const headers = { ...starkHeaders(t.projectId, t.privateKeyPem, ''), 'Access-Signature': 'bm90IGEgc2lnbmF0dXJl' };
    const response = await rawRequest(t.emulator, 'GET', '/v2/balance', headers);
    assert.equal(response.status, 400);
    assert.equal(response.body.errors?.[0]?.code, 'invalidCredentials');
  });
});
