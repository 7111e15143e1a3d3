// Loaded by mocha via .mocharc.json `require`. Kept free of heavy imports so unit-only runs stay fast:
// expensive shared fixtures (dev server, emulator, …) register their own teardown here when first created.

type Teardown = () => Promise<void> | void;
const teardowns: { name: string; fn: Teardown }[] = [];

/** Registers a cleanup to run once after the whole test run, in reverse order of registration. */
export function registerTeardown(name: string, fn: Teardown): void {
  teardowns.push({ name, fn });
}

async function runTeardowns(): Promise<void> {
  const errors: unknown[] = [];
  for (const { name, fn } of teardowns.splice(0).reverse()) {
    try {
      await fn();
    } catch (error) {
      errors.push(new Error(`teardown "${name}" failed`, { cause: error }));
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, 'several test teardowns failed');
}

export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    await runTeardowns();
  },
};
