import assert from 'node:assert/strict';
import { AxiosError } from 'axios';
// The SDK throws starkcore's classes (not starkbank.error's), so the test builds those real errors.
import { InputErrors, InternalServerError } from 'starkcore/starkcore/error.js';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { starkCall } from '../../src/activities/starkCall';
import { ErrorTypes } from '../../src/domain/errorTypes';
import { classifyStarkError } from '../../src/starkbank/errors';

function axiosError(code: string | undefined, status?: number): AxiosError {
  const err = new AxiosError('request failed', code);
  if (status) {
    err.response = { status, data: {}, statusText: '', headers: {}, config: { headers: {} } } as AxiosError['response'];
  }
  return err;
}

describe('classifyStarkError', () => {
  it('treats API input errors as non-retryable, keeping their codes', () => {
    const err = new InputErrors({ errors: [{ code: 'invalidTaxId', message: 'bad tax id' }] }, 400);
    const c = classifyStarkError(err);
    assert.equal(c.kind, 'input');
    assert.deepEqual(c.codes, ['invalidTaxId']);
    assert.match(c.message, /invalidTaxId: bad tax id/);
  });

  it('retries 500s, other 5xx, 429 and network errors', () => {
    assert.equal(classifyStarkError(new InternalServerError({ errors: [] }, 500)).kind, 'transient');
    assert.equal(classifyStarkError(axiosError('ERR_BAD_RESPONSE', 503)).kind, 'transient');
    assert.equal(classifyStarkError(axiosError('ERR_BAD_REQUEST', 429)).kind, 'transient');
    assert.equal(classifyStarkError(axiosError('ECONNRESET')).kind, 'transient');
    assert.equal(classifyStarkError(new Error('socket hang up')).kind, 'transient');
  });

  it('retries an answer it cannot read only a few times: a schema drift or a shape our code did not expect', async () => {
    const drift = z.object({ amount: z.number() }).safeParse({ amount: '10' }).error;
    assert.ok(drift);
    for (const err of [
      drift,
      new TypeError("Cannot read properties of undefined (reading 'id')"),
      new SyntaxError('x'),
    ]) {
      const c = classifyStarkError(err);
      assert.equal(c.kind, 'unexpected');
      assert.equal(c.mayHaveCommitted, true, 'it may be the answer to a committed write');
    }
    assert.deepEqual(classifyStarkError(new RangeError('Invalid time value')), {
      kind: 'unexpected',
      codes: [],
      message: 'unexpected answer (Invalid time value)',
      mayHaveCommitted: true,
    });
    // An answer with an HTTP status is classified by its status, whatever the error's class.
    assert.equal(classifyStarkError(Object.assign(new TypeError('bad gateway'), { status: 502 })).kind, 'transient');
    const failure = await starkCall('read transfer', () => Promise.reject(drift)).catch((err: unknown) => err);
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, ErrorTypes.unexpected);
    assert.equal(failure.nonRetryable, false, 'retried by the policy, up to its attempts');
    assert.match(failure.message, /^read transfer: unexpected answer \(.*expected number/s);
  });

  it('recognises 404 and refuses other 4xx', () => {
    assert.equal(classifyStarkError(axiosError('ERR_BAD_REQUEST', 404)).kind, 'notFound');
    assert.equal(classifyStarkError(axiosError('ERR_BAD_REQUEST', 403)).kind, 'input');
  });

  it('says exactly when a write may have committed without an answer: only a request that never left did not', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']) {
      assert.deepEqual(classifyStarkError(axiosError(code)), {
        kind: 'transient',
        codes: [],
        message: `Stark Bank unavailable (${code})`,
        mayHaveCommitted: false,
      });
    }
    assert.equal(classifyStarkError(axiosError('ECONNRESET')).mayHaveCommitted, true);
    assert.equal(classifyStarkError(axiosError('ECONNABORTED')).mayHaveCommitted, true, 'a timeout');
    assert.deepEqual(classifyStarkError(axiosError('ERR_BAD_RESPONSE', 503)), {
      kind: 'transient',
      codes: [],
      message: 'Stark Bank unavailable (HTTP 503)',
      mayHaveCommitted: true,
    });
    assert.equal(classifyStarkError(axiosError('ERR_BAD_REQUEST', 429)).mayHaveCommitted, false, 'rate limited');
    assert.equal(classifyStarkError(axiosError('ERR_BAD_REQUEST', 408)).kind, 'transient');
    assert.equal(classifyStarkError(axiosError('ERR_BAD_REQUEST', 408)).mayHaveCommitted, true);
    assert.deepEqual(classifyStarkError(new Error('socket hang up')), {
      kind: 'transient',
      codes: [],
      message: 'Stark Bank unavailable (socket hang up)',
      mayHaveCommitted: true,
    });
    assert.equal(classifyStarkError('thrown string').message, 'Stark Bank unavailable (thrown string)');
    const long = classifyStarkError(new Error('x'.repeat(500))).message;
    assert.equal(long, `Stark Bank unavailable (${'x'.repeat(200)})`);
    assert.equal(classifyStarkError('y'.repeat(500)).message, `Stark Bank unavailable (${'y'.repeat(200)})`);
  });

  it('answers a refusal with what it was, and nothing committed', () => {
    const err = new InputErrors(
      {
        errors: [
          { code: 'invalidTaxId', message: 'bad tax id' },
          { code: 'invalidAmount', message: 'too small' },
        ],
      },
      400,
    );
    assert.deepEqual(classifyStarkError(err), {
      kind: 'input',
      codes: ['invalidTaxId', 'invalidAmount'],
      message: 'Stark Bank refused the request (invalidTaxId: bad tax id; invalidAmount: too small)',
      mayHaveCommitted: false,
    });
    assert.deepEqual(classifyStarkError(axiosError('ERR_BAD_REQUEST', 404)), {
      kind: 'notFound',
      codes: [],
      message: 'Stark Bank answered 404 Not Found',
      mayHaveCommitted: false,
    });
    assert.deepEqual(classifyStarkError(axiosError('ERR_BAD_REQUEST', 400)), {
      kind: 'input',
      codes: [],
      message: 'Stark Bank answered HTTP 400',
      mayHaveCommitted: false,
    });
    // starkcore's own errors carry the status themselves, with no axios response.
    assert.equal(classifyStarkError(Object.assign(new Error('gone'), { status: 404 })).kind, 'notFound');
    assert.equal(classifyStarkError(Object.assign(new Error('forbidden'), { status: 403 })).kind, 'input');
    assert.equal(classifyStarkError(Object.assign(new Error('odd'), { status: 399 })).kind, 'transient');
  });

  it('never copies request headers into the message', () => {
    const err = axiosError('ECONNRESET');
    err.config = { headers: { 'Access-Signature': 'SECRET-SIGNATURE' } } as unknown as AxiosError['config'];
    assert.doesNotMatch(classifyStarkError(err).message, /SECRET/);
  });
});
