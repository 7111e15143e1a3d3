import assert from 'node:assert/strict';
import starkbank from 'starkbank';
import { cpf } from 'cpf-cnpj-validator';
import { installStarkbankPatches, signWithOpenSsl } from '../../../src/starkbank/sdkPatches';
import { createEmulatorAgent } from '../../../src/starkbank/emulatorAgent';
import { startTestEmulator } from '../../../testkit/emulator';

describe('emulator: requests signed with OpenSSL', () => {
  it('accepts them, as it checks every request signature', async () => {
    const stark = await startTestEmulator({ seed: 'openssl-signing' });
    const { port, caPem } = stark.emulator;
    const agent = installStarkbankPatches({ httpTimeoutMs: 15_000, emulator: { host: '127.0.0.1', port, caPem } });
    try {
      const project = new starkbank.Project({
        environment: 'sandbox',
        id: stark.projectId,
        privateKey: stark.privateKeyPem,
      });
      signWithOpenSsl(project, stark.privateKeyPem);
      const [invoice] = await starkbank.invoice.create(
        [new starkbank.Invoice({ amount: 1_234, name: 'Signed by OpenSSL', taxId: cpf.generate() })],
        { user: project },
      );
      assert.equal(invoice!.amount, 1_234);
    } finally {
      agent.destroy();
      starkbank.setHttpsAgent(createEmulatorAgent({ port, caPem }));
      await stark.close();
    }
  });
});
