import crypto from 'node:crypto';
import { z } from 'zod';

/**
 * Who may use the codec server, and who they are for its log: a shared token, known by its id, or the user of an
 * OpenID Connect access token (the one the Temporal Web UI forwards with TEMPORAL_CODEC_PASS_ACCESS_TOKEN, or an
 * operator's own). Answers `undefined` for anyone else. Never returns or logs a token.
 */
export interface CodecToken {
  /** Who holds it, as logged for every decode; never the token. */
  id: string;
  token: string;
}

/** The codec server's settings (config/admin.ts reads them from the environment). */
export interface CodecConfig {
  host: string;
  port: number;
  /** The Web UI's token (`web-ui`, CODEC_TOKEN) and one per operator or tool (CODEC_TOKENS). */
  tokens: CodecToken[];
  /** Access tokens of this OpenID Connect issuer, for this audience, are accepted too (the signed-in UI user's). */
  oidc?: { issuer: string; audience: string };
  /** Origins of the Web UI allowed to call it from a browser. */
  allowedOrigins: string[];
}

export type CodecCaller = { kind: 'token'; id: string } | { kind: 'user'; id: string };
export type CodecAuthenticator = (credential: string | undefined) => Promise<CodecCaller | undefined>;

export function createCodecAuthenticator(
  config: Pick<CodecConfig, 'tokens' | 'oidc'>,
  opts: OidcVerifierOptions = {},
): CodecAuthenticator {
  const verifyAccessToken = config.oidc ? createOidcVerifier(config.oidc, opts) : undefined;
  return async (credential) => {
    if (!credential) return undefined;
    const token = matchToken(config.tokens, credential);
    if (token) return { kind: 'token', id: token.id };
    if (verifyAccessToken && credential.split('.').length === 3) {
      const user = await verifyAccessToken(credential).catch(() => undefined);
      if (user) return { kind: 'user', id: user };
    }
    return undefined;
  };
}

/** Compared in constant time against every token, so timing tells nothing about which one nearly matched. */
function matchToken(tokens: readonly CodecToken[], given: string): CodecToken | undefined {
  const digest = (text: string) => crypto.createHash('sha256').update(text).digest();
  const wanted = digest(given);
  let found: CodecToken | undefined;
  for (const t of tokens) if (crypto.timingSafeEqual(digest(t.token), wanted)) found = t;
  return found;
}

// What is read from the issuer and from tokens: parsed, never trusted as typed.
const discovery = z.object({ issuer: z.string(), jwks_uri: z.url() });
const jwk = z.looseObject({ kty: z.string(), kid: z.string().optional(), alg: z.string().optional() });
const jwks = z.object({ keys: z.array(jwk) });
const header = z.object({ alg: z.string(), kid: z.string().optional() });
const claims = z.object({
  iss: z.string(),
  aud: z.union([z.string(), z.array(z.string())]),
  exp: z.number(),
  nbf: z.number().optional(),
  sub: z.string().min(1),
  email: z.string().optional(),
  preferred_username: z.string().optional(),
});

/** The signature algorithms accepted, and how Node verifies each; `none` and HMAC never are. */
const ALGORITHMS: Record<string, { hash: string; kty: string; options?: Partial<crypto.VerifyKeyObjectInput> }> = {
  RS256: { hash: 'sha256', kty: 'RSA' },
  RS384: { hash: 'sha384', kty: 'RSA' },
  RS512: { hash: 'sha512', kty: 'RSA' },
  PS256: {
    hash: 'sha256',
    kty: 'RSA',
    options: { padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
  },
  ES256: { hash: 'sha256', kty: 'EC', options: { dsaEncoding: 'ieee-p1363' } },
  ES384: { hash: 'sha384', kty: 'EC', options: { dsaEncoding: 'ieee-p1363' } },
};
/** Clocks differ a little between the issuer and us. */
const LEEWAY_SECONDS = 60;

export interface OidcVerifierOptions {
  /** An unknown key id refetches the issuer's keys (rotation), at most this often; forged ids cause no storm. */
  minKeyRefetchMs?: number;
}

/**
 * Verifies an access token of `issuer` for `audience`: signed by a key the issuer publishes (its discovery
 * document's `jwks_uri`), unexpired, issued by it, for this audience. Resolves to the user it names.
 */
export function createOidcVerifier(
  oidc: { issuer: string; audience: string },
  { minKeyRefetchMs = 10_000 }: OidcVerifierOptions = {},
): (token: string) => Promise<string> {
  let keys: Promise<z.infer<typeof jwk>[]> | undefined;
  let fetchedAt = 0;
  const fetchKeys = async () => {
    const base = oidc.issuer.replace(/\/+$/, '');
    const found = discovery.parse(await getJson(`${base}/.well-known/openid-configuration`));
    if (found.issuer.replace(/\/+$/, '') !== base) throw new Error('the discovery document names another issuer');
    return jwks.parse(await getJson(found.jwks_uri)).keys;
  };
  const keysFor = async (kid: string | undefined, refresh: boolean) => {
    if (!keys || (refresh && Date.now() - fetchedAt >= minKeyRefetchMs)) {
      fetchedAt = Date.now();
      keys = fetchKeys();
      keys.catch(() => (keys = undefined));
    }
    return (await keys).filter((k) => kid === undefined || k.kid === kid);
  };

  return async (token) => {
    const [h, p, sig] = token.split('.') as [string, string, string];
    const head = header.parse(JSON.parse(Buffer.from(h, 'base64url').toString()));
    const algorithm = ALGORITHMS[head.alg];
    if (!algorithm) throw new Error(`algorithm ${head.alg} is not accepted`);
    let candidates = await keysFor(head.kid, false);
    if (candidates.length === 0) candidates = await keysFor(head.kid, true);
    const signed = Buffer.from(`${h}.${p}`);
    const signature = Buffer.from(sig, 'base64url');
    const valid = candidates.some((k) => {
      if (k.kty !== algorithm.kty || (k.alg && k.alg !== head.alg)) return false;
      const key = crypto.createPublicKey({ key: k as crypto.JsonWebKey, format: 'jwk' });
      return crypto.verify(algorithm.hash, signed, { key, ...algorithm.options }, signature);
    });
    if (!valid) throw new Error('bad signature');
    const c = claims.parse(JSON.parse(Buffer.from(p, 'base64url').toString()));
    const now = Date.now() / 1000;
    if (c.iss.replace(/\/+$/, '') !== oidc.issuer.replace(/\/+$/, '')) throw new Error('another issuer');
    if (!(Array.isArray(c.aud) ? c.aud : [c.aud]).includes(oidc.audience)) throw new Error('another audience');
    if (c.exp + LEEWAY_SECONDS < now) throw new Error('expired');
    if (c.nbf !== undefined && c.nbf - LEEWAY_SECONDS > now) throw new Error('not yet valid');
    return c.email ?? c.preferred_username ?? c.sub;
  };
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.json();
}
