import type { UpdateDefinition } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { operatorName, operatorNote } from '../domain/arguments';
import { integer, optional, strictObject, text, type Parsed } from '../domain/schema';
import { payoutWorkflowId } from '../domain/payoutIds';
import type { TransferLookup } from './activityTypes';
import type { Approval } from '../domain/sendGate';
import type { CreditedInvoice, TransferSnapshot, TransferStatus } from '../domain/types';
import { PayoutStatusKey } from '../temporal/searchAttributes';
import type { DecisionEntry } from './decisionRecordDefinitions';

/**
 * The payout workflow's contract: its type name, input, state, signals, query and updates, and how clients find
 * payouts. Clients (the event dispatcher, the operator CLI, gauges, recovery) import this module, never the workflow.
 */

export const PAYOUT_WORKFLOW_TYPE = 'payout';

export interface PayoutInput {
  invoiceId: string;
  /** How often to re-check a transfer when no transfer event arrives (defaults: 2 s doubling up to 10 min). */
  poll?: { firstSeconds: number; maxSeconds: number };
  /** How long to wait for a credited log that is not there yet (defaults: 10 s doubling, 5 waits). */
  creditWait?: { firstSeconds: number; waits: number };
  /** Continue as new once history reaches this many events (the server's own suggestion applies too). */
  historyLimit?: number;
  /** An operator restarted the payout of an invoice whose earlier payout had closed. */
  restartedBy?: DecisionEntry;
  /** Everything an earlier run of this payout knew, when it continued as new. */
  carried?: CarriedPayout;
}

/** The decisions a payout can wait for; each is an Update of the same name. */
export const PAYOUT_DECISIONS = ['approve', 'reject', 'retry'] as const;
export type PayoutDecision = (typeof PAYOUT_DECISIONS)[number];

/** Statuses in which a running payout waits for a person to decide. */
export const WAITS_FOR_PERSON = ['AwaitingApproval', 'NeedsAttention', 'TransferFailed'] as const;
export type WaitingStatus = (typeof WAITS_FOR_PERSON)[number];

/**
 * Where a payout is (the README's state diagram). Every step can be run again from its start, which is what
 * continue-as-new relies on: the step is carried with the rest of the payout's state.
 */
export type PayoutStep =
  /** Read the credited invoice, take over what earlier runs sent, apply the guardrails. */
  | { name: 'check' }
  /** Create the transfer of this attempt through the send gate. */
  | { name: 'send'; attempt: number; approval?: Approval }
  /** A send failed: find out whether its transfer was made anyway. */
  | { name: 'settle'; attempt: number; since: string; failure: string }
  /**
   * Follow a transfer to a final status. `day` is the business day its amount was granted on, when known;
   * `lookNow`: a person asked to look again, before anything else.
   */
  | {
      name: 'follow';
      attempt: number;
      transfer: TransferSnapshot;
      day?: string;
      pollSeconds: number;
      lookNow?: boolean;
      /** Read with the lookup that found it succeeded: what is owed now, and a late rejection. */
      succeeded?: TransferLookup['succeeded'];
    }
  /** Wait for a person: `then` is what approve or retry goes on with; reject ends the payout. */
  | {
      name: 'waitForPerson';
      status: WaitingStatus;
      waitsFor: PayoutDecision[];
      then: PayoutStep;
      /** What an approval covers (a transfer a guardrail or the day's maximum stopped). */
      approves?: Approval;
    }
  | { name: 'done' };

export type StepNamed<N extends PayoutStep['name']> = Extract<PayoutStep, { name: N }>;

/** A decision accepted by its Update but not yet carried out. */
export interface PendingDecision {
  action: PayoutDecision;
  entry: DecisionEntry;
  /** The Update that carried it, whose request names the client that sent it. */
  acceptedIn?: { runId: string; updateId: string };
}

/** The whole of a payout's memory, carried across continue-as-new as one piece. */
export interface CarriedPayout {
  state: PayoutState;
  step: PayoutStep;
  creditedEvent?: CreditedEvent;
  decision?: PendingDecision;
  /** The four-eyes threshold the payout is held under (PAYOUT_SECOND_APPROVAL_CENTS when it checked, or lower). */
  secondApprovalCents?: number;
}

export type PayoutWorkflow = (input: PayoutInput) => Promise<PayoutState>;

/**
 * What an operator sends to approve, reject or retry a payout, from the CLI or as the Web UI's Update argument
 * (`{"operator": "ana", "note": "known payer"}`). Unknown fields are refused: a typo must not drop the operator.
 */
