import { defineSearchAttributeKey } from '@temporalio/common';

// Custom search attributes that make payouts, decision records and batches findable in the Temporal Web UI. They
// hold ids, statuses and amounts only, never personal data. Imported by workflows (to upsert), clients (to start
// and list) and the set-up (to register).
export const InvoiceIdKey = defineSearchAttributeKey('InvoiceId', 'KEYWORD');
export const PayoutStatusKey = defineSearchAttributeKey('PayoutStatus', 'KEYWORD');
export const PayoutAmountKey = defineSearchAttributeKey('PayoutAmount', 'INT');
export const TransferIdKey = defineSearchAttributeKey('TransferId', 'KEYWORD');
export const BatchIdKey = defineSearchAttributeKey('BatchId', 'KEYWORD');
export const DecisionStateKey = defineSearchAttributeKey('DecisionState', 'KEYWORD');

export const customSearchAttributes = [
  InvoiceIdKey,
  PayoutStatusKey,
  PayoutAmountKey,
  TransferIdKey,
  BatchIdKey,
  DecisionStateKey,
];
