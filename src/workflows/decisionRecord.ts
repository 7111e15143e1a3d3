import {
  allHandlersFinished,
  condition,
  continueAsNew,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { parse } from '../domain/schema';
import { DecisionStateKey, InvoiceIdKey } from '../temporal/searchAttributes';
import {
  ACKNOWLEDGED_CASES,
  decisionEntrySchema,
  decisionRecordQuery,
  decisionStateOf,
  openingCaseSchema,
  openCaseUpdate,
  RECORD_MEMO_KEY,
  recordDecisionUpdate,
  type DecisionRecordState,
} from './decisionRecordDefinitions';

/**
 * An invoice's operator decisions and open cases, kept for as long as the deployment runs: it never completes, so
 * Temporal's retention never deletes it, and its history stays short by continuing as new with its state.
 */
export async function decisionRecord(initial: DecisionRecordState): Promise<void> {
  const record: DecisionRecordState = { ...initial, entries: [...initial.entries], openCases: [...initial.openCases] };
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
  setHandler(
    recordDecisionUpdate,
    (raw: unknown) => {
      const entry = parse(decisionEntrySchema, raw, 'recordDecision');
      if (record.entries.some((e) => e.id === entry.id)) return record;
      record.entries.push(entry);
      if (entry.action === 'reject' || entry.action === 'restart') {
        record.rejected = entry.action === 'reject' ? entry : undefined;
        // Either resolves what waited for a person to pay or not; money that already left still needs acknowledging.
        record.openCases = record.openCases.filter((c) => ACKNOWLEDGED_CASES.includes(c.kind));
      } else if (entry.action === 'acknowledge') {
        const loss = record.openCases.find((c) => c.kind === 'reversal-loss');
        if (loss) record.acknowledgedLossCents = loss.lossCents;
        record.openCases = record.openCases.filter((c) => !ACKNOWLEDGED_CASES.includes(c.kind));
      }
      publish();
      return record;
    },
    // Refused, not recorded, when malformed: the audit trail reads only entries that name who decided.
    { validator: (raw: unknown) => void parse(decisionEntrySchema, raw, 'recordDecision') },
  );
  setHandler(
    openCaseUpdate,
    (raw: unknown) => {
      const opened = parse(openingCaseSchema, raw, 'openCase');
      const open = record.openCases.find((c) => c.kind === opened.kind);
      const worthOpening =
        opened.kind === 'reversal-loss'
          ? // Money already left, whatever an operator decided before: open unless this loss is known or acknowledged.
            (opened.lossCents ?? 0) > Math.max(open?.lossCents ?? 0, record.acknowledgedLossCents ?? 0)
          : // A rejected invoice is resolved: nothing re-opens that on its own, except money that left despite it.
            !open && (opened.kind === 'sent-despite-rejection' || !record.rejected);
      if (worthOpening) {
        record.openCases = [
          ...record.openCases.filter((c) => c.kind !== opened.kind),
          { ...opened, since: new Date().toISOString() },
        ];
        publish();
      }
      return record;
    },
    { validator: (raw: unknown) => void parse(openingCaseSchema, raw, 'openCase') },
  );

  publish();
  await condition(() => workflowInfo().continueAsNewSuggested && allHandlersFinished());
  await continueAsNew<typeof decisionRecord>(record);
}
