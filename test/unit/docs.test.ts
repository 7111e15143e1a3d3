import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CONFIG_VARIABLES } from '../../src/config';

const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const DOCS = [
  'README.md',
  'BENCHMARKS.md',
  'emulator/README.md',
  ...fs.readdirSync(path.join(ROOT, 'docs')).map((f) => `docs/${f}`),
];

describe('docs', () => {
  it('document every configuration variable of the schema', () => {
    const configuration = read('docs/configuration.md');
    const missing = CONFIG_VARIABLES.filter((name) => !configuration.includes(`\`${name}\``));
    assert.deepEqual(missing, []);
  });

  it('state the two set-up commands, and the scripts they use exist', () => {
    const readme = read('README.md');
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    assert.match(readme, /npm ci && npm run dev/);
    assert.match(readme, /npm ci && npm test/);
    assert.ok(pkg.scripts.dev && pkg.scripts.test);
  });

  it('stay short: README at most 12 KB, BENCHMARKS at most 8 KB', () => {
    assert.ok(fs.statSync(path.join(ROOT, 'README.md')).size <= 12 * 1024, 'README.md is over 12 KB');
    assert.ok(fs.statSync(path.join(ROOT, 'BENCHMARKS.md')).size <= 8 * 1024, 'BENCHMARKS.md is over 8 KB');
  });

  it('link only to files that exist', () => {
    const broken: string[] = [];
    for (const doc of DOCS) {
      for (const [, target] of read(doc).matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        if (!fs.existsSync(path.resolve(ROOT, path.dirname(doc), target!))) broken.push(`${doc} -> ${target}`);
      }
    }
    assert.deepEqual(broken, []);
  });
});
