import net from 'node:net';

/** Every TCP port a local cluster listens on, all on 127.0.0.1. */
export interface ClusterPorts {
  frontend: number;
  frontendHttp: number;
  history: number;
  matching: number;
  worker: number;
  membership: { frontend: number; history: number; matching: number; worker: number };
  metrics: number;
  ui: number;
  postgres: number;
}

export interface PortChoice {
  frontend: number;
  ui: number;
  postgres: number;
}

// The server's internal ports keep the layout of the config template around the frontend port
// (7233 → history 7234, matching 7235, worker 7239, HTTP 7243, membership 6933…6939, metrics 8000),
// so one option moves them all and two clusters on different frontend ports do not collide.
const BELOW = 300;
const ABOVE = 767;
// The server records each membership port in PostgreSQL's cluster_membership table as a smallint, and exits
// at start when one is above this.
const MAX_MEMBERSHIP_PORT = 32767;
const MAX_FRONTEND = MAX_MEMBERSHIP_PORT + BELOW - 6;

export function clusterPorts({ frontend, ui, postgres }: PortChoice): ClusterPorts {
  if (frontend - BELOW < 1024 || frontend > MAX_FRONTEND) {
    throw new Error(`frontend port ${frontend} leaves no room for the server's other ports: use 1324…${MAX_FRONTEND}`);
  }
  return {
    frontend,
    frontendHttp: frontend + 10,
    history: frontend + 1,
    matching: frontend + 2,
    worker: frontend + 6,
    membership: {
      frontend: frontend - BELOW,
      history: frontend - BELOW + 1,
      matching: frontend - BELOW + 2,
      worker: frontend - BELOW + 6,
    },
    metrics: frontend + ABOVE,
    ui,
    postgres,
  };
}

export function namedPorts(ports: ClusterPorts): [string, number][] {
  return [
    ['frontend gRPC', ports.frontend],
    ['frontend HTTP', ports.frontendHttp],
    ['history', ports.history],
    ['matching', ports.matching],
    ['worker', ports.worker],
    ['frontend membership', ports.membership.frontend],
    ['history membership', ports.membership.history],
    ['matching membership', ports.membership.matching],
    ['worker membership', ports.membership.worker],
    ['metrics', ports.metrics],
    ['Web UI', ports.ui],
    ['PostgreSQL', ports.postgres],
  ];
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The ports something else already listens on, named, e.g. `history 7234`. */
export async function busyPorts(ports: ClusterPorts): Promise<string[]> {
  const busy: string[] = [];
  for (const [name, port] of namedPorts(ports)) if (!(await isFree(port))) busy.push(`${name} ${port}`);
  const numbers = namedPorts(ports).map(([, port]) => port);
  if (new Set(numbers).size !== numbers.length) busy.push('(the Web UI or PostgreSQL port overlaps a server port)');
  return busy;
}

/**
 * Random ports whose whole layout is free right now, for tests that start their own cluster, in the shape
 * startCluster takes them.
 */
export async function findFreeClusterPorts(): Promise<{ port: number; uiPort: number; postgresPort: number }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    // Below Linux's ephemeral range (32768 and up), so no outgoing connection holds one of them by chance.
    const base = 10_000 + Math.floor(Math.random() * (MAX_FRONTEND - 10_000));
    const choice = { frontend: base, ui: base + 20, postgres: base + 30 };
    if ((await busyPorts(clusterPorts(choice))).length === 0) {
      return { port: choice.frontend, uiPort: choice.ui, postgresPort: choice.postgres };
    }
  }
  throw new Error('found no free range of ports for a local cluster');
}
