import { createEmulatorAgent } from '../../../src/starkbank/emulatorAgent';
import assert from 'node:assert/strict';
import axios from 'axios';
import starkbank from 'starkbank';
import { installStarkbankPatches } from '../../../src/starkbank/sdkPatches';
import { startTestEmulator, type TestEmulator } from '../../../testkit/emulator';

describe('SDK socket timeout (real HTTPS to the emulator)', () => {
  let stark: TestEmulator;
  before(async () => {
    stark = await startTestEmulator({ seed: 'http-timeout', faults: { slowDelayMs: 3_000 } });
  });
  after(async () => {
    await stark?.close();
  });

  it('times out every request, on a new or a kept-alive socket', async () => {
    const agent = installStarkbankPatches({
      httpTimeoutMs: 500,
      emulator: { host: '127.0.0.1', port: stark.emulator.port, caPem: stark.emulator.caPem },
    });
    try {
      // Held by the emulator for 3 s, far past the 500 ms timeout: on a new socket, then on a reused one.
      stark.emulator.setFaults({ rules: [{ kind: 'slow', path: '/v2/balance' }] });
      await assert.rejects(starkbank.balance.get({ user: stark.user }), /timeout of 500ms exceeded/);
      await starkbank.balance.get({ user: stark.user }); // a fast one leaves its socket in the pool
      stark.emulator.setFaults({ rules: [{ kind: 'slow', path: '/v2/balance' }] });
      await assert.rejects(starkbank.balance.get({ user: stark.user }), /timeout of 500ms exceeded/);
    } finally {
      agent.destroy();
      axios.defaults.timeout = 0;
      starkbank.setHttpsAgent(createEmulatorAgent({ port: stark.emulator.port, caPem: stark.emulator.caPem }));
    }
  });
});
