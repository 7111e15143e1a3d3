import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { msToNumber } from '@temporalio/common/lib/time';
import { CONFIG_VARIABLES, loadConfig, settingDefault } from '../../src/config';
import { readEmulatorEnv, emulatorEnvSchema } from '../../emulator/env';
import { WEBHOOK_PATH } from '../../src/webhook/app';
import { schemaSteps, SQL_PLUGIN, type SchemaStep } from '../../tools/cluster/schema';
import { TEMPORAL_SERVER_VERSION, TEMPORAL_UI_VERSION } from '../../tools/cluster/binaries';
import { DEFAULT_HISTORY_SHARDS } from '../../tools/cluster/server';
import { productDynamicConfigEntries } from '../../tools/cluster/serverConfig';
import { renderUiConfig } from '../../tools/cluster/webUi';
import { generatePayloadKey } from '../../src/temporal/payloadCodec';

/**
 * Static checks of docker-compose.yml and the Dockerfile against the code they run and the local cluster they
 * mirror (Docker cannot run here). Every check is also run against a deliberately broken copy of the file, so none
 * of them passes vacuously.
 */

const ROOT = path.resolve(__dirname, '../..');
const ALLOWED_EXTRA_VARIABLES = ['LOG_LEVEL', 'WORKFLOW_BUNDLE_PATH', 'NODE_ENV', 'SERVICE_NAME'];
/** App-image services that run a shell one-liner instead of a product entry point. */
const SHELL_SERVICES = ['keys'];
const TEMPORAL_GRPC_PORT = 7233;
const SERVER = 'temporal';
const SCHEMA_JOB = 'temporal-schema';
const WEB_UI = 'temporal-ui';
/** Where the admin-tools image keeps the server's SQL schemas (its Dockerfile copies `schema/` there). */
const ADMIN_TOOLS_SCHEMA_DIR = '/etc/temporal/schema';
const DEFAULT_DYNAMIC_CONFIG_FILE = '/etc/temporal/config/dynamicconfig/docker.yaml';
/** How long Docker waits after SIGTERM before SIGKILL when a service sets no stop_grace_period. */
const DOCKER_STOP_GRACE_MS = 10_000;

interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean>;
  ports?: (string | number)[];
  volumes?: string[];
  container_name?: string;
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test?: string | string[] };
  restart?: string;
  stop_grace_period?: string;
  logging?: { driver?: string; options?: Record<string, string | number> };
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

/** The variables the test runs compose with, instead of the caller's shell: the codec server on. */
const COMPOSE_VARIABLES: Record<string, string> = { CODEC_TOKEN: 'compose-test-codec-token-0123' };

/** Compose interpolation (`${VAR}`, `${VAR:-default}`, `${VAR:+alternative}`), innermost first. */
function interpolate(text: string): string {
  const value = (name: string) => COMPOSE_VARIABLES[name] ?? '';
  let previous: string;
  do {
    previous = text;
    text = text.replace(/\$\{(\w+)(?:(:-|:\+)([^${}]*))?\}/g, (_m, name: string, op?: string, word?: string) => {
      if (op === ':-') return value(name) || (word ?? '');
      if (op === ':+') return value(name) ? (word ?? '') : '';
      return value(name);
    });
  } while (text !== previous);
  return text;
}

function loadCompose(): Compose {
  const text = fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
  return parse(interpolate(text), { merge: true }) as Compose;
}

function service(c: Compose, name: string): Service {
  const s = c.services[name];
  assert.ok(s, `service ${name} is missing`);
  return s;
}

function env(s: Service): Record<string, string> {
  return Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, String(v)]));
}

function commandText(s: Service): string {
  return [s.entrypoint ?? [], s.command ?? []].flat().join(' ');
}

/** The Dockerfile target a service builds (the default, last stage when none is named). */
function buildTarget(s: Service): string | undefined {
  return typeof s.build === 'object' && s.build !== null ? (s.build as { target?: string }).target : undefined;
}

/** The files `ops keys create --out <dir>` writes, as a shell one-liner runs it. */
function keysWrittenBy(script: string): string[] {
  return [...script.matchAll(/ops\.js keys create --out (\S+)/g)].flatMap((m) =>
    ['private-key.pem', 'public-key.pem'].map((file) => path.posix.join(m[1]!, file)),
  );
}

function appServices(c: Compose): [string, Service][] {
  return Object.entries(c.services).filter(([, s]) => s.build !== undefined);
}

/** Services running the product itself (a Node entry point of this repo), i.e. the ones reading its config. */
function productServices(c: Compose): [string, Service][] {
  return appServices(c).filter(([name]) => !SHELL_SERVICES.includes(name));
}

function hostPort(address: string): { host: string; port: number } {
  const m = /^([^:/]+):(\d+)$/.exec(address);
  assert.ok(m, `${address} is not host:port`);
  return { host: m[1]!, port: Number(m[2]) };
}

/** Each `ports` entry: the host interface and port it binds, when given, and the container port. */
function portMappings(s: Service): { ip?: string; host?: number; container: number; fixedHost: boolean }[] {
  return (s.ports ?? []).map((p) => {
    const parts = String(p).split('/')[0]!.split(':');
    const container = Number(parts.pop());
    const host = parts.pop() || undefined;
    return {
      ip: parts.pop(),
      host: host === undefined ? undefined : Number(host),
      container,
      fixedHost: host !== undefined,
    };
  });
}

/** Which named volume, and which path inside it, an absolute path in a service's container is. */
function inVolume(s: Service, file: string): { volume: string; rel: string } {
  for (const spec of s.volumes ?? []) {
    const [source, target] = spec.split(':');
    if (source && target && (file === target || file.startsWith(`${target}/`))) {
      return { volume: source, rel: path.posix.relative(target, file) };
    }
  }
  assert.fail(`${file} is on no volume of the service`);
}

function pathIn(s: Service, volume: string, rel: string): string {
  const spec = (s.volumes ?? []).find((v) => v.split(':')[0] === volume);
  assert.ok(spec, `the service does not mount volume ${volume}`);
  return path.posix.join(spec.split(':')[1]!, rel);
}

