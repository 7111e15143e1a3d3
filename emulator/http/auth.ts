import crypto, { type KeyObject } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { EmulatorContext } from '../domain/context';
import { ApiError } from '../domain/errors';
import { rawBody } from './body';

const BAD_SIGNATURE =
  'Provided digital signature in the header Access-Signature does not check out. See https://docs.api.starkbank.com/#auth for details.';

/**
 * Checks Access-Id / Access-Time / Access-Signature like Stark Bank: ECDSA-SHA256 (secp256k1, base64 DER) over
 * `accessId:accessTime:body`, body being the raw bytes ('' for GET/DELETE). Every failure is a 400 with an
 * `errors` list, the only shape the SDK turns into an error it can read.
 */
export function authenticate(ctx: EmulatorContext): RequestHandler {
  const keys = new Map<string, KeyObject>();
  const keyFor = (pem: string): KeyObject => {
    let key = keys.get(pem);
    if (!key) keys.set(pem, (key = crypto.createPublicKey(pem)));
    return key;
  };

  return (req, _res, next) => {
    const accessId = req.get('access-id');
    const accessTime = req.get('access-time');
    const signature = req.get('access-signature');

    const projectId = /^project\/([^/]+)$/.exec(accessId ?? '')?.[1];
    if (!accessId) throw ApiError.invalid('invalidAccessId', 'Missing header Access-Id');
    const publicKeyPem = projectId === undefined ? undefined : ctx.state.projects[projectId];
    if (!publicKeyPem) throw ApiError.invalid('invalidAccessId', `Unknown Access-Id "${accessId}"`);

    if (!accessTime) throw ApiError.invalid('invalidAccessTime', 'Missing header Access-Time');
    if (!/^\d+(\.\d+)?$/.test(accessTime)) {
      throw ApiError.invalid('invalidAccessTime', `Access-Time "${accessTime}" is not a Unix time in seconds`);
    }
    const skew = Math.abs(Date.now() / 1000 - Number(accessTime));
    if (skew > ctx.limits.accessTimeSkewSeconds) {
      throw ApiError.invalid('invalidAccessTime', `Access-Time is ${Math.round(skew)} s away from the server clock`);
    }

    if (!signature) throw ApiError.invalid('invalidCredentials', 'Missing header Access-Signature');
    const message = Buffer.concat([Buffer.from(`${accessId}:${accessTime}:`, 'utf8'), rawBody(req)]);
    let valid = false;
    try {
      const der = Buffer.from(signature, 'base64');
      valid = crypto.verify('sha256', message, { key: keyFor(publicKeyPem), dsaEncoding: 'der' }, der);
    } catch {
      valid = false; // malformed DER: same answer as a wrong signature
    }
    if (!valid) throw ApiError.invalid('invalidCredentials', BAD_SIGNATURE);
    next();
  };
}
