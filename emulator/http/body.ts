import type { Request } from 'express';
import { ApiError } from '../domain/errors';

/** The exact bytes the client sent; express.raw leaves `body` undefined when there was none. */
export function rawBody(req: Request): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

/** The request body parsed as JSON (after the signature over the raw bytes was checked). */
export function jsonBody(req: Request): unknown {
  try {
    return JSON.parse(rawBody(req).toString('utf8')) as unknown;
  } catch {
    throw ApiError.invalid('invalidJson', 'The request body is not valid JSON');
  }
}

export function routeId(req: Request): string {
  const { id } = req.params;
  if (typeof id !== 'string') throw ApiError.invalid('invalidId', 'Missing id');
  return id;
}
