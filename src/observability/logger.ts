import pino from 'pino';
import pretty from 'pino-pretty';

/**
 * Structured JSON logs, or readable lines with LOG_FORMAT=pretty (npm run dev). Redaction is a safety net: code
 * never logs keys or payer data on purpose, but a stray object holding the SDK user (whose `pem` is the private
 * key) must not leak it either.
 */
const options: pino.LoggerOptions = {
  level: process.env.LOG_LEVEL ?? 'info',
  base: { service: process.env.SERVICE_NAME },
  redact: {
    paths: ['*.privateKey', '*.pem', 'privateKey', 'pem', '*.user', 'user', '*.taxId', 'taxId', '*.name', 'headers'],
    censor: '[redacted]',
  },
};

export const logger =
  process.env.LOG_FORMAT === 'pretty'
    ? pino(options, pretty({ sync: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,service' }))
    : pino(options);

export type Logger = pino.Logger;
