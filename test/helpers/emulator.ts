import { randomUUID } from 'node:crypto';
import type { EmulatorOptions } from '../../emulator';
import { startTestEmulator, type TestEmulator } from '../../testkit/emulator';

/**
 * The suite's emulator: started before its tests (with a fresh seed unless given one) and closed after them. Call
 * it in a `describe`; the returned emulator can be used from the suite's hooks and tests.
 */
export function useTestEmulator(options: Partial<EmulatorOptions> = {}): TestEmulator {
  let running: TestEmulator | undefined;
  const current = (): TestEmulator => {
    if (!running) throw new Error('the test emulator runs only inside the suite that asked for it');
    return running;
  };
  before(async () => {
    running = await startTestEmulator({ seed: randomUUID(), ...options });
  });
  after(async () => {
    await running?.close();
    running = undefined;
  });
  return {
    get emulator() {
      return current().emulator;
    },
    get user() {
      return current().user;
    },
    get projectId() {
      return current().projectId;
    },
    get privateKeyPem() {
      return current().privateKeyPem;
    },
    close: () => current().close(),
  };
}
