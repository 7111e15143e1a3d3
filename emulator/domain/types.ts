/** Resource shapes as the Stark Bank API serialises them (field names from the SDK resource classes). */

export type InvoiceStatus = 'created' | 'paid' | 'canceled' | 'overdue' | 'expired';
export type InvoiceLogType =
  'created' | 'updated' | 'paid' | 'credited' | 'reversed' | 'canceled' | 'overdue' | 'expired';

export interface Invoice {
  id: string;
  amount: number;
  nominalAmount: number;
  fineAmount: number;
  interestAmount: number;
  discountAmount: number;
  fee: number;
  status: InvoiceStatus;
  name: string;
  taxId: string;
  due: string;
  expiration: number;
  fine: number;
  interest: number;
  discounts: { percentage: number; due: string }[];
  descriptions: { key: string; value?: string }[];
  tags: string[];
  rules: { key: string; value?: unknown }[];
  splits: unknown[];
  displayDescription: string;
  brcode: string;
  link: string;
  pdf: string;
  transactionIds: string[];
  created: string;
  updated: string;
}

export interface InvoiceLog {
  id: string;
  type: InvoiceLogType;
  created: string;
  errors: string[];
  invoice: Invoice;
}

export type TransferStatus = 'created' | 'processing' | 'success' | 'failed' | 'canceled';
export type TransferLogType = 'created' | 'sending' | 'success' | 'failed' | 'canceled';

export interface Transfer {
  id: string;
  amount: number;
  name: string;
  taxId: string;
  bankCode: string;
  branchCode: string;
  accountNumber: string;
  accountType: string;
  externalId: string;
  tags: string[];
  status: TransferStatus;
  fee: number;
  scheduled: string;
  description: string;
  displayDescription: string;
  rules: { key: string; value?: unknown }[];
  metadata: Record<string, unknown>;
  transactionIds: string[];
  created: string;
  updated: string;
}

export interface TransferLog {
  id: string;
  type: TransferLogType;
  created: string;
  errors: string[];
  transfer: Transfer;
}

export type Subscription = 'invoice' | 'transfer';

export interface StarkEvent {
  id: string;
  created: string;
  isDelivered: boolean;
  subscription: Subscription;
  workspaceId: string;
  log: InvoiceLog | TransferLog;
}

export interface EventAttempt {
  id: string;
  code: 'badHttpStatus' | 'badConnection' | 'timeout';
  message: string;
  webhookId: string;
  eventId: string;
  created: string;
}

export interface Webhook {
  id: string;
  url: string;
  subscriptions: string[];
}

export interface Balance {
  id: string;
  amount: number;
  currency: 'BRL';
  updated: string;
}
