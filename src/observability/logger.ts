import pino from 'pino';

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

/**
 * pino-pretty is a dev dependency, loaded only when pretty lines are asked for: the production image has JSON
 * logs and does not carry it.
 */
function prettyStream(): pino.DestinationStream {
  let pretty: typeof import('pino-pretty').build;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand, see above
    pretty = (require('pino-pretty') as typeof import('pino-pretty')).build;
  } catch {
    throw new Error('LOG_FORMAT=pretty needs pino-pretty, a dev dependency (npm ci without --omit=dev)');
  }
  return pretty({ sync: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,service' });
}

export const logger = process.env.LOG_FORMAT === 'pretty' ? pino(options, prettyStream()) : pino(options);

/** Errors only, on stderr: for a command whose stdout is its report (ops replay). */
export function stderrErrorLogger(): pino.Logger {
  return pino({ ...options, level: 'error' }, pino.destination(2));
}

export type Logger = pino.Logger;
