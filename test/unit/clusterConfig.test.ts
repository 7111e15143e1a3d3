import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { clusterPorts } from '../../tools/cluster/ports';
import { renderDynamicConfig, renderServerConfig, writtenHistoryShards } from '../../tools/cluster/serverConfig';
import { renderUiConfig } from '../../tools/cluster/webUi';

// The parts of the server module's config/development-postgres12.yaml that the cluster rewrites, plus archival,
// which must pass through untouched.
const template = `
log: { stdout: true, level: info }
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: 4
  datastores:
    postgres-default: { sql: { pluginName: postgres12, databaseName: temporal, connectAddr: "127.0.0.1:5432", user: temporal, password: temporal } }
    postgres-visibility: { sql: { pluginName: postgres12, databaseName: temporal_visibility, connectAddr: "127.0.0.1:5432", user: temporal, password: temporal } }
global:
  membership: { maxJoinDuration: 30s, broadcastAddress: "127.0.0.1" }
  pprof: { port: 7936 }
  metrics: { prometheus: { framework: tally, listenAddress: "127.0.0.1:8000" } }
services:
  frontend: { rpc: { grpcPort: 7233, membershipPort: 6933, bindOnLocalHost: true, httpPort: 7243 } }
  matching: { rpc: { grpcPort: 7235, membershipPort: 6935, bindOnLocalHost: true } }
  history: { rpc: { grpcPort: 7234, membershipPort: 6934, bindOnLocalHost: true } }
  worker: { rpc: { grpcPort: 7239, membershipPort: 6939, bindOnLocalHost: true } }
clusterMetadata:
  currentClusterName: active
  clusterInformation: { active: { enabled: true, rpcName: frontend, rpcAddress: "localhost:7233" } }
archival: { history: { state: enabled, enableRead: true } }
dynamicConfigClient: { filepath: config/dynamicconfig/development-sql.yaml, pollInterval: 10s }
`;

describe('local cluster config', () => {
  it('keeps the template port layout around the frontend port, and refuses one with no room around it', () => {
    const ports = clusterPorts({ frontend: 7233, ui: 8080, postgres: 5433 });
    assert.deepEqual(
      [ports.frontendHttp, ports.history, ports.matching, ports.worker, ports.metrics],
      [7243, 7234, 7235, 7239, 8000],
    );
    assert.deepEqual(ports.membership, { frontend: 6933, history: 6934, matching: 6935, worker: 6939 });
    assert.throws(() => clusterPorts({ frontend: 65000, ui: 8080, postgres: 5433 }), /no room/);
    // Membership ports above 32767 do not fit the smallint the server stores them in.
    assert.throws(() => clusterPorts({ frontend: 33100, ui: 8080, postgres: 5433 }), /no room/);
    assert.equal(clusterPorts({ frontend: 33061, ui: 8080, postgres: 5433 }).membership.worker, 32767);
  });

  it('writes our ports, shard count and dynamic config path into the server template', () => {
    const ports = clusterPorts({ frontend: 17233, ui: 18080, postgres: 15433 });
    const written = renderServerConfig({
      template,
      ports,
      historyShards: 8,
      dynamicConfigPath: '/data/config/dynamicconfig/development-sql.yaml',
    });
    const config = parse(written) as Record<string, Record<string, unknown>>;
    assert.deepEqual(config.persistence, {
      ...(parse(template) as Record<string, Record<string, unknown>>).persistence,
      numHistoryShards: 8,
      datastores: {
        'postgres-default': {
          sql: {
            pluginName: 'postgres12',
            databaseName: 'temporal',
            connectAddr: '127.0.0.1:15433',
            user: 'temporal',
            password: 'temporal',
          },
        },
        'postgres-visibility': {
          sql: {
            pluginName: 'postgres12',
            databaseName: 'temporal_visibility',
            connectAddr: '127.0.0.1:15433',
            user: 'temporal',
            password: 'temporal',
          },
        },
      },
    });
    assert.deepEqual(config.services!.frontend, {
      rpc: { grpcPort: 17233, membershipPort: 16933, bindOnLocalHost: true, httpPort: 17243 },
    });
    assert.deepEqual(config.services!.worker, {
      rpc: { grpcPort: 17239, membershipPort: 16939, bindOnLocalHost: true },
    });
    assert.equal((config.global!.pprof as { port: number }).port, 0);
    assert.match(written, /listenAddress: 127\.0\.0\.1:18000/);
    assert.match(written, /rpcAddress: 127\.0\.0\.1:17233/);
    assert.match(written, /filepath: \/data\/config\/dynamicconfig\/development-sql\.yaml/);
    assert.deepEqual(config.archival, { history: { state: 'enabled', enableRead: true } });
    assert.equal(writtenHistoryShards(written), 8);
    assert.equal(writtenHistoryShards('log: {}'), undefined);
  });

  it('points the Nexus callback at our HTTP port and adds the product dynamic config to the template', () => {
    const ports = clusterPorts({ frontend: 17233, ui: 18080, postgres: 15433 });
    const config = parse(
      renderDynamicConfig('limit.maxIDLength:\n  - value: 255\n    constraints: {}\n', ports),
    ) as Record<string, { value: unknown }[]>;
    assert.deepEqual(config['limit.maxIDLength'], [{ value: 255, constraints: {} }]);
    assert.deepEqual(config['component.nexusoperations.callback.endpoint.template'], [
      { value: 'http://127.0.0.1:17243/namespaces/{{.NamespaceName}}/nexus/callback' },
    ]);
    assert.deepEqual(config['system.enableActivityEagerExecution'], [{ value: true }]);
  });

  it('puts extra dynamic config values on top of the product ones', () => {
    const ports = clusterPorts({ frontend: 17233, ui: 18080, postgres: 15433 });
    const config = parse(
      renderDynamicConfig('', ports, {
        'history.shardIOConcurrency': 8,
        'system.enableActivityEagerExecution': false,
      }),
    ) as Record<string, { value: unknown }[]>;
    assert.deepEqual(config['history.shardIOConcurrency'], [{ value: 8 }]);
    assert.deepEqual(config['system.enableActivityEagerExecution'], [{ value: false }]);
  });

  it('points the Web UI at the frontend and accepts both spellings of its own origin', () => {
    const config: unknown = parse(
      renderUiConfig({
        frontendAddress: '127.0.0.1:17233',
        port: 18080,
        namespace: 'default',
        codecEndpoint: 'http://127.0.0.1:9464/codec/t0ken',
      }),
    );
    assert.deepEqual(config, {
      temporalGrpcAddress: '127.0.0.1:17233',
      host: '127.0.0.1',
      port: 18080,
      enableUi: true,
      cors: { allowOrigins: ['http://127.0.0.1:18080', 'http://localhost:18080'] },
      defaultNamespace: 'default',
      codec: { endpoint: 'http://127.0.0.1:9464/codec/t0ken' },
    });
  });
});
