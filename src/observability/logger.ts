import pino from 'pino';

/**
 * Structured JSON logs. Redaction is a safety net: code never logs keys or payer data on purpose,
 * but a stray object holding the SDK user (whose `pem` is the private key) must not leak it either.
 */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: { service: process.env.SERVICE_NAME },
  redact: {
    paths: ['*.privateKey', '*.pem', 'privateKey', 'pem', '*.user', 'user', '*.taxId', 'taxId', '*.name', 'headers'],
    censor: '[redacted]',
  },
});

export type Logger = pino.Logger;