export const operatorDecisionSchema = strictObject({ operator: operatorName, note: operatorNote });
export type OperatorDecision = Parsed<typeof operatorDecisionSchema>;

/** A credited-invoice webhook event, as handed to the payout workflow. */
export const creditedEventSchema = strictObject({
  eventId: text({ min: 1 }),
  amount: integer(),
  fee: optional(integer()),
  workspaceId: optional(text()),
});
export type CreditedEvent = Parsed<typeof creditedEventSchema>;

/** A transfer webhook event, as handed to the payout workflow. */
export const transferEventSchema = strictObject({
  eventId: text({ min: 1 }),
  transferId: text({ min: 1 }),
  status: text(),
});
export type TransferEvent = Parsed<typeof transferEventSchema>;

export const PAYOUT_STATUSES = [
  'Received',
  'AwaitingApproval',
  'Approved',
  'Paused',
  'Sending',
  'Retrying',
  'Rejecting',
  'NeedsAttention',
  'Succeeded',
  'TransferFailed',
  'Rejected',
  'NothingToSend',
  'Invalid',
] as const;
export type PayoutStatus = (typeof PAYOUT_STATUSES)[number];

export interface TransferAttempt {
  attempt: number;
  externalId: string;
  transferId?: string;
  status: TransferStatus;
  failureReason?: string;
}

export interface PayoutState {
  invoiceId: string;
  status: PayoutStatus;
  credited?: CreditedInvoice;
  /** Credited minus fee. */
  netCents?: number;
  /** What the payer got back before the transfer was made: not sent. */
  reversedCents?: number;
  /** What the transfer sends: net minus reversed, read from the API as it is created (0: nothing left). */
  sendCents?: number;
  /** The reversal loss: what the payer got back after the transfer was made, money that left; a case for a person. */
  reversalLossCents?: number;
  /** Why the payout waits for a person, ended without a transfer, or what happened on the way. */
  reasons: string[];
  attempts: TransferAttempt[];
  eventIds: string[];
  /** The decisions the payout waits for now; none while it works or once a person has decided. */
  waitsFor: PayoutDecision[];
  /** Every operator decision on this payout, oldest first (also kept in the invoice's decision record). */
  decisions: DecisionEntry[];
  /** A transient error being retried (Stark Bank down): visible, nobody needs to act. */
  retrying?: string;
}

/** Statuses an operator decision passes through while the payout carries it out. */
export const CARRYING_OUT: Record<PayoutDecision, PayoutStatus> = {
  approve: 'Approved',
  reject: 'Rejecting',
  retry: 'Retrying',
};

/** The visibility query that lists payouts: of a task queue, in a status, running or not. */
export function payoutListQuery({
  taskQueue,
  status,
  running,
}: { taskQueue?: string; status?: PayoutStatus; running?: boolean } = {}): string {
  // Statuses come from a fixed list and task queues from configuration, so both are safe in the query.
  return [
    `WorkflowType="${PAYOUT_WORKFLOW_TYPE}"`,
    ...(running ? ['ExecutionStatus="Running"'] : []),
    ...(taskQueue ? [`TaskQueue="${taskQueue}"`] : []),
    ...(status ? [`${PayoutStatusKey.name}="${status}"`] : []),
  ].join(' AND ');
}

/** The invoice a payout's workflow id stands for (the inverse of payoutWorkflowId). */
export function invoiceIdOfWorkflow(workflowId: string): string {
  const prefix = payoutWorkflowId('');
  return workflowId.startsWith(prefix) ? workflowId.slice(prefix.length) : workflowId;
}

export const invoiceCreditedSignal = defineSignal<[CreditedEvent]>('invoiceCredited');
export const transferUpdatedSignal = defineSignal<[TransferEvent]>('transferUpdated');
/** Sent by the operator's "resume all payouts" so paused payouts go on at once instead of at their next check. */
export const resumeSignal = defineSignal('resume');
/** Sent by reconciliation to make a payout look its transfer up now instead of at its next poll. */
export const lookUpTransferSignal = defineSignal('lookUpTransfer');
export const payoutStateQuery = defineQuery<PayoutState>('state');
/** One Update per decision, named after it; each returns the payout's state once it accepted the decision. */
export const decisionUpdates: Record<PayoutDecision, UpdateDefinition<PayoutState, [OperatorDecision]>> = {
  approve: defineUpdate<PayoutState, [OperatorDecision]>('approve'),
  reject: defineUpdate<PayoutState, [OperatorDecision]>('reject'),
  retry: defineUpdate<PayoutState, [OperatorDecision]>('retry'),
};
export const { approve: approveUpdate, reject: rejectUpdate, retry: retryUpdate } = decisionUpdates;
