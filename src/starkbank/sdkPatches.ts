/**
 * Every process-wide change the product makes to the `starkbank` SDK, and its one use of an SDK internal. Each
 * entry point calls `installStarkbankPatches` once, before it makes an SDK user; nothing else touches the SDK's
 * globals.
 *
 * What an SDK upgrade can break (test/unit/sdkPatches.test.ts fails when one of these moves):
 * - The SDK calls the axios this package resolves (one hoisted copy): `axios.defaults.timeout` is what bounds
 *   each request, because the SDK passes no timeout and axios then clears the socket's own.
 * - `starkbank.setHttpsAgent` reaches starkcore, which gives the agent to every request.
 * - Requests are signed with `Ecdsa.sign(message, user.privateKey())` of the same `starkbank-ecdsa` copy; for keys
 *   registered here the signature comes from OpenSSL instead (same curve, hash, low-s form and DER encoding).
 * - `starkbank/sdk/utils/rest.js` exports `getPublicKey(user)`, the fetch `event.parse` uses; it is untyped.
 * - Requests go through the default axios instance, so its interceptors see each one: that is where the HTTP spans
 *   of tracing start and end.
 */
import crypto from 'node:crypto';
import https from 'node:https';
import { SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import axios, { type AxiosError, type InternalAxiosRequestConfig } from 'axios';
import starkbank from 'starkbank';
import { getPublicKey } from 'starkbank/sdk/utils/rest.js';
import Ellipticcurve, { type Signature } from 'starkbank-ecdsa';
import { z } from 'zod';
import type { StarkConfig } from './starkConfig';
import { createEmulatorAgent } from './emulatorAgent';
import { tracer } from '../observability/tracing';

// secp256k1's group order: a signature's s above half of it is replaced by n - s, as starkbank-ecdsa does.
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** OpenSSL keys, keyed by the parsed key object the SDK hands to `Ecdsa.sign`. */
const opensslKeys = new WeakMap<object, crypto.KeyObject>();
let signingInstalled = false;
let httpSpansInstalled = false;

/**
 * Points the SDK at Stark Bank (or at the emulator when one is configured), bounds every request by
 * `httpTimeoutMs`, and signs requests with OpenSSL: the library's pure-JavaScript ECDSA parses the key on every
 * request and is several times slower. Returns the agent, so a caller can close its sockets.
 */
export function installStarkbankPatches(cfg: Pick<StarkConfig, 'emulator' | 'httpTimeoutMs'>): https.Agent {
  const agent = cfg.emulator ? createEmulatorAgent(cfg.emulator) : new https.Agent({ keepAlive: true });
  starkbank.setHttpsAgent(agent);
  axios.defaults.timeout = cfg.httpTimeoutMs;
  installOpenSslSigning();
  installHttpSpans();
  return agent;
}

/**
 * A client span per Stark Bank request, child of whatever is active (an activity's span): method, path and status
 * only, since query strings and bodies can carry what a trace must not hold. No-ops while tracing is off.
 */
function installHttpSpans(): void {
  if (httpSpansInstalled) return;
  httpSpansInstalled = true;
  const spans = new WeakMap<InternalAxiosRequestConfig, Span>();
  axios.interceptors.request.use((config) => {
    const method = (config.method ?? 'get').toUpperCase();
    const url = new URL(config.url ?? '/', config.baseURL ?? 'https://stark.invalid');
    spans.set(
      config,
      tracer().startSpan(`${method} ${url.pathname}`, {
        kind: SpanKind.CLIENT,
        attributes: { 'http.request.method': method, 'url.path': url.pathname, 'server.address': url.hostname },
      }),
    );
    return config;
  });
  const end = (config: InternalAxiosRequestConfig | undefined, status?: number, error?: AxiosError) => {
    const span = config && spans.get(config);
    if (!span) return;
    if (status !== undefined) span.setAttribute('http.response.status_code', status);
    if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: status ? `HTTP ${status}` : error.code });
    span.end();
  };
  axios.interceptors.response.use(
    (response) => {
      end(response.config, response.status);
      return response;
    },
    (error: AxiosError) => {
      end(error.config, error.response?.status, error);
      throw error;
    },
  );
}

/** Makes the SDK sign this user's requests with OpenSSL, from a key parsed once. */
export function signWithOpenSsl(user: starkbank.Project, privateKeyPem: string): void {
  const parsed = Ellipticcurve.PrivateKey.fromPem(privateKeyPem);
  opensslKeys.set(parsed, crypto.createPrivateKey(privateKeyPem));
  // The SDK asks the user for its key on every request; hand it the one parsed object.
  Object.defineProperty(user, 'privateKey', { value: () => parsed });
}

function installOpenSslSigning(): void {
  if (signingInstalled) return;
  signingInstalled = true;
  const librarySign = Ellipticcurve.Ecdsa.sign.bind(Ellipticcurve.Ecdsa);
  Ellipticcurve.Ecdsa.sign = (message, privateKey, hashfunc = 'sha256') => {
    const key = opensslKeys.get(privateKey);
    if (!key || hashfunc !== 'sha256') return librarySign(message, privateKey, hashfunc);
    const rs = crypto.sign('sha256', Buffer.from(message, 'utf8'), { key, dsaEncoding: 'ieee-p1363' });
    const r = BigInt(`0x${rs.subarray(0, 32).toString('hex')}`);
    let s = BigInt(`0x${rs.subarray(32).toString('hex')}`);
    if (s > N / 2n) s = N - s;
    const base64 = derSignature(r, s).toString('base64');
    // The SDK only asks for toBase64(): the library's own Signature (pure-JS big integers) is parsed only if r or
    // s is ever read.
    let parsed: Signature | undefined;
    const full = () => (parsed ??= Ellipticcurve.Signature.fromBase64(base64));
    return {
      toBase64: () => base64,
      get r() {
        return full().r;
      },
      get s() {
        return full().s;
      },
    };
  };
}

/** DER `SEQUENCE { INTEGER r, INTEGER s }` for two positive integers below 2^256. */
export function derSignature(r: bigint, s: bigint): Buffer {
  const integer = (n: bigint) => {
    let bytes = Buffer.from(n.toString(16).padStart(64, '0'), 'hex');
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    bytes = bytes.subarray(start);
    // A set top bit would read as negative: DER then needs a leading zero byte.
    if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
    return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
  };
  const body = Buffer.concat([integer(r), integer(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

/**
 * Stark Bank's current webhook-signing public key (PEM), fetched with the project's credentials through the SDK
 * call `starkbank.event.parse` uses, so both verify against the same key.
 */
export async function fetchStarkPublicKey(user: starkbank.Project): Promise<string> {
  return z
    .string()
    .min(1)
    .parse(await getPublicKey(user));
}
