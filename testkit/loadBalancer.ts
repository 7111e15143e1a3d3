import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoadBalancer {
  port: number;
  /** Answers relayed from each backend (by index); requests moved to another backend; 502s given. */
  stats: { forwarded: number[]; failovers: number; badGateway: number };
  close(): Promise<void>;
}

// nginx's defaults: client_max_body_size 1m; a backend that failed is left alone for fail_timeout (10 s).
const MAX_BODY = 1024 * 1024;
const FAIL_TIMEOUT_MS = 10_000;

/**
 * One URL in front of several webhook replicas on 127.0.0.1, round robin, shaped like nginx with upstream
 * keep-alive: the body is read whole first; a backend that refuses the connection, or resets a kept-alive one
 * before answering (a stale connection to a killed replica), is left out for a while and the request goes to the
 * next (a resend is safe: the webhook is idempotent); any other failure before an answer is a 502, and Stark
 * Bank delivers again later.
 */
export async function startLoadBalancer(backendPorts: number[], port = 0): Promise<LoadBalancer> {
  const stats = { forwarded: backendPorts.map(() => 0), failovers: 0, badGateway: 0 };
  const downUntil = backendPorts.map(() => 0);
  // Kept-alive connections let a backend that answers early (413 before the body) drain the body, not reset it.
  const agent = new http.Agent({ keepAlive: true });
  let next = 0;

  /** The next backend in turn that is not left out; when all are, the next in turn anyway. */
  const pick = (exclude: Set<number>): number | undefined => {
    const order = backendPorts.map((_, i) => (next + i) % backendPorts.length).filter((i) => !exclude.has(i));
    next++;
    return order.find((i) => downUntil[i]! <= Date.now()) ?? order[0];
  };

  const forward = (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse, tried: Set<number>) => {
    const index = pick(tried);
    if (index === undefined) {
      stats.badGateway++;
      res.writeHead(502).end();
      return;
    }
    tried.add(index);
    // The body goes out whole, with its length: a chunked client's framing does not apply to it.
    const { 'transfer-encoding': _chunked, connection: _connection, ...headers } = req.headers;
    const upstream = http.request({
      host: '127.0.0.1',
      port: backendPorts[index],
      method: req.method,
      path: req.url,
      headers: { ...headers, 'content-length': String(body.length) },
      agent,
    });
    let answered = false;
    upstream.on('response', (answer) => {
      answered = true;
      stats.forwarded[index]!++;
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (answered) return;
      const neverReached = error.code === 'ECONNREFUSED' || (upstream.reusedSocket && error.code === 'ECONNRESET');
      if (neverReached) {
        downUntil[index] = Date.now() + FAIL_TIMEOUT_MS;
        stats.failovers++;
        forward(req, body, res, tried);
        return;
      }
      stats.badGateway++;
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    upstream.end(body);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY) res.writeHead(413, { connection: 'close' }).end();
      else forward(req, Buffer.concat(chunks), res, new Set());
    });
    req.on('error', () => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
