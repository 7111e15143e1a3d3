import assert from 'node:assert/strict';
import starkbank from 'starkbank';
import { installStarkbankPatches } from '../../../src/starkbank/sdkPatches';
import { useTestEmulator } from '../../helpers/emulator';

/** The SDK's requests, through the agent the product installs, against the emulator over real TLS. */
describe('Stark Bank calls: connections kept alive', function () {
  this.timeout(30_000);
  const t = useTestEmulator();

  it('makes 20 requests in a row over one TLS connection, and 20 at once over no more than 20', async () => {
    const agent = installStarkbankPatches({
      emulator: { host: '127.0.0.1', port: t.emulator.port, caPem: t.emulator.caPem },
      httpTimeoutMs: 10_000,
    });
    const connect = agent.createConnection.bind(agent);
    let connections = 0;
    agent.createConnection = (...args: Parameters<typeof connect>) => {
      connections++;
      return connect(...args);
    };
    try {
      for (let i = 0; i < 20; i++) await starkbank.balance.get({ user: t.user });
      assert.equal(connections, 1, 'every request after the first reused its connection');
      await Promise.all(Array.from({ length: 20 }, () => starkbank.balance.get({ user: t.user })));
      assert.ok(connections <= 21, `${connections} connections`);
      const reused = connections;
      for (let i = 0; i < 20; i++) await starkbank.balance.get({ user: t.user });
      assert.equal(connections, reused, 'idle connections were kept for the next requests');
    } finally {
      agent.destroy();
    }
  });
});
