import type { Client } from '@temporalio/client';
import type { IssuanceConfig } from '../config';
import type { IssuanceInput } from '../domain/issuance';
import { issueInvoices } from '../workflows/issueInvoices';
import { ensureSchedule, type EnsureOutcome } from './ensureSchedule';

export function issuanceInput(cfg: IssuanceConfig): IssuanceInput {
  return { count: cfg.count, amountCents: cfg.amountCents, dueInDays: cfg.dueInDays };
}

/** The Temporal Schedule that runs the issuance workflow (every 3 h by default), created or reconciled. */
export function ensureInvoiceSchedule(client: Client, cfg: IssuanceConfig, taskQueue: string): Promise<EnsureOutcome> {
  return ensureSchedule(client, {
    scheduleId: cfg.scheduleId,
    spec: { intervals: [{ every: cfg.interval }], ...(cfg.endAt ? { endAt: new Date(cfg.endAt) } : {}) },
    action: {
      type: 'startWorkflow',
      workflowType: issueInvoices,
      taskQueue,
      args: [issuanceInput(cfg)],
      workflowId: `${cfg.scheduleId}-run`,
      staticSummary: `Issue ${cfg.count.min}-${cfg.count.max} invoices to random people`,
    },
    policies: { overlap: cfg.overlap, catchupWindow: cfg.catchupWindow },
    maxRuns: cfg.maxRuns,
  });
}
