import { z } from 'zod';
import { duration, httpUrl, port } from './fields';
import { defineSection } from './section';

const schema = z.object({
  WEBHOOK_HOST: z.string().default('0.0.0.0'),
  // The HTTPS address Stark Bank can reach (a tunnel or load balancer); `npm run dev` registers it.
  WEBHOOK_PUBLIC_URL: httpUrl().optional(),
  WEBHOOK_PORT: port(3000),
  WEBHOOK_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(64 * 1024),
  // On SIGTERM the webhook answers /readyz 503 this long (the load balancer takes it out) while still serving,
  // then stops accepting and lets in-flight requests finish.
  WEBHOOK_DRAIN_TIME: duration.default('5s'),
  // Idle keep-alive connections are kept longer than a load balancer's idle timeout (60 s on AWS ALB and GCP),
  // so the balancer, not the webhook, closes them: a webhook closing first races a reused socket (a 502).
  WEBHOOK_KEEP_ALIVE_TIMEOUT: duration.default('65s'),
});

export const webhookSection = defineSection(schema, (e) => ({
  webhook: {
    host: e.WEBHOOK_HOST,
    port: e.WEBHOOK_PORT,
    maxBodyBytes: e.WEBHOOK_MAX_BODY_BYTES,
    publicUrl: e.WEBHOOK_PUBLIC_URL,
    drainTime: e.WEBHOOK_DRAIN_TIME,
    keepAliveTimeout: e.WEBHOOK_KEEP_ALIVE_TIMEOUT,
  },
}));
