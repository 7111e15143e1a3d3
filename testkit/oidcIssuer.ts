import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A minimal OpenID Connect issuer over real HTTP, for tests: its discovery document and JWKS, and access tokens
 * signed with its keys (RS256 and ES256), as an identity provider the Web UI signs users in with would issue them.
 */
export interface TestIssuer {
  issuer: string;
  /** A signed access token; `claims` override the defaults (this issuer, `audience`, valid for 5 minutes). */
  token(claims?: Record<string, unknown>, opts?: { alg?: 'RS256' | 'ES256'; kid?: string }): string;
  /** Publishes a new key under `kid` (rotation) and returns it; tokens can then be signed with that kid. */
  rotate(kid: string): void;
  /** How many times the JWKS was fetched. */
  jwksFetches(): number;
  close(): Promise<void>;
}

export async function startTestIssuer(audience: string): Promise<TestIssuer> {
  const keys = new Map<string, { alg: 'RS256' | 'ES256'; privateKey: crypto.KeyObject; jwk: crypto.JsonWebKey }>();
  const add = (kid: string, alg: 'RS256' | 'ES256') => {
    const { privateKey, publicKey } =
      alg === 'RS256'
        ? crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
        : crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    keys.set(kid, { alg, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } });
  };
  add('rsa-1', 'RS256');
  add('ec-1', 'ES256');
  let fetches = 0;
  let base = '';
  const server = http.createServer((req, res) => {
    const send = (body: unknown) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url === '/.well-known/openid-configuration') return send({ issuer: base, jwks_uri: `${base}/jwks` });
    if (req.url === '/jwks') {
      fetches++;
      return send({ keys: [...keys.values()].map((k) => k.jwk) });
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return {
    issuer: base,
    token(claims = {}, opts = {}) {
      const kid = opts.kid ?? (opts.alg === 'ES256' ? 'ec-1' : 'rsa-1');
      const key = keys.get(kid);
      if (!key) throw new Error(`no key ${kid}`);
      const now = Math.floor(Date.now() / 1000);
      const body = { iss: base, aud: audience, sub: 'user-1', iat: now, exp: now + 300, ...claims };
      const signed = `${b64({ alg: key.alg, typ: 'JWT', kid })}.${b64(body)}`;
      const signature = crypto.sign('sha256', Buffer.from(signed), {
        key: key.privateKey,
        ...(key.alg === 'ES256' && { dsaEncoding: 'ieee-p1363' as const }),
      });
      return `${signed}.${signature.toString('base64url')}`;
    },
    rotate: (kid) => add(kid, 'RS256'),
    jwksFetches: () => fetches,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