/** The repo file a bind mount puts at an absolute path in a service's container. */
function boundFile(s: Service, file: string): string {
  assert.ok(path.posix.isAbsolute(file), `${file} is not absolute`);
  const spec = (s.volumes ?? []).find((v) => {
    const target = v.split(':')[1];
    return target !== undefined && (file === target || file.startsWith(`${target}/`));
  });
  assert.ok(spec, `${file} is on no volume of the service`);
  const [source, target] = spec.split(':') as [string, string];
  assert.ok(/^[./]/.test(source), `${file} is on the named volume ${source}, not a file of the repo`);
  return path.resolve(ROOT, source, path.posix.relative(target, file));
}

/** The schema job's temporal-sql-tool runs, spelled as the cluster's steps; anything else in its script fails. */
function sqlToolRuns(s: Service): SchemaStep[] {
  const [shell, flags, script, ...rest] = [s.entrypoint ?? [], s.command ?? []].flat();
  assert.equal(shell, 'sh', 'the schema job should run a sh script');
  assert.match(flags ?? '', /^-\w*e\w*c$/, 'the script must stop at the first failing step (sh -e … -c)');
  assert.equal(rest.length, 0, 'the script should be one argument');
  return (script ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [tool, flag, database, ...command] = line.split(/\s+/);
      assert.equal(tool, 'temporal-sql-tool', `not a temporal-sql-tool run: ${line}`);
      assert.equal(flag, '--db', `--db does not come first: ${line}`);
      return { database: database!, command };
    });
}

/** The server's settings, with its image's defaults (docker-builds' server.md) for what the file leaves unset. */
function serverEnv(s: Service): Record<string, string> {
  return {
    DBNAME: 'temporal',
    VISIBILITY_DBNAME: 'temporal_visibility',
    DYNAMIC_CONFIG_FILE_PATH: DEFAULT_DYNAMIC_CONFIG_FILE,
    ...env(s),
  };
}

/** A compose duration (`1m30s`, `90s`, `500ms`) in milliseconds. */
function durationMs(value: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  assert.ok(parts.length > 0 && parts.map((p) => p[0]).join('') === value, `${value} is not a duration`);
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * units[unit!]!, 0);
}

type Dependencies = Record<string, { condition?: string }>;
const dependencies = (s: Service): Dependencies => (Array.isArray(s.depends_on) ? {} : (s.depends_on ?? {}));

function emulatorProjects(value: string): [string, string][] {
  return value.split(',').map((pair) => pair.split('=').map((s) => s.trim()) as [string, string]);
}

let tempDir: string;
function scratchDir(): string {
  tempDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'compose-test-'));
  return tempDir;
}

