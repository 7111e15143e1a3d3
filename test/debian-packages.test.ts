import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { aptInstallLine, missingPackagesMessage, TEST_PACKAGES, type TestPackage } from './helpers/debianPackages';

const repoRoot = path.resolve(__dirname, '..');

// Named to sort first in `npm test` (mocha runs test files in name order): on a newcomer's machine the first
// failure says what to install, before the tests that need it fail one by one.
describe('this machine has what npm test needs', () => {
  it('has the Debian packages (chromium, postgresql, prometheus)', async () => {
    const missing: TestPackage[] = [];
    for (const pkg of TEST_PACKAGES) if (!(await pkg.present())) missing.push(pkg);
    if (missing.length > 0) assert.fail(missingPackagesMessage(missing));
  });

  it('names each missing package, what needs it, and the one command that installs them', () => {
    const message = missingPackagesMessage(TEST_PACKAGES.filter((p) => p.name !== 'chromium'));
    assert.match(message, /^ {2}postgresql: the local cluster/m);
    assert.match(message, /^ {2}prometheus: the alert rules' checks \(\/usr\/bin\/promtool\)$/m);
    assert.ok(!message.includes('chromium'));
    assert.ok(message.endsWith('apt-get install -y --no-install-recommends postgresql prometheus'), message);
  });

  it('asks for the packages .ci/run installs, with the line README shows', () => {
    const ci = fs.readFileSync(path.join(repoRoot, '.ci/run'), 'utf8');
    const listed = /^APT_PACKAGES=\(([^)]*)\)$/m.exec(ci)?.[1]?.split(/\s+/).filter(Boolean);
    assert.deepEqual(
      listed,
      TEST_PACKAGES.map((p) => p.name),
    );
    const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    assert.ok(readme.includes(`sudo ${aptInstallLine(TEST_PACKAGES.map((p) => p.name))}`), 'README shows the line');
  });
});
