import {
  allHandlersFinished,
  condition,
  continueAsNew,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { DecisionStateKey, InvoiceIdKey } from '../temporal/searchAttributes';
import {
  decisionRecordQuery,
  decisionStateOf,
  openCaseUpdate,
  RECORD_MEMO_KEY,
  recordDecisionUpdate,
  type DecisionRecordState,
} from './decisionRecordDefinitions';

/**
 * An invoice's operator decisions and open case, kept for as long as the deployment runs: it never completes, so
 * Temporal's retention never deletes it, and its history stays short by continuing as new with its state.
 */
export async function decisionRecord(initial: DecisionRecordState): Promise<void> {
  const record: DecisionRecordState = { ...initial, entries: [...initial.entries] };
  let published = '';
  /** Search attribute and memo follow the state, written only when they change. */
  const publish = () => {
    const state = decisionStateOf(record);
    if (state !== published) {
      upsertSearchAttributes([
        { key: InvoiceIdKey, value: record.invoiceId },
        { key: DecisionStateKey, value: state },
      ]);
      published = state;
    }
    upsertMemo({ [RECORD_MEMO_KEY]: record });
  };

  setHandler(decisionRecordQuery, () => record);
  setHandler(recordDecisionUpdate, (entry) => {
    if (record.entries.some((e) => e.id === entry.id)) return record;
    record.entries.push(entry);
    if (entry.action === 'reject') {
      record.rejected = entry;
      record.openCase = undefined;
    } else if (entry.action === 'restart') {
      record.rejected = undefined;
      record.openCase = undefined;
    } else if (entry.action === 'acknowledge' && record.openCase?.kind === 'reversed-after-payout') {
      record.acknowledgedLossCents = record.openCase.lossCents;
      record.openCase = undefined;
    }
    publish();
    return record;
  });
  setHandler(openCaseUpdate, (opened) => {
    if (opened.kind === 'reversed-after-payout') {
      // Money already left, whatever an operator decided before: open unless this loss is known or acknowledged.
      const open = record.openCase?.kind === opened.kind ? (record.openCase.lossCents ?? 0) : 0;
      if ((opened.lossCents ?? 0) > Math.max(open, record.acknowledgedLossCents ?? 0)) {
        record.openCase = { ...opened, since: new Date().toISOString() };
        publish();
      }
      return record;
    }
    // A rejected invoice is resolved: an operator said no, and nothing re-opens that on its own.
    if (!record.rejected && record.openCase?.kind !== opened.kind) {
      record.openCase = { ...opened, since: new Date().toISOString() };
      publish();
    }
    return record;
  });

  publish();
  await condition(() => workflowInfo().continueAsNewSuggested && allHandlersFinished());
  await continueAsNew<typeof decisionRecord>(record);
}
