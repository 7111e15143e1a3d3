import client from 'prom-client';

/**
 * Prometheus metrics of this process (one registry per process), served at /metrics on its admin port. The
 * Temporal SDK's own runtime metrics (task latencies, slots, polls) are exported by its core on SDK_METRICS_ADDRESS.
 */
export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });

export const webhookRequests = new client.Counter({
  name: 'webhook_requests_total',
  help: 'Webhook requests by outcome (dispatch outcome, or why the request was refused)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const webhookSignatureFailures = new client.Counter({
  name: 'webhook_signature_failures_total',
  help: 'Requests refused because the Digital-Signature was missing or did not verify',
  registers: [registry],
});

export const webhookLatency = new client.Histogram({
  name: 'webhook_request_duration_seconds',
  help: 'Time to verify, parse and hand an event to Temporal',
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

export const webhookEvents = new client.Counter({
  name: 'webhook_events_total',
  help: 'Verified events by subscription and log type',
  labelNames: ['subscription', 'type'] as const,
  registers: [registry],
});

export const transfersCreated = new client.Counter({
  name: 'payout_transfers_created_total',
  help: 'Transfers created by payouts (not counting ones found by lookup after a lost response)',
  registers: [registry],
});

export const amountTransferred = new client.Counter({
  name: 'payout_transfer_amount_cents_total',
  help: 'Sum of the amounts of transfers created by payouts, in cents',
  registers: [registry],
});

export const transfersFailed = new client.Counter({
  name: 'payout_transfers_failed_total',
  help: 'Transfers of payouts that ended failed or canceled at Stark Bank, counted once when a payout learns it',
  registers: [registry],
});

export const reversalLosses = new client.Counter({
  name: 'payout_reversal_losses_total',
  help: 'Reversals after a payout sent its transfer: cases opened for an operator (the money cannot be pulled back)',
  registers: [registry],
});

export const reversalLossCents = new client.Counter({
  name: 'payout_reversal_loss_cents_total',
  help: 'Cents sent by payouts that the payers took back by reversals afterwards, counted when each case opens',
  registers: [registry],
});

export const sweepUnprocessableEvents = new client.Counter({
  name: 'sweep_unprocessable_events_total',
  help: 'Undelivered events the sweep could never process: reported once, then marked delivered',
  registers: [registry],
});

export const sweepUndeliveredEvents = new client.Counter({
  name: 'sweep_undelivered_events_total',
  help: 'Events the sweep found that Stark Bank had not delivered to the webhook (a backlog shows here)',
  registers: [registry],
});