function testFiles(): { privateKey: string; publicKey: string; ca: string; payloadKeys: string } {
  const keyDir = scratchDir();
  const privateKey = path.join(keyDir, 'private-key.pem');
  const publicKey = path.join(keyDir, 'public-key.pem');
  const ca = path.join(keyDir, 'ca.pem');
  const payloadKeys = path.join(keyDir, 'payload-keys');
  if (!fs.existsSync(privateKey)) {
    fs.writeFileSync(payloadKeys, `${generatePayloadKey()}\n`);
    const pair = crypto.generateKeyPairSync('ec', {
      namedCurve: 'secp256k1',
      privateKeyEncoding: { type: 'sec1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    fs.writeFileSync(privateKey, pair.privateKey);
    fs.writeFileSync(publicKey, pair.publicKey);
    fs.writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nplaceholder\n-----END CERTIFICATE-----\n');
  }
  return { privateKey, publicKey, ca, payloadKeys };
}

/** A service's environment with the key and CA files it names replaced by test files, for loadConfig. */
function withTestFiles(e: Record<string, string>): Record<string, string> {
  const files = testFiles();
  return {
    ...e,
    ...(e.STARK_PRIVATE_KEY_FILE && { STARK_PRIVATE_KEY_FILE: files.privateKey }),
    ...(e.STARK_EMULATOR_CA_FILE && { STARK_EMULATOR_CA_FILE: files.ca }),
    ...(e.PAYLOAD_KEYS_FILE && { PAYLOAD_KEYS_FILE: files.payloadKeys }),
  };
}

const checks: Record<string, (c: Compose) => void> = {
  'the product image is built once for the product services; the emulator runs an image of its own'(c) {
    const product = ['keys', 'worker', 'webhook', 'setup'].map((name) => service(c, name));
    const images = new Set(product.map((s) => s.image));
    assert.equal(images.size, 1, 'every product service should tag the same image');
    assert.ok(
      product.every((s) => buildTarget(s) === 'runtime'),
      'product services build the runtime target',
    );
    const emulator = service(c, 'emulator');
    assert.equal(buildTarget(emulator), 'emulator', 'the emulator builds its own target');
    assert.ok(emulator.image && !images.has(emulator.image), 'the emulator tags an image of its own');
    for (const [name, s] of Object.entries(c.services)) {
      if (s.build !== undefined) continue;
      assert.ok(!images.has(s.image) && s.image !== emulator.image, `${name} uses a built image without build`);
    }
  },

  'every app service runs a real entry point of the repo'(c) {
    for (const [name, s] of appServices(c)) {
      assert.ok(Array.isArray(s.command), `${name}: command should be an exec-form list`);
      if (SHELL_SERVICES.includes(name)) {
        assert.deepEqual(s.command.slice(0, 2), ['sh', '-c'], `${name}: expected a sh -c one-liner`);
        continue;
      }
      assert.equal(s.command[0], 'node', `${name}: expected node [node flags] <compiled entry>`);
      const entry = s.command.slice(1).find((arg) => !arg.startsWith('--'));
      // tsconfig.build.json compiles src/ and emulator/ to lib/ (rootDir "."): lib/src/x.js comes from src/x.ts.
      const m = /^lib\/((?:src|emulator)\/.+)\.js$/.exec(entry ?? '');
      assert.ok(m, `${name}: ${entry} is not a compiled file under lib/src/ or lib/emulator/`);
      assert.ok(fs.existsSync(path.join(ROOT, `${m[1]}.ts`)), `${name}: ${m[1]}.ts does not exist`);
    }
  },

  'app services set only variables the code reads'(c) {
    const known = new Set([...CONFIG_VARIABLES, ...Object.keys(emulatorEnvSchema.shape), ...ALLOWED_EXTRA_VARIABLES]);
    for (const [name, s] of appServices(c)) {
      for (const key of Object.keys(env(s))) {
        assert.ok(known.has(key) || key.startsWith('TEMPORAL_'), `${name}: ${key} is read by nothing`);
      }
    }
  },

  "the config schema accepts the product services' environments"(c) {
    const files = testFiles();
    for (const [name, s] of productServices(c)) {
      const e = env(s);
      if (name === 'emulator') {
        const projects = emulatorProjects(e.EMULATOR_PROJECTS ?? '')
          .map(([id]) => `${id}=${files.publicKey}`)
          .join(',');
        const emulator = readEmulatorEnv({ ...e, EMULATOR_PROJECTS: projects });
        assert.ok(Object.keys(emulator.options.projects ?? {}).length > 0, 'emulator: no project registered');
        continue;
      }
      assert.doesNotThrow(() => loadConfig(withTestFiles(e)), `${name}: configuration rejected`);
    }
  },

  'the key pair, CA and project id flow between keys, emulator and the app services'(c) {
    const keys = service(c, 'keys');
    const emulator = service(c, 'emulator');
    const emulatorEnv = env(emulator);
    const script = commandText(keys);
    const projects = emulatorProjects(emulatorEnv.EMULATOR_PROJECTS ?? '');
    const written = keysWrittenBy(script);
    for (const [, publicKeyFile] of projects) {
      const where = inVolume(emulator, publicKeyFile);
      assert.ok(written.includes(pathIn(keys, where.volume, where.rel)), 'keys does not write the public key');
    }
    for (const [name, s] of productServices(c).filter(([n]) => n !== 'emulator')) {
      const e = env(s);
      assert.ok(e.STARK_PRIVATE_KEY_FILE, `${name}: STARK_PRIVATE_KEY_FILE is not set`);
      const key = inVolume(s, e.STARK_PRIVATE_KEY_FILE);
      assert.ok(written.includes(pathIn(keys, key.volume, key.rel)), `${name}: keys writes another key`);
      assert.ok(
        projects.some(([id]) => id === e.STARK_PROJECT_ID),
        `${name}: project ${e.STARK_PROJECT_ID} is not registered with the emulator`,
      );
      if (e.STARK_WORKSPACE_ID) assert.equal(e.STARK_WORKSPACE_ID, emulatorEnv.EMULATOR_WORKSPACE_ID, name);
      assert.ok(e.STARK_EMULATOR_CA_FILE, `${name}: STARK_EMULATOR_CA_FILE is not set`);
      const ca = inVolume(s, e.STARK_EMULATOR_CA_FILE);
      assert.equal(
        pathIn(emulator, ca.volume, ca.rel),
        path.posix.join(emulatorEnv.EMULATOR_DATA_DIR ?? '', 'ca.pem'),
        `${name}: STARK_EMULATOR_CA_FILE is not the ca.pem the emulator writes`,
      );
    }
  },

  'the app services reach the emulator by service name, on an interface other containers can use'(c) {
    const emulatorEnv = env(service(c, 'emulator'));
    assert.equal(emulatorEnv.EMULATOR_HOST, '0.0.0.0');
    for (const [name, s] of productServices(c).filter(([n]) => n !== 'emulator')) {
      const { host, port } = hostPort(env(s).STARK_EMULATOR_ADDRESS ?? '');
      assert.equal(host, 'emulator', name);
      assert.equal(port, Number(emulatorEnv.EMULATOR_PORT), `${name}: not the emulator's EMULATOR_PORT`);
    }
  },

  'every product service encrypts with the payload keys the keys job makes once'(c) {
    const keys = service(c, 'keys');
    const script = commandText(keys);
    for (const [name, s] of productServices(c).filter(([n]) => n !== 'emulator')) {
      const file = env(s).PAYLOAD_KEYS_FILE;
      assert.ok(file, `${name}: PAYLOAD_KEYS_FILE is not set`);
      assert.equal(env(s).PAYLOAD_KEYS, undefined, `${name}: a key in the compose file`);
      const where = inVolume(s, file);
      const inKeys = pathIn(keys, where.volume, where.rel);
      assert.ok(
        script.includes(`[ -s ${inKeys} ] || node lib/src/ops.js keys payload --file ${inKeys}`),
        `${name}: the keys job does not make ${inKeys} once`,
      );
    }
  },

  "the Web UI decodes payloads through the webhook's codec server, reachable from its page"(c) {
    const webhook = env(service(c, 'webhook'));
    const ui = env(service(c, WEB_UI));
    const codec = loadConfig(withTestFiles(webhook)).codec;
    assert.ok(codec, 'the webhook serves no codec with CODEC_TOKEN set');
    assert.equal(codec.host, '0.0.0.0', 'the codec server is unreachable from outside its container');
    // Never the admin port: whatever scrapes /metrics must not reach the codec.
    assert.notEqual(codec.port, Number(webhook.ADMIN_PORT ?? settingDefault('ADMIN_PORT')), 'codec on the admin port');
    const published = portMappings(service(c, 'webhook')).find((p) => p.container === codec.port);
    assert.ok(published?.host, 'the codec port is not published: the browser cannot reach the codec server');
    const uiToken = codec.tokens.find((t) => t.id === 'web-ui')?.token;
    assert.equal(ui.TEMPORAL_CODEC_ENDPOINT, `http://localhost:${published.host}/codec/${uiToken}`);
    const uiOrigins = (ui.TEMPORAL_CORS_ORIGINS ?? '').split(',');
    assert.deepEqual([...codec.allowedOrigins].sort(), uiOrigins.sort(), 'the codec server refuses the UI page');
  },

  'the webhook publishes, probes and registers its own WEBHOOK_PORT'(c) {
    const webhook = service(c, 'webhook');
    const port = Number(env(webhook).WEBHOOK_PORT);
    assert.ok(port > 0, 'WEBHOOK_PORT is not set on the webhook');
    assert.ok(
      portMappings(webhook).some((p) => p.container === port),
      'WEBHOOK_PORT is not published',
    );
    assert.ok(commandText({ command: webhook.healthcheck?.test }).includes(`:${port}/healthz`), 'healthcheck port');
    assert.equal(env(service(c, 'setup')).WEBHOOK_PUBLIC_URL, `http://webhook:${port}${WEBHOOK_PATH}`);
  },

  // Demo credentials and an unauthenticated Temporal: nothing may listen beyond this machine.
  'every published port is bound to 127.0.0.1'(c) {
    for (const [name, s] of Object.entries(c.services)) {
      for (const port of s.ports ?? []) {
        assert.equal(typeof port, 'string', `${name}: ${String(port)} should be "127.0.0.1:host:container"`);
        const [mapping] = portMappings({ ports: [port] });
        assert.equal(mapping?.ip, '127.0.0.1', `${name}: ${port} is reachable from other machines`);
      }
    }
  },

  "the worker's stop grace period outlasts its shutdown, whose grace lets a Stark Bank call finish"(c) {
    const worker = service(c, 'worker');
    assert.ok(worker.stop_grace_period, 'no stop_grace_period: Docker kills the worker 10 s after SIGTERM');
    const graceMs = durationMs(worker.stop_grace_period);
    const config = loadConfig(withTestFiles(env(worker)));
    const graceTimeMs = msToNumber(config.worker.shutdownGraceTime);
    // The force time counts from SIGTERM, as the grace does: the worker has exited by then.
    const shutdownMs = msToNumber(config.worker.shutdownForceTime);
    assert.ok(shutdownMs > graceTimeMs, 'the worker gives up before its activities had their grace');
    assert.ok(graceMs > DOCKER_STOP_GRACE_MS, `${worker.stop_grace_period} is no longer than Docker's default`);
    assert.ok(
      graceTimeMs >= config.stark.httpTimeoutMs,
      'a Stark Bank call in flight at SIGTERM may not finish within the shutdown grace',
    );
    assert.ok(
      graceMs > shutdownMs,
      `${worker.stop_grace_period} kills the worker before its ${shutdownMs} ms shutdown`,
    );
  },

  "the webhook's stop grace period outlasts its drain"(c) {
    const webhook = service(c, 'webhook');
    assert.ok(webhook.stop_grace_period, 'no stop_grace_period: Docker kills the webhook 10 s after SIGTERM');
    const { drainTime } = loadConfig(withTestFiles(env(webhook))).webhook;
    // After the drain, in-flight requests finish: each one is a few Temporal calls of at most 10 s.
    assert.ok(durationMs(webhook.stop_grace_period) >= msToNumber(drainTime) + 10_000);
  },

  'the worker can be scaled'(c) {
    const worker = service(c, 'worker');
    assert.equal(worker.container_name, undefined, 'a container_name allows one replica only');
    assert.ok(!portMappings(worker).some((p) => p.fixedHost), 'a fixed host port allows one replica only');
  },

  'Temporal is the plain server: no auto-setup image, no namespace or search attribute made by hand'(c) {
    for (const [name, s] of Object.entries(c.services)) {
      assert.doesNotMatch(s.image ?? '', /^temporalio\/auto-setup:/, `${name}: auto-setup is deprecated`);
      assert.doesNotMatch(
        commandText(s),
        /search-attribute create|namespace (create|register)/,
        `${name}: setup's job`,
      );
    }
    assert.match(service(c, SERVER).image ?? '', /^temporalio\/server:/);
    assert.deepEqual(service(c, 'setup').command, ['node', 'lib/src/setup.js'], 'setup runs the product setup');
  },

  "the schema job runs the local cluster's schema steps, in order, stopping at the first failure"(c) {
    const job = service(c, SCHEMA_JOB);
    assert.match(job.image ?? '', /^temporalio\/admin-tools:/);
    assert.deepEqual(sqlToolRuns(job), schemaSteps(ADMIN_TOOLS_SCHEMA_DIR, path.posix));
  },

  'the schema job prepares the databases the server uses'(c) {
    const job = env(service(c, SCHEMA_JOB));
    const server = serverEnv(service(c, SERVER));
    assert.equal(job.SQL_PLUGIN, SQL_PLUGIN, 'the schema job uses another temporal-sql-tool plugin');
    assert.equal(server.DB, SQL_PLUGIN, 'the server uses another persistence plugin');
    const postgres = env(service(c, job.SQL_HOST ?? ''));
    assert.deepEqual(
      [postgres.POSTGRES_USER, postgres.POSTGRES_PASSWORD],
      [job.SQL_USER, job.SQL_PASSWORD],
      'the schema job logs in as another PostgreSQL user',
    );
    assert.deepEqual(
      [server.POSTGRES_SEEDS, server.DB_PORT, server.POSTGRES_USER, server.POSTGRES_PWD],
      [job.SQL_HOST, job.SQL_PORT, job.SQL_USER, job.SQL_PASSWORD],
      'the server connects elsewhere than the schema job',
    );
    const prepared = new Set(sqlToolRuns(service(c, SCHEMA_JOB)).map((step) => step.database));
    assert.deepEqual([...prepared].sort(), [server.DBNAME, server.VISIBILITY_DBNAME].sort());
  },

  "the server keeps the local cluster's default history shard count"(c) {
    assert.equal(env(service(c, SERVER)).NUM_HISTORY_SHARDS, String(DEFAULT_HISTORY_SHARDS));
  },

  "the server runs on the product's dynamic config, from a file of the repo"(c) {
    const server = service(c, SERVER);
    const file = boundFile(server, serverEnv(server).DYNAMIC_CONFIG_FILE_PATH ?? '');
    assert.ok(fs.existsSync(file), `${path.relative(ROOT, file)} does not exist`);
    assert.deepEqual(parse(fs.readFileSync(file, 'utf8')), productDynamicConfigEntries());
  },

  'Temporal starts in order: schema job, server, then setup, then the worker'(c) {
    const after = (name: string, target: string) => dependencies(service(c, name))[target]?.condition;
    assert.equal(after(SCHEMA_JOB, 'postgresql'), 'service_healthy', 'the schema job needs PostgreSQL up');
    assert.equal(after(SERVER, SCHEMA_JOB), 'service_completed_successfully', 'the server needs the schemas');
    for (const name of ['setup', 'webhook', WEB_UI]) {
      assert.equal(after(name, SERVER), 'service_healthy', `${name} needs a serving frontend`);
    }
    assert.equal(after('worker', 'setup'), 'service_completed_successfully', 'the worker needs the namespace');
  },

  "Temporal's images are the versions the local cluster runs"(c) {
    const tag = (name: string) => (service(c, name).image ?? '').split(':')[1] ?? '';
    const server = TEMPORAL_SERVER_VERSION.replace(/^v/, '');
    assert.equal(tag(SERVER), server, 'the server');
    // admin-tools tags name the server version first, then the CLIs they ship: 1.29.1-tctl-…-cli-….
    assert.ok(
      [server, `${server}-`].some((t) => tag(SCHEMA_JOB).startsWith(t)),
      'admin-tools of another server',
    );
    assert.equal(tag(WEB_UI), TEMPORAL_UI_VERSION.replace(/^v/, ''), 'the Web UI');
  },

  'the Web UI accepts the origins the local cluster accepts, on its published port'(c) {
    const ui = service(c, WEB_UI);
    const [published, ...more] = portMappings(ui);
    assert.ok(published?.host && more.length === 0, 'the Web UI should publish one fixed port');
    const cluster = parse(
      renderUiConfig({ frontendAddress: env(ui).TEMPORAL_ADDRESS ?? '', port: published.host, namespace: 'default' }),
    ) as { cors: { allowOrigins: string[] } };
    assert.deepEqual((env(ui).TEMPORAL_CORS_ORIGINS ?? '').split(',').sort(), cluster.cors.allowOrigins.sort());
  },

  "every Temporal client points at the temporal service's gRPC port"(c) {
    const clients = [...productServices(c).filter(([n]) => n !== 'emulator'), [WEB_UI, service(c, WEB_UI)] as const];
    const namespaces = new Set<string>();
    for (const [name, s] of clients) {
      const e = env(s);
      const { host, port } = hostPort(e.TEMPORAL_ADDRESS ?? '');
      assert.match(service(c, host).image ?? '', /^temporalio\/server:/, `${name}: ${host}`);
      assert.equal(port, TEMPORAL_GRPC_PORT, `${name}: not the frontend gRPC port`);
      namespaces.add(e.TEMPORAL_NAMESPACE ?? e.TEMPORAL_DEFAULT_NAMESPACE ?? 'default');
    }
    assert.equal(namespaces.size, 1, 'the services use different namespaces');
  },

  'Prometheus scrapes the ports the services serve metrics on, and one process counts payouts'(c) {
    const promConfig = parse(fs.readFileSync(path.join(ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: {
        job_name: string;
        dns_sd_configs?: { names: string[]; port: number }[];
        static_configs?: { targets: string[] }[];
      }[];
    };
    const targets = promConfig.scrape_configs.flatMap((job) => [
      ...(job.dns_sd_configs ?? []).flatMap((d) => d.names.map((n) => `${n}:${d.port}`)),
      ...(job.static_configs ?? []).flatMap((st) => st.targets),
    ]);
    const adminPort = (e: Record<string, string>) => e.ADMIN_PORT ?? String(settingDefault('ADMIN_PORT'));
    const worker = env(service(c, 'worker'));
    const webhook = env(service(c, 'webhook'));
    assert.equal(worker.ADMIN_HOST, '0.0.0.0', 'the worker admin port is unreachable from Prometheus');
    assert.ok(targets.includes(`worker:${adminPort(worker)}`), 'the worker admin port is not scraped');
    const sdk = worker.SDK_METRICS_ADDRESS ?? '';
    assert.ok(sdk.startsWith('0.0.0.0:'), 'SDK metrics are off or unreachable');
    assert.ok(targets.includes(`worker:${sdk.split(':')[1]}`), 'SDK metrics are not scraped');
    assert.ok(targets.includes(`webhook:${adminPort(webhook)}`), 'the webhook admin port is not scraped');
    const serverMetrics = serverEnv(service(c, SERVER)).PROMETHEUS_ENDPOINT ?? '';
    assert.ok(serverMetrics.startsWith('0.0.0.0:'), "the Temporal server's metrics are off or unreachable");
    const temporalJob = promConfig.scrape_configs.find((job) => job.job_name === 'temporal');
    assert.deepEqual(
      temporalJob?.static_configs?.flatMap((st) => st.targets),
      [`${SERVER}:${serverMetrics.split(':')[1]}`],
      "the Temporal server's metrics are not scraped as job temporal (the engine alerts read it)",
    );
    const counting = productServices(c).filter(([, s]) => env(s).PAYOUT_GAUGES === 'true');
    assert.deepEqual(
      counting.map(([name]) => name),
      ['webhook'],
      'exactly one single-replica process serves the payout gauges',
    );
    const prometheus = service(c, 'prometheus');
    assert.ok(
      (prometheus.volumes ?? []).includes('./deploy/prometheus:/etc/prometheus:ro'),
      'Prometheus runs another config than deploy/prometheus',
    );
    for (const file of promConfig.rule_files) assert.ok(fs.existsSync(path.join(ROOT, 'deploy/prometheus', file)));
  },

  'start-up order is expressed with conditions that can be met'(c) {
    for (const [name, s] of Object.entries(c.services)) {
      assert.ok(!Array.isArray(s.depends_on), `${name}: depends_on without conditions`);
      for (const [target, { condition }] of Object.entries(s.depends_on ?? {})) {
        const t = service(c, target);
        if (condition === 'service_healthy') assert.ok(t.healthcheck, `${name}: ${target} has no healthcheck`);
        else if (condition === 'service_completed_successfully') {
          assert.match(t.restart ?? 'no', /^(no|on-failure(:\d+)?)$/, `${name}: ${target} never completes`);
        } else assert.equal(condition, 'service_started', `${name}: condition on ${target}`);
      }
    }
    const deps = (name: string) => dependencies(service(c, name));
    for (const name of ['worker', 'webhook', 'setup']) {
      assert.equal(deps(name).emulator?.condition, 'service_healthy', name);
    }
    assert.equal(deps('setup').webhook?.condition, 'service_healthy', 'setup registers a webhook that is up');
    assert.equal(deps('emulator').keys?.condition, 'service_completed_successfully', 'emulator needs the public key');
  },

  'every service restarts after a failure, a bounded number of times'(c) {
    for (const [name, s] of Object.entries(c.services)) {
      assert.match(s.restart ?? '', /^on-failure:[1-9]\d*$/, `${name}: restart`);
    }
  },

  'every service rotates its logs'(c) {
    for (const [name, s] of Object.entries(c.services)) {
      assert.equal(s.logging?.driver, 'json-file', `${name}: logging driver`);
      assert.match(String(s.logging?.options?.['max-size'] ?? ''), /^\d+[km]$/, `${name}: max-size`);
      assert.ok(Number(s.logging?.options?.['max-file']) >= 2, `${name}: max-file`);
    }
  },

  'every long-running process of the app has a health check that runs a file of the repo'(c) {
    for (const name of ['worker', 'webhook', 'emulator']) {
      const test = service(c, name).healthcheck?.test;
      assert.ok(Array.isArray(test) && test[0] === 'CMD', `${name}: no exec-form health check`);
      const entry = test.find((arg) => /^lib\/.+\.js$/.test(arg));
      if (entry) assert.ok(fs.existsSync(path.join(ROOT, entry.replace(/^lib\/(.+)\.js$/, '$1.ts'))), entry);
    }
  },
};

/** One mistake per check; each must make its check fail. */
const mistakes: Record<keyof typeof checks, (c: Compose) => void> = {
  'the product image is built once for the product services; the emulator runs an image of its own': (c) =>
    (c.services.emulator!.build = { context: '.', target: 'runtime' }),
  'every app service runs a real entry point of the repo': (c) =>
    (c.services.webhook!.command = ['node', 'lib/src/hook.js']),
  'app services set only variables the code reads': (c) => (c.services.worker!.environment!.STARK_PROJECT = '1'),
  "the config schema accepts the product services' environments": (c) =>
    (c.services.setup!.environment = { ...c.services.setup!.environment, ISSUANCE_INTERVAL: 'every 3 hours' }),
  'the key pair, CA and project id flow between keys, emulator and the app services': (c) =>
    (c.services.worker!.environment = { ...c.services.worker!.environment, STARK_PRIVATE_KEY_FILE: '/keys/key.pem' }),
  'the app services reach the emulator by service name, on an interface other containers can use': (c) =>
    (c.services.emulator!.environment = { ...c.services.emulator!.environment, EMULATOR_PORT: '9443' }),
  'the webhook publishes, probes and registers its own WEBHOOK_PORT': (c) =>
    (c.services.webhook!.ports = ['3000:3001']),
  'every published port is bound to 127.0.0.1': (c) => (c.services.webhook!.ports = ['3000:3000']),
  'every product service encrypts with the payload keys the keys job makes once': (c) =>
    (c.services.keys!.command = commandText(c.services.keys!).replace(/\[ -s \/keys\/payload-keys \] \|\| /, '')),
  "the Web UI decodes payloads through the webhook's codec server, reachable from its page": (c) =>
    (c.services.webhook!.ports = ['127.0.0.1:3000:3000']),
  "the worker's stop grace period outlasts its shutdown, whose grace lets a Stark Bank call finish": (c) =>
    (c.services.worker!.environment = { ...c.services.worker!.environment, WORKER_SHUTDOWN_GRACE_TIME: '1m' }),
  "the webhook's stop grace period outlasts its drain": (c) =>
    (c.services.webhook!.environment = { ...c.services.webhook!.environment, WEBHOOK_DRAIN_TIME: '30s' }),
  'the worker can be scaled': (c) => (c.services.worker!.container_name = 'worker'),
  'Temporal is the plain server: no auto-setup image, no namespace or search attribute made by hand': (c) =>
    (c.services[SERVER]!.image = 'temporalio/auto-setup:1.29.1'),
  "the schema job runs the local cluster's schema steps, in order, stopping at the first failure": (c) =>
    (c.services[SCHEMA_JOB]!.command = [
      commandText({ command: c.services[SCHEMA_JOB]!.command })
        .split('\n')
        .filter((line) => !line.includes('temporal_visibility update-schema'))
        .join('\n'),
    ]),
  'the schema job prepares the databases the server uses': (c) =>
    (c.services[SERVER]!.environment = { ...c.services[SERVER]!.environment, VISIBILITY_DBNAME: 'visibility' }),
  "the server keeps the local cluster's default history shard count": (c) =>
    (c.services[SERVER]!.environment = { ...c.services[SERVER]!.environment, NUM_HISTORY_SHARDS: '8' }),
  "the server runs on the product's dynamic config, from a file of the repo": (c) => {
    // A copy of the file that lacks one of the product's values, mounted in its place.
    const [dropped] = Object.keys(productDynamicConfigEntries());
    const { [dropped!]: _dropped, ...rest } = productDynamicConfigEntries();
    const dir = fs.mkdtempSync(path.join(scratchDir(), 'dynamicconfig-'));
    const file = serverEnv(c.services[SERVER]!).DYNAMIC_CONFIG_FILE_PATH ?? '';
    fs.writeFileSync(path.join(dir, path.posix.basename(file)), stringify(rest));
    c.services[SERVER]!.volumes = [`${dir}:${path.posix.dirname(file)}:ro`];
  },
  'Temporal starts in order: schema job, server, then setup, then the worker': (c) =>
    ((c.services[SERVER]!.depends_on as Dependencies)[SCHEMA_JOB] = { condition: 'service_started' }),
  "Temporal's images are the versions the local cluster runs": (c) =>
    (c.services[WEB_UI]!.image = 'temporalio/ui:2.34.0'),
  'the Web UI accepts the origins the local cluster accepts, on its published port': (c) =>
    (c.services[WEB_UI]!.ports = ['8081:8080']),
  "every Temporal client points at the temporal service's gRPC port": (c) =>
    (c.services.webhook!.environment = { ...c.services.webhook!.environment, TEMPORAL_ADDRESS: 'temporal:8233' }),
  'start-up order is expressed with conditions that can be met': (c) => delete c.services.emulator!.healthcheck,
  'Prometheus scrapes the ports the services serve metrics on, and one process counts payouts': (c) =>
    (c.services.worker!.environment = { ...c.services.worker!.environment, PAYOUT_GAUGES: 'true' }),
  'every service restarts after a failure, a bounded number of times': (c) =>
    (c.services[SERVER]!.restart = 'unless-stopped'),
  'every service rotates its logs': (c) => delete c.services.prometheus!.logging,
  'every long-running process of the app has a health check that runs a file of the repo': (c) =>
    delete c.services.worker!.healthcheck,
};

/** What the image is built from: the Dockerfile, and the promises about Node it must keep. */
interface BuildFiles {
  dockerfile: string;
  /** `engines.node` of package.json. */
  engines: string;
  readme: string;
  /** `dependencies` of package.json: what `npm ci --omit=dev` installs. */
  dependencies: string[];
}

function loadBuildFiles(): BuildFiles {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    engines?: { node?: string };
    dependencies?: Record<string, string>;
  };
  return {
    dockerfile: fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'),
    engines: pkg.engines?.node ?? '',
    readme: fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'),
    dependencies: Object.keys(pkg.dependencies ?? {}),
  };
}

/** The stages of a Dockerfile, by name (`FROM … AS name`), each with its instructions; the last is the default. */
function stages(dockerfile: string): { name: string; body: string }[] {
  const parts = dockerfile.split(/^(?=FROM )/m).slice(1);
  return parts.map((body) => ({ name: /^FROM \S+(?: AS (\S+))?/i.exec(body)?.[1] ?? '', body }));
}

/** The npm packages a folder's TypeScript imports (bare specifiers, scope included). */
function importedPackages(dir: string): Set<string> {
  const found = new Set<string>();
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const file = path.join(d, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (file.endsWith('.ts')) {
        for (const m of fs.readFileSync(file, 'utf8').matchAll(/(?:from |require\()'([^'./][^']*)'/g)) {
          const parts = m[1]!.split('/');
          found.add(parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!);
        }
      }
    }
  };
  walk(dir);
  return found;
}

/** Dependencies kept although nothing imports them, and why (docs/testing.md). */
const UNIMPORTED_DEPENDENCIES = ['protobufjs'];

/** Each stage's base: an image with the `ARG` defaults filled in, or an earlier stage it builds on. */
function stageBases(dockerfile: string): { base: string; isStage: boolean }[] {
  const args = new Map([...dockerfile.matchAll(/^ARG (\w+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
  const stages = new Set<string>();
  return [...dockerfile.matchAll(/^FROM (\S+)(?: AS (\S+))?$/gim)].map((m) => {
    const base = m[1]!.replace(/\$\{(\w+)\}/g, (_m, name: string) => args.get(name) ?? '');
    const isStage = stages.has(base);
    if (m[2]) stages.add(m[2]);
    return { base, isStage };
  });
}

/** `major.minor` of a `>=major.minor[.patch]` range, the only form these checks accept. */
function lowerBound(range: string): [number, number] {
  const m = /^>=\s*(\d+)\.(\d+)(?:\.\d+)?$/.exec(range.trim());
  assert.ok(m, `engines.node "${range}" is not a ">=major.minor" range`);
  return [Number(m[1]), Number(m[2])];
}

const NODE_IMAGE = /^node:(\d+)-bookworm-slim(?:@sha256:[0-9a-f]{64})?$/;
const NODE_LTS_MAJOR = 22;

const buildChecks: Record<string, (b: BuildFiles) => void> = {
  'the image runs the prebuilt workflow bundle'({ dockerfile }) {
    const workdir = [...dockerfile.matchAll(/^WORKDIR (\S+)/gm)].pop()?.[1];
    const built = /npm run build:bundle -- (\S+)/.exec(dockerfile)?.[1];
    const loaded = /WORKFLOW_BUNDLE_PATH=(\S+)/.exec(dockerfile)?.[1];
    assert.ok(workdir && built && loaded, 'Dockerfile: WORKDIR, build:bundle output or WORKFLOW_BUNDLE_PATH missing');
    assert.equal(loaded, path.posix.join(workdir, built));
    const runtime = stages(dockerfile).at(-1)!.body;
    const copied = [...runtime.matchAll(/^COPY --from=build (\S+) \.\/lib\/$/gm)].map((m) => m[1]!);
    const globToRegExp = (glob: string) => new RegExp(`^${glob.replace(/\./g, '\\.').replace(/\*/g, '[^/]*')}$`);
    assert.ok(
      copied.some((glob) => globToRegExp(glob).test(path.posix.join(workdir, built))),
      'the runtime stage does not copy the bundle',
    );
  },

  'every base image is named by digest'({ dockerfile }) {
    for (const { base, isStage } of stageBases(dockerfile)) {
      if (!isStage) assert.match(base, /@sha256:[0-9a-f]{64}$/, `Dockerfile: FROM ${base}`);
    }
  },

  'the product image carries neither the emulator nor what only the emulator needs'({ dockerfile, dependencies }) {
    const all = stages(dockerfile);
    const runtime = all.at(-1)!;
    assert.equal(runtime.name, 'runtime', 'the default (last) stage is the product');
    assert.doesNotMatch(runtime.body, /emulator|openssl/i, 'the runtime stage names the emulator or openssl');
    assert.doesNotMatch(runtime.body, /COPY --from=build \/app\/lib \.\/lib/, 'the runtime stage copies all of lib/');
    const from = /^COPY --from=(\S+) \/app\/node_modules \.\/node_modules$/m.exec(runtime.body)?.[1];
    assert.match(
      all.find((st) => st.name === from)?.body ?? '',
      /npm ci --omit=dev/,
      'runtime modules: npm ci --omit=dev',
    );
    // What npm ci --omit=dev installs is what the product imports: the emulator's own are devDependencies.
    const product = importedPackages(path.join(ROOT, 'src'));
    for (const dep of dependencies) {
      assert.ok(product.has(dep) || UNIMPORTED_DEPENDENCIES.includes(dep), `${dep}: a dependency src/ never imports`);
    }
    const emulator = all.find((st) => st.name === 'emulator');
    assert.ok(emulator, 'no emulator stage');
    assert.match(emulator.body, /COPY --from=build \/app\/lib\/emulator \.\/lib\/emulator/);
    for (const dep of importedPackages(path.join(ROOT, 'emulator'))) {
      if (dependencies.includes(dep) || dep.startsWith('node:')) continue;
      assert.ok(emulator.body.includes(`/app/node_modules/${dep} `), `the emulator stage lacks ${dep}`);
    }
  },

  'each image has a health check that runs a file it carries'({ dockerfile }) {
    for (const name of ['runtime', 'emulator']) {
      const body = stages(dockerfile).find((st) => st.name === name)?.body ?? '';
      const checks = [...body.matchAll(/^HEALTHCHECK (?:.*\\\n)*.*$/gm)].map((m) => m[0]);
      assert.equal(checks.length, 1, `${name}: one HEALTHCHECK`);
      const file = /"(lib\/(src|emulator)\/[^"]+)\.js"/.exec(checks[0]!);
      assert.ok(file, `${name}: the HEALTHCHECK runs no compiled file`);
      assert.ok(fs.existsSync(path.join(ROOT, `${file[1]!.slice(4)}.ts`)), `${file[1]}.ts does not exist`);
      assert.ok(body.includes(`/app/lib/${file[2]}`), `${name}: does not carry lib/${file[2]}`);
    }
  },

  'every stage of the image runs Node 22 LTS on Debian bookworm-slim'({ dockerfile }) {
    const bases = stageBases(dockerfile);
    assert.ok(bases.length > 0, 'Dockerfile: no FROM');
    for (const { base, isStage } of bases) {
      if (isStage) continue;
      assert.equal(NODE_IMAGE.exec(base)?.[1], String(NODE_LTS_MAJOR), `Dockerfile: FROM ${base}`);
    }
  },

  "engines in package.json admit the image's Node"({ dockerfile, engines }) {
    const [major] = lowerBound(engines);
    for (const { base, isStage } of stageBases(dockerfile)) {
      const image = NODE_IMAGE.exec(base);
      if (!isStage && image) assert.ok(Number(image[1]) >= major, `engines ${engines} excludes ${base}`);
    }
  },

  // The product still runs on Node 20 outside the image: engines must keep admitting what the README asks for.
  'engines in package.json ask for the Node the README asks for'({ engines, readme }) {
    const promised = /Node (\d+)\.(\d+)\+/.exec(readme);
    assert.ok(promised, 'README: no "Node x.y+" requirement');
    assert.deepEqual(lowerBound(engines), [Number(promised[1]), Number(promised[2])], 'engines and README disagree');
  },
};

/** One mistake per build check; each must make its check fail. */
const buildMistakes: Record<keyof typeof buildChecks, (b: BuildFiles) => BuildFiles> = {
  'the image runs the prebuilt workflow bundle': (b) => ({
    ...b,
    dockerfile: b.dockerfile.replace(/WORKFLOW_BUNDLE_PATH=\S+/, 'WORKFLOW_BUNDLE_PATH=/app/workflow-bundle.js'),
  }),
  'every stage of the image runs Node 22 LTS on Debian bookworm-slim': (b) => ({
    ...b,
    dockerfile: b.dockerfile.replace(/^FROM \S+ AS runtime$/m, 'FROM node:20-bookworm-slim AS runtime'),
  }),
  "engines in package.json admit the image's Node": (b) => ({
    ...b,
    engines: '>=24.0',
  }),
  'engines in package.json ask for the Node the README asks for': (b) => ({ ...b, engines: '>=22.0' }),
  'every base image is named by digest': (b) => ({
    ...b,
    dockerfile: b.dockerfile.replace(/^(ARG NODE_IMAGE=\S+)@sha256:[0-9a-f]{64}$/m, '$1'),
  }),
  'the product image carries neither the emulator nor what only the emulator needs': (b) => ({
    ...b,
    dependencies: [...b.dependencies, 'cpf-cnpj-validator'],
  }),
  'each image has a health check that runs a file it carries': (b) => ({
    ...b,
    dockerfile: b.dockerfile.replace(/^HEALTHCHECK [^\n]*\\\n[^\n]*\n(CMD \["node", "--max)/m, '$1'),
  }),
};

describe('docker-compose.yml', () => {
  after(() => tempDir && fs.rmSync(tempDir, { recursive: true, force: true }));

  for (const [name, check] of Object.entries(checks)) {
    it(name, () => {
      check(loadCompose());
      const broken = loadCompose();
      mistakes[name]!(broken);
      assert.throws(() => check(broken), assert.AssertionError, 'the check should catch a broken compose file');
    });
  }
});

describe('Dockerfile', () => {
  for (const [name, check] of Object.entries(buildChecks)) {
    it(name, () => {
      check(loadBuildFiles());
      const broken = buildMistakes[name]!(loadBuildFiles());
      assert.throws(() => check(broken), assert.AssertionError, 'the check should catch a broken build file');
    });
  }
});
