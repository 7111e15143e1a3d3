import assert from 'node:assert/strict';
import fs from 'node:fs';
import { ESLint } from 'eslint';

// The floors of src/ are an ESLint rule (eslint.config.mjs): an import that runs back up must fail the lint.
describe('import floors of src/', function () {
  this.timeout(120_000);
  const eslint = new ESLint();
  const restricted = async (file: string, importLine: string) => {
    const [result] = await eslint.lintText(`${importLine}\n${fs.readFileSync(file, 'utf8')}`, { filePath: file });
    return result!.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports' && m.line === 1);
  };

  it('refuses an import from a lower room to a higher one, type-only imports included', async () => {
    const up = await restricted(
      'src/temporal/namespace.ts',
      "import type { PayoutState } from '../workflows/payoutDefinitions';",
    );
    assert.equal(up.length, 1);
    assert.match(up[0]!.message, /must not import workflows/);
    const intoActivities = await restricted(
      'src/workflows/readFacts.ts',
      "import type { Activities } from '../activities';",
    );
    assert.equal(intoActivities.length, 1);
  });

  it('lets a room import the floors below it', async () => {
    assert.deepEqual(
      await restricted(
        'src/activities/budget.ts',
        "import type { PayoutState } from '../workflows/payoutDefinitions';",
      ),
      [],
    );
  });
});
