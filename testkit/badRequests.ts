import crypto from 'node:crypto';
import http from 'node:http';
import net from 'node:net';

/** One forged or malformed webhook request, the status the webhook must answer, and the invoice it names. */
export interface BadRequest {
  kind: string;
  expected: number;
  invoiceId: string;
  body: Buffer;
  headers: Record<string, string>;
  /** Sent a few bytes at a time over a raw socket instead of in one write. */
  trickle?: boolean;
}

const sign = (key: string, body: Buffer) => crypto.sign('sha256', body, { key, dsaEncoding: 'der' }).toString('base64');

/** A credited invoice event as Stark Bank would send it (compact JSON is fine: only the signature binds bytes). */
export function creditedEventBody(invoiceId: string, amount = 10_000): Buffer {
  const event = {
    created: new Date().toISOString(),
    id: crypto.randomUUID(),
    log: { id: crypto.randomUUID(), type: 'credited', invoice: { id: invoiceId, amount, fee: 0, status: 'paid' } },
    subscription: 'invoice',
  };
  return Buffer.from(JSON.stringify({ event }));
}

/**
 * `count` bad requests cycling through every kind. Each names its own numeric invoice id (`<prefix><n>`), valid
 * for the schema, so a request that slipped through would start a payout that the caller can look for.
 */
