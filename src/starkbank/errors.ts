import { z } from 'zod';
import { errorMessage } from '../shared/errors';

/**
 * One classification of everything the starkbank SDK can throw, shared by every activity.
 *  - input: the API refused the request (HTTP 400 with an `errors` list). Retrying the same request cannot help.
 *  - notFound: HTTP 404.
 *  - transient: 5xx, 429, network errors, timeouts, dropped connections. Safe to retry because every side
 *    effect is looked up by its idempotency key before it is attempted again.
 *  - unexpected: an answer the product does not understand (a schema drift, a TypeError on its shape). Retried a
 *    few times, then a person looks: retrying it for ever would hide it.
 * API errors are starkcore classes, not starkbank.error ones, so they are recognised by shape, not instanceof.
 */
export type StarkErrorKind = 'input' | 'notFound' | 'transient' | 'unexpected';

export interface ClassifiedStarkError {
  kind: StarkErrorKind;
  /** Error codes reported by the API (input errors only). */
  codes: string[];
  /** A message safe to log and to store in workflow history: no headers, no keys, no request config. */
  message: string;
  /** A write may have been committed although no answer said so (timeouts, dropped connections, 5xx). */
  mayHaveCommitted: boolean;
}

// The request never reached Stark Bank: nothing can have been committed.
const NOT_SENT_CODES = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'];

const inputErrorsShape = z.object({
  status: z.literal(400),
  errors: z.array(z.object({ code: z.string(), message: z.string() })),
});
const httpStatusShape = z.object({ status: z.number().int() });
const axiosShape = z.object({
  code: z.string().optional(),
  response: z.object({ status: z.number().int() }).optional(),
});

export function classifyStarkError(err: unknown): ClassifiedStarkError {
  const input = inputErrorsShape.safeParse(err);
  if (input.success) {
    const codes = input.data.errors.map((e) => e.code);
    const detail = input.data.errors.map((e) => `${e.code}: ${e.message}`).join('; ');
    return { kind: 'input', codes, message: `Stark Bank refused the request (${detail})`, mayHaveCommitted: false };
  }
  const axios = axiosShape.safeParse(err);
  const status = axios.success ? axios.data.response?.status : undefined;
  const ownStatus = httpStatusShape.safeParse(err);
  const httpStatus = status ?? (ownStatus.success ? ownStatus.data.status : undefined);
  if (httpStatus === 404) {
    return { kind: 'notFound', codes: [], message: 'Stark Bank answered 404 Not Found', mayHaveCommitted: false };
  }
  if (httpStatus !== undefined && httpStatus >= 400 && httpStatus < 500 && httpStatus !== 408 && httpStatus !== 429) {
    return { kind: 'input', codes: [], message: `Stark Bank answered HTTP ${httpStatus}`, mayHaveCommitted: false };
  }
  if (httpStatus === undefined && isUnexpectedAnswer(err)) {
    // It may come from reading the answer to a write that was committed.
    return {
      kind: 'unexpected',
      codes: [],
      message: `unexpected answer (${messageOf(err)})`,
      mayHaveCommitted: true,
    };
  }
  const networkCode = axios.success ? axios.data.code : undefined;
  const what = httpStatus ? `HTTP ${httpStatus}` : (networkCode ?? messageOf(err));
  const mayHaveCommitted = httpStatus !== 429 && !(networkCode && NOT_SENT_CODES.includes(networkCode));
  return { kind: 'transient', codes: [], message: `Stark Bank unavailable (${what})`, mayHaveCommitted };
}

/** Errors of reading an answer, not of reaching the bank: our schemas, and code that met a shape it did not expect. */
function isUnexpectedAnswer(err: unknown): boolean {
  return (
    err instanceof z.ZodError || err instanceof TypeError || err instanceof SyntaxError || err instanceof RangeError
  );
}

// Only the message, kept short: axios errors also carry the request config (signed headers), never log those.
const messageOf = (err: unknown) => errorMessage(err).slice(0, 200);
