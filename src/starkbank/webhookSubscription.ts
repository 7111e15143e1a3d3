import starkbank from 'starkbank';
import { z } from 'zod';
import { collect } from './list';
import type { StarkUser } from './user';

const webhookSchema = z.object({ id: z.string(), url: z.string(), subscriptions: z.array(z.string()) });
const SUBSCRIPTIONS = ['invoice', 'transfer'];

/** Makes sure Stark Bank (or the emulator) delivers invoice and transfer events to `url`, exactly once. */
export async function ensureWebhookSubscription(user: StarkUser, url: string): Promise<'created' | 'exists'> {
  const existing = await collect(starkbank.webhook.query({ user }), webhookSchema);
  const match = existing.find((w) => w.url === url && SUBSCRIPTIONS.every((s) => w.subscriptions.includes(s)));
  if (match) return 'exists';
  await starkbank.webhook.create({ url, subscriptions: SUBSCRIPTIONS, user });
  return 'created';
}