export function badRequests(opts: {
  count: number;
  /** Stark Bank's event signing key, as the webhook under test trusts it. */
  starkPrivateKeyPem: string;
  maxBodyBytes: number;
  idPrefix: string;
  /** How many of them trickle in slowly (they take ~1 s each, so keep it small in tests). */
  trickles?: number;
}): BadRequest[] {
  const other = crypto.generateKeyPairSync('ec', {
    namedCurve: 'secp256k1',
    privateKeyEncoding: { type: 'sec1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  }).privateKey;
  const key = opts.starkPrivateKeyPem;
  const json = { 'content-type': 'application/json' };
  const signed = (body: Buffer) => ({ ...json, 'Digital-Signature': sign(key, body) });
  const kinds: ((id: string) => Omit<BadRequest, 'invoiceId'>)[] = [
    (id) => ({ kind: 'no signature', expected: 401, body: creditedEventBody(id), headers: json }),
    (id) => ({
      kind: 'random signature',
      expected: 401,
      body: creditedEventBody(id),
      headers: { ...json, 'Digital-Signature': crypto.randomBytes(71).toString('base64') },
    }),
    (id) => ({
      kind: 'not base64',
      expected: 401,
      body: creditedEventBody(id),
      headers: { ...json, 'Digital-Signature': '!!!***' },
    }),
    (id) => {
      const body = creditedEventBody(id);
      return {
        kind: 'signed by another key',
        expected: 401,
        body,
        headers: { ...json, 'Digital-Signature': sign(other, body) },
      };
    },
    (id) => {
      // Signed for 100.00, delivered as 900.00: the classic tampering.
      const body = creditedEventBody(id, 10_000);
      return {
        kind: 'tampered amount',
        expected: 401,
        body: Buffer.from(body.toString().replace('"amount":10000', '"amount":90000')),
        headers: signed(body),
      };
    },
    (id) => {
      const body = creditedEventBody(id);
      const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 1));
      return { kind: 're-serialised body', expected: 401, body: reserialised, headers: signed(body) };
    },
    (id) => ({
      kind: 'signature of another event',
      expected: 401,
      body: creditedEventBody(id),
      headers: signed(creditedEventBody(`${id}0`)),
    }),
    (id) => {
      const body = Buffer.from(`not json ${id}`);
      return { kind: 'signed, not JSON', expected: 400, body, headers: signed(body) };
    },
    (id) => {
      const body = Buffer.from(creditedEventBody(id).toString().replace('"amount":10000', '"amount":"10000"'));
      return { kind: 'signed, amount as string', expected: 400, body, headers: signed(body) };
    },
    (id) => {
      const body = Buffer.from(creditedEventBody(id).toString().replace(`"id":"${id}"`, `"id":"x${id}"`));
      return { kind: 'signed, non-numeric invoice id', expected: 400, body, headers: signed(body) };
    },
    (id) => {
      const body = Buffer.from(JSON.stringify({ notEvent: JSON.parse(creditedEventBody(id).toString()) as unknown }));
      return { kind: 'signed, no event envelope', expected: 400, body, headers: signed(body) };
    },
    (id) => {
      const body = Buffer.from(`[${creditedEventBody(id).toString()}]`);
      return { kind: 'signed, array body', expected: 400, body, headers: signed(body) };
    },
    (id) => {
      const event = JSON.parse(creditedEventBody(id).toString()) as { event: { log: { invoice: unknown } } };
      event.event.log.invoice = null;
      const body = Buffer.from(JSON.stringify(event));
      return { kind: 'signed, invoice null', expected: 400, body, headers: signed(body) };
    },
    (id) => {
      // Padded past the limit, validly signed: size is checked before anything else.
      const base = creditedEventBody(id);
      const body = Buffer.concat([base, Buffer.alloc(opts.maxBodyBytes + 1 - base.length + 10, 0x20)]);
      return { kind: 'huge body, signed', expected: 413, body, headers: signed(body) };
    },
    (id) => ({
      kind: 'huge body, unsigned',
      expected: 413,
      body: Buffer.concat([creditedEventBody(id), crypto.randomBytes(opts.maxBodyBytes * 2)]),
      headers: { 'content-type': 'application/octet-stream', 'Digital-Signature': 'AAAA' },
    }),
  ];
  const trickles = opts.trickles ?? 0;
  return Array.from({ length: opts.count }, (_, n) => {
    const invoiceId = `${opts.idPrefix}${String(n).padStart(5, '0')}`;
    const trickle = n < trickles;
    // Trickled ones alternate between a forged event (401) and a body that grows past the limit (413).
    const make = trickle ? kinds[n % 2 === 0 ? 4 : 14]! : kinds[n % kinds.length]!;
    return { ...make(invoiceId), invoiceId, trickle };
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

/** Sends one request and resolves with the HTTP status (0 when the connection failed before any answer). */
export function sendRequest(url: string, req: Pick<BadRequest, 'body' | 'headers' | 'trickle'>): Promise<number> {
  return req.trickle ? sendTrickle(url, req) : sendOnce(url, req);
}

function sendOnce(url: string, { body, headers }: Pick<BadRequest, 'body' | 'headers'>): Promise<number> {
  return new Promise((resolve) => {
    const request = http.request(url, {
      method: 'POST',
      agent,
      headers: { ...headers, 'content-length': String(body.length) },
    });
    request.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(res.statusCode ?? 0));
    });
    // A 413 may close the socket while the body is still being written: the answer (if any) already counted.
    request.on('error', () => resolve(0));
    request.end(body);
  });
}

/** A slow sender: headers first, then the body in 20 pieces ~50 ms apart, over a raw socket. */
function sendTrickle(url: string, { body, headers }: Pick<BadRequest, 'body' | 'headers'>): Promise<number> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    let answer = '';
    let timer: NodeJS.Timeout | undefined;
    const done = (status: number) => {
      clearInterval(timer);
      socket.destroy();
      resolve(status);
    };
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(answer);
      if (match) done(Number(match[1]));
    });
    socket.on('error', () => done(0));
    socket.on('close', () => done(0));
    socket.on('connect', () => {
      const head = Object.entries({ ...headers, 'content-length': String(body.length), connection: 'close' })
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('');
      socket.write(`POST ${pathname} HTTP/1.1\r\nhost: ${hostname}:${port}\r\n${head}\r\n`);
      const piece = Math.ceil(body.length / 20);
      let offset = 0;
      timer = setInterval(() => {
        if (offset >= body.length || socket.destroyed) return clearInterval(timer);
        socket.write(body.subarray(offset, offset + piece));
        offset += piece;
      }, 50);
    });
  });
}

/** Runs `fn` over `items` with at most `concurrency` in flight. */
export async function mapPool<T, R>(
  items: T[],
  concurrency: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}
