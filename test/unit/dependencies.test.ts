import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const repoRoot = path.resolve(__dirname, '../..');
const manifest = z
  .object({
    dependencies: z.record(z.string(), z.string()),
    devDependencies: z.record(z.string(), z.string()),
  })
  .parse(JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')));
const lock = z
  .object({ packages: z.record(z.string(), z.object({ version: z.string().optional(), dev: z.boolean().optional() })) })
  .parse(JSON.parse(fs.readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8')));

/** Where `npm ci` installs each copy of a package, and which version, from the lockfile. */
const copiesOf = (name: string) =>
  Object.entries(lock.packages)
    .filter(([where]) => where === `node_modules/${name}` || where.endsWith(`/node_modules/${name}`))
    .map(([where, entry]) => ({ where, version: entry.version, dev: entry.dev === true }));

/** The file `require(name)` loads when asked from inside another installed package. */
const resolvedFrom = (name: string, fromPackage?: string) =>
  require.resolve(name, {
    paths: [fromPackage ? path.dirname(require.resolve(`${fromPackage}/package.json`)) : repoRoot],
  });

describe('dependencies (package.json, package-lock.json, node_modules)', () => {
  it('installs one starkbank-ecdsa, the version starkbank uses, pinned exactly', () => {
    // The OpenSSL signing patch replaces Ecdsa.sign on the copy the product imports; a second copy under starkbank
    // or starkcore would sign with the slow pure-JavaScript code and nobody would notice.
    const copies = copiesOf('starkbank-ecdsa');
    assert.deepEqual(
      copies.map((c) => c.where),
      ['node_modules/starkbank-ecdsa'],
      'one copy in the lockfile',
    );
    assert.equal(manifest.dependencies['starkbank-ecdsa'], copies[0]!.version, 'pinned to the exact version');
    const ours = resolvedFrom('starkbank-ecdsa');
    assert.equal(resolvedFrom('starkbank-ecdsa', 'starkbank'), ours);
    assert.equal(resolvedFrom('starkbank-ecdsa', 'starkcore'), ours);
  });

  it('gives the Temporal packages one protobufjs, which JSON history replay needs', () => {
    // Not imported by the product: the direct dependency is what makes npm hoist one 8.x copy for
    // @temporalio/common, proto and worker. Without it a fresh resolution nests three copies and
    // historyFromJSON fails with "type must be a Type" (docs/testing.md).
    const hoisted = resolvedFrom('protobufjs');
    for (const pkg of ['@temporalio/common', '@temporalio/proto', '@temporalio/worker']) {
      assert.equal(resolvedFrom('protobufjs', pkg), hoisted, `${pkg} shares the hoisted protobufjs`);
    }
  });

  it('keeps pino-pretty out of production: a dev dependency, loaded only for LOG_FORMAT=pretty', () => {
    assert.equal(manifest.dependencies['pino-pretty'], undefined);
    assert.ok(manifest.devDependencies['pino-pretty']);
    assert.ok(
      copiesOf('pino-pretty').every((c) => c.dev),
      'npm ci --omit=dev leaves it out',
    );
    const loaded = (format?: string) =>
      execFileSync(
        process.execPath,
        [
          '--import',
          'tsx',
          '-e',
          "require('./src/observability/logger'); process.stdout.write(String(Object.keys(require.cache).some((f) => f.includes('/pino-pretty/'))))",
        ],
        {
          cwd: repoRoot,
          env: { PATH: process.env.PATH ?? '', ...(format && { LOG_FORMAT: format }) },
          encoding: 'utf8',
        },
      );
    assert.equal(loaded(), 'false');
    assert.equal(loaded('pretty'), 'true');
  });

  it('puts every Temporal package on the same ~ range', () => {
    const temporal = Object.entries({ ...manifest.dependencies, ...manifest.devDependencies }).filter(([name]) =>
      name.startsWith('@temporalio/'),
    );
    assert.ok(temporal.length >= 8);
    const ranges = new Set(temporal.map(([, range]) => range));
    assert.equal(ranges.size, 1, JSON.stringify(Object.fromEntries(temporal)));
    assert.match([...ranges][0]!, /^~\d+\.\d+\.\d+$/);
  });
});
