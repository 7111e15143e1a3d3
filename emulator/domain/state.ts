import type { TlsMaterial } from '../certificate';
import type { Balance, EventAttempt, Invoice, InvoiceLog, StarkEvent, Transfer, TransferLog, Webhook } from './types';

/** Work the emulator will do later. Jobs live in the state so a restart with a state file picks them up again. */
export type Job =
  | { id: string; dueAt: number; kind: 'payInvoice'; invoiceId: string }
  | { id: string; dueAt: number; kind: 'creditInvoice'; invoiceId: string; amount: number; fee: number }
  | { id: string; dueAt: number; kind: 'overdueInvoice'; invoiceId: string }
  | { id: string; dueAt: number; kind: 'expireInvoice'; invoiceId: string }
  | { id: string; dueAt: number; kind: 'sendTransfer'; transferId: string }
  | { id: string; dueAt: number; kind: 'settleTransfer'; transferId: string }
  | {
      id: string;
      dueAt: number;
      kind: 'deliver';
      eventId: string;
      webhookId: string;
      attempt: number;
      duplicate: boolean;
      /** Already held back once by the out-of-order fault. */
      jittered?: boolean;
    };

export type JobKind = Job['kind'];

/** Emulator-only facts about a transfer, never shown through the API. */
export interface TransferBookkeeping {
  /** Set when another transfer already used this transfer's externalId: it will fail. */
  duplicateOf?: string;
  /** Amount plus fee taken from the balance when the transfer started sending; returned if it fails. */
  debited: number;
}

export interface EmulatorState {
  version: 1;
  workspaceId: string;
  /** SPKI/SEC1 PEMs of the key that signs webhooks; persisted so consumers' cached public key stays valid. */
  eventKey: { publicKeyPem: string; privateKeyPem: string; created: string };
  /** The generated HTTPS certificate and key, reused at the next start while valid; made when missing. */
  tls?: TlsMaterial;
  /** Project id -> SPKI public key PEM. */
  projects: Record<string, string>;
  balance: Balance;
  invoices: Invoice[];
  invoiceLogs: InvoiceLog[];
  transfers: Transfer[];
  transferLogs: TransferLog[];
  transferBookkeeping: Record<string, TransferBookkeeping>;
  events: StarkEvent[];
  attempts: EventAttempt[];
  webhooks: Webhook[];
  jobs: Job[];
  /** Deliveries that came due while deliveries were paused. */
  heldDeliveries: Job[];
}

/** The plain-JSON view handed to tests and `GET /admin/state`. */
export type EmulatorSnapshot = Pick<
  EmulatorState,
  'balance' | 'invoices' | 'invoiceLogs' | 'transfers' | 'transferLogs' | 'events' | 'attempts' | 'webhooks'
> & { pendingJobs: number; heldDeliveries: number };

export function snapshotOf(state: EmulatorState): EmulatorSnapshot {
  const { balance, invoices, invoiceLogs, transfers, transferLogs, events, attempts, webhooks } = state;
  return structuredClone({
    balance,
    invoices,
    invoiceLogs,
    transfers,
    transferLogs,
    events,
    attempts,
    webhooks,
    pendingJobs: state.jobs.length,
    heldDeliveries: state.heldDeliveries.length,
  });
}

/** Empties every resource list and restores the balance, keeping identity (workspace, keys, projects). */
export function clearResources(state: EmulatorState, initialBalance: number, now: string): void {
  state.balance = { ...state.balance, amount: initialBalance, updated: now };
  state.invoices = [];
  state.invoiceLogs = [];
  state.transfers = [];
  state.transferLogs = [];
  state.transferBookkeeping = {};
  state.events = [];
  state.attempts = [];
  state.webhooks = [];
  state.jobs = [];
  state.heldDeliveries = [];
}
