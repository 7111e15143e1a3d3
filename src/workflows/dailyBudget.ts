import {
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  budgetQuery,
  releaseUpdate,
  reserveUpdate,
  type DailyBudgetInput,
  type Reservation,
  type ReserveAnswer,
  type ReserveRequest,
} from './dailyBudgetDefinitions';

const reads = proxyLocalActivities<Activities>({
  startToCloseTimeout: '1 minute',
  localRetryThreshold: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * One business day's budget of payouts. Updates are handled one at a time, so each grant sees every earlier one:
 * that is what holds the daily maximum when many payouts send at once. Transfers the day already had before the
 * budget started (another deployment, a manual one) count from the start.
 */
export async function dailyBudget(input: DailyBudgetInput): Promise<void> {
  const reservations: Record<string, Reservation> = { ...input.reservations };
  let baselineCents = input.baselineCents;
  const reservedCents = () =>
    Object.values(reservations)
      .filter((r) => !r.released)
      .reduce((sum, r) => sum + r.amount, 0);

  const reserve = (request: ReserveRequest): ReserveAnswer => {
    const existing = reservations[request.externalId];
    const others = (baselineCents ?? 0) + reservedCents() - (existing && !existing.released ? existing.amount : 0);
    const totalCents = others + request.amount;
    const answer = { totalCents, maxCents: request.maxCents, day: input.day };
    if (existing && !existing.released) return { ...answer, granted: true };
    if (!request.approvedOverDailyMax && totalCents > request.maxCents) return { ...answer, granted: false };
    reservations[request.externalId] = {
      invoiceId: request.invoiceId,
      amount: request.amount,
      approvedOverDailyMax: request.approvedOverDailyMax,
      released: false,
    };
    return { ...answer, granted: true };
  };

  setHandler(budgetQuery, () => ({ day: input.day, baselineCents, reservedCents: reservedCents() }));
  setHandler(reserveUpdate, async (requests) => {
    await condition(() => baselineCents !== undefined);
    return requests.map(reserve);
  });
  setHandler(releaseUpdate, ({ externalId }) => {
    const reservation = reservations[externalId];
    if (reservation) reservation.released = true;
  });

  baselineCents ??= await reads.sumPayoutTransfersOfDay(input.day);
  const closesInMs = Math.max(1_000, Date.parse(input.closesAt) - Date.now());
  const closed = await condition(() => workflowInfo().continueAsNewSuggested && allHandlersFinished(), closesInMs).then(
    (suggested) => !suggested,
  );
  await condition(allHandlersFinished);
  if (!closed) await continueAsNew<typeof dailyBudget>({ ...input, reservations, baselineCents });
}
