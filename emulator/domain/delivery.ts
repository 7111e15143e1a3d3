import crypto, { type KeyObject } from 'node:crypto';
import type http from 'node:http';
import { scaled, type EmulatorContext } from './context';
import { takeFaultRule } from './faultRules';
import { pythonJsonDumps } from './pythonJson';
import type { Job } from './state';
import type { StarkEvent } from './types';
import { postWebhook } from './webhookPost';

type DeliverJob = Extract<Job, { kind: 'deliver' }>;

/** Stark Bank retries a failed delivery 5, 30 and 120 minutes later, then gives up. */
export const RETRY_DELAYS_MS = [5 * 60_000, 30 * 60_000, 120 * 60_000] as const;

/** The exact bytes Stark Bank would send: `{"event": {...}}` without `isDelivered`, sorted-key Python style. */
export function webhookBody(event: StarkEvent): Buffer {
  const { isDelivered: _omitted, ...delivered } = event;
  return Buffer.from(pythonJsonDumps({ event: delivered }), 'utf8');
}

export function signBody(body: Buffer, key: KeyObject): string {
  return crypto.sign('sha256', body, { key, dsaEncoding: 'der' }).toString('base64');
}

export class DeliveryService {
  private readonly inFlight = new Set<http.ClientRequest>();

  constructor(
    private readonly ctx: EmulatorContext,
    private readonly signingKey: KeyObject,
  ) {
    ctx.scheduler.handle('deliver', (job) => this.deliver(job));
  }

  enqueue(event: StarkEvent): void {
    for (const webhook of this.ctx.state.webhooks) {
      if (!webhook.subscriptions.includes(event.subscription)) continue;
      const job = { kind: 'deliver', eventId: event.id, webhookId: webhook.id, attempt: 0, duplicate: false } as const;
      this.ctx.scheduler.schedule(job, 0);
    }
  }

  pause(): void {
    this.ctx.faults = { ...this.ctx.faults, deliveriesPaused: true };
  }

  /** Sends everything held during the pause (shuffled when out-of-order delivery is on). */
  resume(): void {
    this.ctx.faults = { ...this.ctx.faults, deliveriesPaused: false };
    const held = this.ctx.state.heldDeliveries.splice(0);
    const ordered = this.ctx.faults.outOfOrderDelivery ? this.ctx.random.delivery.shuffle(held) : held;
    for (const { id: _id, dueAt: _dueAt, ...job } of ordered) this.ctx.scheduler.schedule(job, 0);
    this.ctx.saver.changed();
  }

  /** Aborts deliveries in flight (their jobs are gone; with a state file they are not retried). */
  close(): void {
    for (const request of this.inFlight) request.destroy();
    this.inFlight.clear();
  }

  private jitter(): number {
    return this.ctx.random.delivery.int(0, this.ctx.faults.outOfOrderMaxDelayMs);
  }

  private async deliver(job: DeliverJob): Promise<void> {
    const { ctx } = this;
    if (ctx.faults.deliveriesPaused) {
      ctx.state.heldDeliveries.push(job);
      ctx.saver.changed();
      return;
    }
    if (ctx.faults.outOfOrderDelivery && !job.jittered) {
      // Each delivery waits a random while, so later events overtake earlier ones.
      const { id: _id, dueAt: _dueAt, ...rest } = job;
      ctx.scheduler.schedule({ ...rest, jittered: true }, this.jitter());
      return;
    }
    const event = ctx.state.events.find((e) => e.id === job.eventId);
    const webhook = ctx.state.webhooks.find((w) => w.id === job.webhookId);
    if (!event || !webhook) return; // deleted meanwhile: Stark Bank stops too
    const body = webhookBody(event);
    const headers = {
      'Digital-Signature': signBody(body, this.signingKey),
      'User-Agent': 'starkbank-emulator-emulator',
    };
    const result = await postWebhook(webhook.url, body, headers, ctx.limits.deliveryTimeoutMs, (request) => {
      this.inFlight.add(request);
      return () => this.inFlight.delete(request);
    });
    ctx.logger.debug({ eventId: event.id, url: webhook.url, attempt: job.attempt, result }, 'webhook delivery');
    if (job.duplicate) return;
    if (result.ok) {
      event.isDelivered = true;
      if (this.shouldDuplicate(event)) ctx.scheduler.schedule({ ...job, duplicate: true }, 10);
    } else {
      const { code, message } = result;
      const attempt = {
        id: ctx.newId(),
        code,
        message,
        webhookId: webhook.id,
        eventId: event.id,
        created: ctx.clock.timestamp(),
      };
      ctx.state.attempts.push(attempt);
      const retryIn = RETRY_DELAYS_MS[job.attempt];
      if (retryIn !== undefined) ctx.scheduler.schedule({ ...job, attempt: job.attempt + 1 }, scaled(ctx, retryIn));
    }
    ctx.saver.changed();
  }

  private shouldDuplicate(event: StarkEvent): boolean {
    const { faults } = this.ctx;
    const rule = takeFaultRule(
      this.ctx,
      (r) =>
        r.kind === 'duplicateDelivery' &&
        (!r.subscription || r.subscription === event.subscription) &&
        (!r.logType || r.logType === event.log.type),
    );
    if (rule) return true;
    return this.ctx.random.faults.chance(faults.duplicateDeliveryRate);
  }
}
