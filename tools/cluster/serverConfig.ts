import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { productDynamicConfig } from '../devServerArgs';
import type { ClusterPorts } from './ports';

/** The env name the server is started with: `--env development-postgres12` reads `config/<env>.yaml`. */
export const SERVER_CONFIG_ENV = 'development-postgres12';
export const DYNAMIC_CONFIG_FILE = 'dynamicconfig/development-sql.yaml';

export const POSTGRES_USER = 'temporal';
export const POSTGRES_PASSWORD = 'temporal';

const HEADER =
  '# Written by `npm run cluster` at every start from the server module template: edit the tool, not this.\n';

// Only the parts we rewrite are spelled out; the rest of the template passes through untouched.
const rpc = z.looseObject({ grpcPort: z.number(), membershipPort: z.number() });
const datastore = z.looseObject({
  sql: z.looseObject({ connectAddr: z.string(), user: z.string(), password: z.string() }),
});
const serverTemplate = z.looseObject({
  log: z.looseObject({ level: z.string() }),
  persistence: z.looseObject({
    numHistoryShards: z.number().int(),
    datastores: z.record(z.string(), datastore),
  }),
  global: z.looseObject({
    membership: z.looseObject({ broadcastAddress: z.string() }),
    pprof: z.looseObject({ port: z.number() }),
    metrics: z.looseObject({ prometheus: z.looseObject({ listenAddress: z.string() }) }),
  }),
  services: z.looseObject({
    frontend: z.looseObject({ rpc: rpc.extend({ httpPort: z.number() }) }),
    history: z.looseObject({ rpc }),
    matching: z.looseObject({ rpc }),
    worker: z.looseObject({ rpc }),
  }),
  clusterMetadata: z.looseObject({
    currentClusterName: z.string(),
    clusterInformation: z.record(z.string(), z.looseObject({ rpcAddress: z.string() })),
  }),
  dynamicConfigClient: z.looseObject({ filepath: z.string() }),
});

export interface ServerConfigInput {
  /** `config/development-postgres12.yaml` of the server module. */
  template: string;
  ports: ClusterPorts;
  historyShards: number;
  /** Absolute path of the dynamic config file the server polls. */
  dynamicConfigPath: string;
}

/**
 * The template with our ports, shard count and dynamic config path. Archival stays as the template has it:
 * disabling it while `namespaceDefaults` still names archival URIs makes the server refuse to start.
 */
export function renderServerConfig({ template, ports, historyShards, dynamicConfigPath }: ServerConfigInput): string {
  const config = serverTemplate.parse(parse(template));
  config.log.level = 'warn';
  config.persistence.numHistoryShards = historyShards;
  for (const store of Object.values(config.persistence.datastores)) {
    store.sql.connectAddr = `127.0.0.1:${ports.postgres}`;
    store.sql.user = POSTGRES_USER;
    store.sql.password = POSTGRES_PASSWORD;
  }
  config.global.membership.broadcastAddress = '127.0.0.1';
  // Port 0 turns pprof off: one port fewer to collide, and nothing here profiles the server.
  config.global.pprof.port = 0;
  config.global.metrics.prometheus.listenAddress = `127.0.0.1:${ports.metrics}`;
  const { services } = config;
  Object.assign(services.frontend.rpc, {
    grpcPort: ports.frontend,
    httpPort: ports.frontendHttp,
    membershipPort: ports.membership.frontend,
  });
  Object.assign(services.history.rpc, { grpcPort: ports.history, membershipPort: ports.membership.history });
  Object.assign(services.matching.rpc, { grpcPort: ports.matching, membershipPort: ports.membership.matching });
  Object.assign(services.worker.rpc, { grpcPort: ports.worker, membershipPort: ports.membership.worker });
  const current = config.clusterMetadata.clusterInformation[config.clusterMetadata.currentClusterName];
  if (!current) throw new Error('the server config template names no current cluster in clusterInformation');
  current.rpcAddress = `127.0.0.1:${ports.frontend}`;
  config.dynamicConfigClient.filepath = dynamicConfigPath;
  return HEADER + stringify(config);
}

const dynamicTemplate = z.record(z.string(), z.array(z.looseObject({ value: z.unknown() })));

type DynamicConfigValue = (typeof productDynamicConfig)[string];

/**
 * The product's dynamic config values in the server's file format, one unconstrained value per key: what the
 * cluster adds to its template, and what the compose file's server mounts.
 */
export function productDynamicConfigEntries(): Record<string, { value: DynamicConfigValue }[]> {
  return Object.fromEntries(Object.entries(productDynamicConfig).map(([key, value]) => [key, [{ value }]]));
}

/**
 * The template's dynamic config, with the Nexus callback on our HTTP port and the product's own values
 * (the same ones `npm run dev` gives the dev server), so both engines behave alike; `extra` goes on top.
 */
export function renderDynamicConfig(
  template: string,
  ports: ClusterPorts,
  extra: Readonly<Record<string, string | number | boolean>> = {},
): string {
  const config = dynamicTemplate.parse(parse(template) ?? {});
  config['component.nexusoperations.callback.endpoint.template'] = [
    { value: `http://127.0.0.1:${ports.frontendHttp}/namespaces/{{.NamespaceName}}/nexus/callback` },
  ];
  const extraEntries = Object.fromEntries(Object.entries(extra).map(([key, value]) => [key, [{ value }]]));
  return HEADER + stringify({ ...config, ...productDynamicConfigEntries(), ...extraEntries });
}

/** The shard count a config written at an earlier start holds, since it can never change after the first. */
export function writtenHistoryShards(config: string): number | undefined {
  const parsed = z
    .object({ persistence: z.object({ numHistoryShards: z.number().int().positive() }) })
    .safeParse(parse(config));
  return parsed.success ? parsed.data.persistence.numHistoryShards : undefined;
}
