import assert from 'node:assert/strict';
import axios from 'axios';
import starkbank from 'starkbank';
import { createSandboxAgent } from '../../src/sandbox';
import { configureStarkHttp } from '../../src/starkbank/http';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox';

describe('SDK socket timeout (real HTTPS to the emulator)', () => {
  let stark: TestSandbox;
  before(async () => {
    stark = await startTestSandbox({ seed: 'http-timeout', faults: { slowDelayMs: 3_000 } });
  });
  after(async () => {
    await stark?.close();
  });

  it('times out every request, on a new or a kept-alive socket', async () => {
    const agent = configureStarkHttp({
      httpTimeoutMs: 500,
      emulator: { host: '127.0.0.1', port: stark.sandbox.port, caPem: stark.sandbox.caPem },
    });
    try {
      // Held by the emulator for 3 s, far past the 500 ms timeout: on a new socket, then on a reused one.
      stark.sandbox.setFaults({ rules: [{ kind: 'slow', path: '/v2/balance' }] });
      await assert.rejects(starkbank.balance.get({ user: stark.user }), /timeout of 500ms exceeded/);
      await starkbank.balance.get({ user: stark.user }); // a fast one leaves its socket in the pool
      stark.sandbox.setFaults({ rules: [{ kind: 'slow', path: '/v2/balance' }] });
      await assert.rejects(starkbank.balance.get({ user: stark.user }), /timeout of 500ms exceeded/);
    } finally {
      agent.destroy();
      axios.defaults.timeout = 0;
      starkbank.setHttpsAgent(createSandboxAgent({ port: stark.sandbox.port, caPem: stark.sandbox.caPem }));
    }
  });
});
