import { log, setHandler } from '@temporalio/workflow';
import { parse } from '../domain/schema';
import type { PayoutProgress } from './payoutProgress';
import {
  creditedEventSchema,
  decisionUpdates,
  invoiceCreditedSignal,
  lookUpTransferSignal,
  operatorDecisionSchema,
  PAYOUT_DECISIONS,
  payoutStateQuery,
  resumeSignal,
  transferEventSchema,
  transferUpdatedSignal,
} from './payoutDefinitions';

/**
 * What a payout answers: its state query, the events and nudges it is signalled, and the operator's decisions as
 * Updates. Every argument is parsed here, so the payout's story (payout.ts) only ever sees well-formed messages.
 */
export function handlePayoutMessages(progress: PayoutProgress, invoiceId: string): void {
  setHandler(payoutStateQuery, () => progress.state);
  // A signal cannot be refused: a malformed one is logged and ignored, and the payout goes on as before it.
  setHandler(invoiceCreditedSignal, (event: unknown) =>
    heard('invoiceCredited', () => progress.onCreditedEvent(parse(creditedEventSchema, event, 'event'))),
  );
  setHandler(transferUpdatedSignal, (event: unknown) =>
    heard('transferUpdated', () => progress.onTransferEvent(parse(transferEventSchema, event, 'event'))),
  );
  setHandler(resumeSignal, () => progress.nudge());
  setHandler(lookUpTransferSignal, () => progress.nudge());
  for (const action of PAYOUT_DECISIONS) {
    // The validator refuses a decision without a non-blank operator or with unknown fields, whichever client sent
    // it; validators do not run on replay, so the handler parses again to use the parsed value.
    setHandler(
      decisionUpdates[action],
      (by: unknown) => progress.acceptDecision(action, parse(operatorDecisionSchema, by, action)),
      {
        validator: (by: unknown) => {
          const what = `${action} needs {"operator": "<who>", "note": "<why>"}`;
          progress.validateDecision(action, parse(operatorDecisionSchema, by, what));
        },
      },
    );
  }

  function heard(signal: string, handle: () => void): void {
    try {
      handle();
    } catch (err) {
      log.warn('ignored a malformed signal', { invoiceId, signal, error: String(err) });
    }
  }
}
