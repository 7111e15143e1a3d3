import {
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from './activityTypes';
import {
  budgetQuery,
  releaseUpdate,
  reserveUpdate,
  SETTLE_CHUNK,
  type DailyBudgetInput,
  type OpenGrant,
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
 * budget started (another deployment, a manual one) count from the start. What it carries across continue-as-new
 * does not grow with the day: grants whose transfer is final fold into a total.
 */
export async function dailyBudget(input: DailyBudgetInput): Promise<void> {
  let baselineCents = input.carried?.baselineCents;
  let settledCents = input.carried?.settledCents ?? 0;
  const open: Record<string, OpenGrant> = { ...input.carried?.open };
  let openCents = Object.values(open).reduce((sum, g) => sum + g.amount, 0);

  const reserve = (request: ReserveRequest): ReserveAnswer => {
    const existing = open[request.externalId];
    const totalCents = baselineCents! + settledCents + openCents - (existing?.amount ?? 0) + request.amount;
    const answer = { totalCents, maxCents: request.maxCents, day: input.day };
    if (existing) return { ...answer, granted: true };
    if (!request.approvedOverDailyMax && totalCents > request.maxCents) return { ...answer, granted: false };
    open[request.externalId] = { amount: request.amount, approvedOverDailyMax: request.approvedOverDailyMax };
    openCents += request.amount;
    return { ...answer, granted: true };
  };
  const drop = (externalId: string) => {
    openCents -= open[externalId]?.amount ?? 0;
    delete open[externalId];
  };

  setHandler(budgetQuery, () => ({
    day: input.day,
    baselineCents,
    reservedCents: settledCents + openCents,
    openGrants: Object.keys(open).length,
  }));
  setHandler(reserveUpdate, async (requests) => {
    await condition(() => baselineCents !== undefined);
    return requests.map(reserve);
  });
  const settle = (externalId: string) => {
    settledCents += open[externalId]?.amount ?? 0;
    drop(externalId);
  };
  setHandler(releaseUpdate, ({ externalId }) => drop(externalId));

  baselineCents ??= await reads.sumPayoutTransfersOfDay(input.day);
  const historyLimit = input.historyLimit ?? Infinity;
  const mustContinueAsNew = () =>
    (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= historyLimit) && allHandlersFinished();
  const closesInMs = Math.max(1_000, Date.parse(input.closesAt) - Date.now());
  if (!(await condition(mustContinueAsNew, closesInMs))) {
    await condition(allHandlersFinished);
    return; // the day is over
  }
  // Only grants whose transfer is not final go on, as Stark Bank lists them now, a chunk at a time so that no payload
  // grows with the day.
  const unsettled = Object.keys(open);
  for (let i = 0; i < unsettled.length; i += SETTLE_CHUNK) {
    const externalIds = unsettled.slice(i, i + SETTLE_CHUNK);
    const final = await reads.finalTransfersOfDay({ day: input.day, externalIds });
    final.succeeded.forEach(settle);
    final.failed.forEach(drop);
  }
  await condition(allHandlersFinished);
  await continueAsNew<typeof dailyBudget>({ ...input, carried: { baselineCents, settledCents, open } });
}
