import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Failures keep their message and stack trace in an encoded payload, which the payload codec encrypts: a bank's
 * error can quote what it was sent. Loaded by path (`failureConverterPath`) so workflows use it too.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
