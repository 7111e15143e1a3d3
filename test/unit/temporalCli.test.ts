import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  matchesPinnedVersion,
  resolveTemporalCli,
  resolveTemporalCliStrict,
  temporalCliCacheDir,
  TemporalCliNotFoundError,
} from '../../tools/temporalCli';

// Real files: fake `temporal` scripts that print a version naming where they live.
async function fakeCli(dir: string, label: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'temporal');
  await writeFile(file, `#!/bin/sh\necho "temporal version 0.0.0-DEV (Server 1.29.1, UI 2.42.1) ${label}"\n`);
  await chmod(file, 0o755);
  return file;
}

describe('resolveTemporalCli route order', function () {
  if (process.platform === 'win32') return;

  let root: string;
  let envDir: string;
  let pathDir: string;
  let cacheDir: string;
  let emptyDir: string;
  const quiet = () => undefined;

  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'temporal-cli-test-'));
    envDir = path.join(root, 'env');
    pathDir = path.join(root, 'bin');
    cacheDir = path.join(root, 'cache');
    emptyDir = path.join(root, 'empty');
    await mkdir(emptyDir);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  // `/bin` so the fake scripts' `#!/bin/sh` still works when PATH holds no real `temporal` or `go`.
  const env = (extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
    HOME: root,
    PATH: [emptyDir, '/bin'].join(path.delimiter),
    TEMPORAL_CLI_CACHE_DIR: cacheDir,
    ...extra,
  });

  it('prefers TEMPORAL_CLI_PATH over PATH and cache', async () => {
    const fromEnv = await fakeCli(envDir, 'env');
    await fakeCli(pathDir, 'path');
    await fakeCli(cacheDir, 'cache');
    const r = await resolveTemporalCli({
      env: env({ TEMPORAL_CLI_PATH: fromEnv, PATH: `${pathDir}${path.delimiter}/bin` }),
      log: quiet,
    });
    assert.deepEqual([r.source, r.path], ['env', fromEnv]);
    assert.match(r.version ?? '', /env$/);
  });

  it('prefers PATH over cache', async () => {
    const onPath = await fakeCli(pathDir, 'path');
    await fakeCli(cacheDir, 'cache');
    const r = await resolveTemporalCli({ env: env({ PATH: `${pathDir}${path.delimiter}/bin` }), log: quiet });
    assert.deepEqual([r.source, r.path], ['path', onPath]);
  });

  it('falls back to the cache dir', async () => {
    const cached = await fakeCli(cacheDir, 'cache');
    const r = await resolveTemporalCli({ env: env({}), log: quiet });
    assert.deepEqual([r.source, r.path], ['cache', cached]);
  });

  it('derives the default cache dir from XDG_CACHE_HOME, then HOME', () => {
    assert.equal(
      temporalCliCacheDir({ XDG_CACHE_HOME: '/x', HOME: '/h' }),
      path.join('/x', 'starkbank-payouts', 'temporal-cli', 'v1.5.1'),
    );
    assert.equal(
      temporalCliCacheDir({ HOME: '/h' }),
      path.join('/h', '.cache', 'starkbank-payouts', 'temporal-cli', 'v1.5.1'),
    );
  });

  it('rejects a TEMPORAL_CLI_PATH that is not executable instead of silently using another binary', async () => {
    await fakeCli(pathDir, 'path');
    await assert.rejects(
      resolveTemporalCli({ env: env({ TEMPORAL_CLI_PATH: path.join(root, 'missing') }), log: quiet }),
      /TEMPORAL_CLI_PATH=.*missing is not an executable/,
    );
  });

  it('leaves it to the SDK download when nothing is found, and the strict variant lists every route', async () => {
    const r = await resolveTemporalCli({ env: env({}), goInstall: false, log: quiet });
    assert.equal(r.source, 'sdk-download');
    const error = await resolveTemporalCliStrict({ env: env({}), goInstall: false, log: quiet }).then(
      () => assert.fail('expected an error'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof TemporalCliNotFoundError);
    assert.match(error.message, /TEMPORAL_CLI_PATH: not set/);
    assert.match(error.message, /PATH: no temporal/);
    assert.match(error.message, /cache: no /);
    assert.match(error.message, /go install: disabled/);
    assert.match(error.message, /npm run temporal:cli/);
  });

  // A fake `go` that "builds" by writing a fake CLI into $GOBIN, checking it was asked for the pinned module.
  async function fakeGo(dir: string, behaviour: 'build' | 'fail'): Promise<void> {
    await mkdir(dir, { recursive: true });
    const body =
      behaviour === 'fail'
        ? 'echo "go: network unreachable" >&2; exit 1'
        : [
            '[ "$1" = install ] && [ "$2" = github.com/temporalio/cli/cmd/temporal@v1.5.1 ] || exit 3',
            'printf \'#!/bin/sh\\necho "temporal version 0.0.0-DEV (Server 1.29.1) built"\\n\' > "$GOBIN/temporal"',
            'chmod +x "$GOBIN/temporal"',
          ].join('\n');
    await writeFile(path.join(dir, 'go'), `#!/bin/sh\n${body}\n`);
    await chmod(path.join(dir, 'go'), 0o755);
  }

  it('builds into the cache dir with go install when nothing else is found, then reuses it', async () => {
    const goDir = path.join(root, 'go-bin');
    await fakeGo(goDir, 'build');
    const e = env({ PATH: [goDir, '/bin'].join(path.delimiter) });
    const built = await resolveTemporalCli({ env: e, log: quiet });
    assert.deepEqual([built.source, built.path], ['go-install', path.join(cacheDir, 'temporal')]);
    assert.match(built.version ?? '', /built$/);
    const again = await resolveTemporalCli({ env: e, log: quiet });
    assert.deepEqual([again.source, again.path], ['cache', path.join(cacheDir, 'temporal')]);
  });

  it('reports a failed go install and leaves no partial binary behind', async () => {
    const goDir = path.join(root, 'go-bin');
    await fakeGo(goDir, 'fail');
    const e = env({ PATH: [goDir, '/bin'].join(path.delimiter) });
    assert.equal((await resolveTemporalCli({ env: e, log: quiet })).source, 'sdk-download');
    await assert.rejects(resolveTemporalCliStrict({ env: e, log: quiet }), /go install: failed .*network unreachable/s);
    assert.deepEqual(await readdir(cacheDir), []);
  });

  it('recognises the pinned build by CLI or embedded server version', () => {
    assert.ok(matchesPinnedVersion('temporal version 1.5.1 (Server 1.29.1, UI 2.42.1)'));
    assert.ok(matchesPinnedVersion('temporal version 0.0.0-DEV (Server 1.29.1, UI 2.42.1)'));
    assert.ok(!matchesPinnedVersion('temporal version 1.4.0 (Server 1.28.0, UI 2.40.0)'));
  });
});
