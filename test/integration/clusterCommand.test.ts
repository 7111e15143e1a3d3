import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { findFreeClusterPorts } from '../../tools/cluster/ports';
import { freshClone, npmRun } from '../../testkit/freshClone';

/**
 * `npm run cluster` exactly as docs/deployment.md shows it, with its default data dir (`.data/cluster`), on a
 * fresh clone: as root PostgreSQL runs as `postgres`, which must reach its data dir. Ports are the documented
 * flags, so a developer's own cluster or dev server can keep the defaults. Needs what cluster.test.ts needs.
 */
describe('npm run cluster, as documented, on a fresh clone', function () {
  this.timeout(240_000);
  const asRoot = process.getuid?.() === 0;

  async function runCluster(cloneDir: string): Promise<void> {
    const ports = await findFreeClusterPorts();
    const cluster = npmRun(cloneDir, 'cluster', [
      ...['--port', String(ports.port), '--ui-port', String(ports.uiPort)],
      ...['--postgres-port', String(ports.postgresPort)],
    ]);
    try {
      await cluster.waitFor(/Ctrl-C stops the Web UI/, 180_000);
      const connection = await Connection.connect({ address: `127.0.0.1:${ports.port}` });
      try {
        const described = await connection.workflowService.describeNamespace({ namespace: 'default' });
        assert.equal(described.namespaceInfo?.name, 'default');
      } finally {
        await connection.close();
      }
    } finally {
      // npm itself dies of the SIGINT, as in a terminal; the cluster says it stopped cleanly.
      await cluster.interrupt();
    }
    assert.ok(
      cluster.lines.some((l) => l.includes(`stopped; data kept in ${path.join(cloneDir, '.data/cluster')}`)),
      cluster.lines.join('\n'),
    );
  }

  it('starts and stops on its default data dir; .data/ stays reachable, only .data/keys is private', async () => {
    const clone = freshClone();
    try {
      await runCluster(clone.dir);
      const data = path.join(clone.dir, '.data');
      // Other accounts (PostgreSQL's) must be able to traverse .data; the keys in it stay the owner's.
      assert.equal(fs.statSync(data).mode & 0o001, 0o001, `.data is ${(fs.statSync(data).mode & 0o777).toString(8)}`);
      assert.equal(fs.statSync(path.join(data, 'keys')).mode & 0o777, 0o700);
      const pgData = path.join(data, 'cluster/postgres');
      assert.ok(fs.lstatSync(pgData).isDirectory(), 'PostgreSQL keeps its data in .data/cluster/postgres');
      assert.ok(fs.existsSync(path.join(pgData, 'PG_VERSION')));
    } finally {
      clone.remove();
    }
  });

  it('also starts from a clone inside a private directory (as /root is), resuming on a second run', async () => {
    const clone = freshClone(0o700);
    const pgData = path.join(clone.dir, '.data/cluster/postgres');
    try {
      await runCluster(clone.dir);
      // Root's `postgres` account cannot reach the clone: its data lives in its own home, linked from the clone.
      assert.equal(fs.lstatSync(pgData).isSymbolicLink(), asRoot);
      await runCluster(clone.dir);
      assert.ok(fs.existsSync(path.join(pgData, 'PG_VERSION')));
    } finally {
      const elsewhere = fs.lstatSync(pgData, { throwIfNoEntry: false })?.isSymbolicLink()
        ? path.dirname(fs.readlinkSync(pgData))
        : undefined;
      clone.remove();
      if (elsewhere) fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
