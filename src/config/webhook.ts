import { z } from 'zod';
import { httpUrl, port } from './fields';
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
});

export const webhookSection = defineSection(schema, (e) => ({
  webhook: {
    host: e.WEBHOOK_HOST,
    port: e.WEBHOOK_PORT,
    maxBodyBytes: e.WEBHOOK_MAX_BODY_BYTES,
    publicUrl: e.WEBHOOK_PUBLIC_URL,
  },
}));
