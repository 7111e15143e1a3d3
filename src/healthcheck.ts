import { z } from 'zod';

/**
 * The image's HEALTHCHECK for the worker and the webhook: both serve `/healthz` on their admin port, so one check
 * fits either process. Exit 0 when it answers 200 within a few seconds, 1 otherwise. Reads the two settings it
 * needs only, so a check never fails on configuration the process itself accepted.
 */
const env = z
  .object({
    ADMIN_HOST: z.string().min(1).default('127.0.0.1'),
    ADMIN_PORT: z.coerce.number().int().min(1).max(65535).default(9464),
  })
  .parse(process.env);
const host = env.ADMIN_HOST === '0.0.0.0' ? '127.0.0.1' : env.ADMIN_HOST;

fetch(`http://${host}:${env.ADMIN_PORT}/healthz`, { signal: AbortSignal.timeout(4_000) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
);
