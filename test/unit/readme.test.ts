import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CONFIG_VARIABLES } from '../../src/config';

describe('README', () => {
  const readme = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');

  it('documents every configuration variable of the schema', () => {
    const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Real Stark Bank'));
    const missing = CONFIG_VARIABLES.filter((name) => !table.includes(`\`${name}\``));
    assert.deepEqual(missing, []);
  });

  it('states the two set-up commands, and the scripts they use exist', () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    assert.match(readme, /npm ci && npm run dev/);
    assert.match(readme, /npm ci && npm test/);
    assert.ok(pkg.scripts.dev && pkg.scripts.test);
  });
});
