import { defineSearchAttributeKey } from '@temporalio/common';

// Custom search attributes that make payouts and batches findable in the Temporal Web UI.
// Imported by workflows (to upsert), clients (to start/list) and the dev server set-up (to register).
export const InvoiceIdKey = defineSearchAttributeKey('InvoiceId', 'KEYWORD');
export const PayoutStatusKey = defineSearchAttributeKey('PayoutStatus', 'KEYWORD');
export const PayoutAmountKey = defineSearchAttributeKey('PayoutAmount', 'INT');
export const TransferIdKey = defineSearchAttributeKey('TransferId', 'KEYWORD');
export const BatchIdKey = defineSearchAttributeKey('BatchId', 'KEYWORD');

export const customSearchAttributes = [InvoiceIdKey, PayoutStatusKey, PayoutAmountKey, TransferIdKey, BatchIdKey];
