import type { WorkflowHandle } from '@temporalio/client';
import starkbank from 'starkbank';
import { cpf } from 'cpf-cnpj-validator';
import type { Client } from '@temporalio/client';
import { createActivities, type ActivityDeps } from '../../src/activities';
import { cachedRetention } from '../../src/temporal/namespace';
import { provisionDeployment } from '../../src/setup/provisionDeployment';
import { MISSION_DESTINATION } from '../../src/domain/destination';
import type { PayoutState, PayoutStatus, PayoutWorkflow } from '../../src/workflows/payoutDefinitions';
import { createEventDispatcher, type EventDispatcher } from '../../src/events/dispatch';
import { parseEvent, type ParsedEvent } from '../../src/events/schema';
import type { Emulator } from '../../emulator';
import type { StarkUser } from '../../src/starkbank/user';
import { collect } from '../../src/starkbank/list';
import { transferSchema, type Transfer } from '../../src/starkbank/schemas';
import { invoiceIdOfTransfer, PAYOUT_TAG, payoutWorkflowId } from '../../src/domain/payoutIds';
import { payoutStateQuery } from '../../src/workflows/payoutDefinitions';
import { eventually, getTestEnv, uniqueId, withWorker, type WorkerContext } from './temporal';

export const workflowsPath = require.resolve('../../src/workflows');
export const destination = MISSION_DESTINATION;

export interface PayoutContext extends WorkerContext {
  dispatcher: EventDispatcher;
}

export const generousGuardrails = { maxAmountCents: 10_000_000, dailyMaxCents: 1_000_000_000 };

/** The real activities' dependencies for a test's own task queue (each test deployment has its own switch). */
export function testActivityDeps(
  client: Client,
  user: StarkUser,
  taskQueue: string,
  overrides: Partial<ActivityDeps> = {},
): ActivityDeps {
  return {
    user,
    client,
    taskQueue,
    destination,
    guardrails: generousGuardrails,
    timeZone: 'America/Sao_Paulo',
    lateCommitMs: 2_000,
    retentionMs: cachedRetention(client),
    ...overrides,
  };
}

/**
 * A worker with the real activities (real SDK, emulator behind it) plus the webhook's event dispatcher, on a task
 * queue of its own, provisioned as setup does (its pause switch running).
 */
export async function withPayoutWorker<T>(
  stark: { user: StarkUser },
  fn: (ctx: PayoutContext) => Promise<T>,
  guardrails: ActivityDeps['guardrails'] = generousGuardrails,
  overrides: Partial<ActivityDeps> = {},
): Promise<T> {
  const env = await getTestEnv();
  const taskQueue = uniqueId('tq');
  const deps = testActivityDeps(env.client, stark.user, taskQueue, { guardrails, ...overrides });
  await provisionDeployment(env.client, { taskQueue, retentionDays: 7 });
  return withWorker({ workflowsPath, activities: createActivities(deps), taskQueue }, (ctx) =>
    fn({ ...ctx, dispatcher: createEventDispatcher({ client: ctx.client, taskQueue, retentionMs: deps.retentionMs }) }),
  );
}

/** Issues one invoice through the SDK. */
export async function createInvoice(user: StarkUser, amount: number): Promise<string> {
  const [invoice] = await starkbank.invoice.create(
    [new starkbank.Invoice({ amount, name: 'Test Payer', taxId: cpf.generate(true) })],
    { user },
  );
  return invoice!.id;
}

/** Issues an invoice, has the emulator pay it, and hands its credited event to the dispatcher, as the webhook does. */
export async function creditAndDispatch(
  stark: { user: StarkUser; emulator: Emulator },
  ctx: Pick<PayoutContext, 'client' | 'dispatcher'>,
  amount: number,
  fee = 0,
) {
  const invoiceId = await createInvoice(stark.user, amount);
  stark.emulator.payInvoice(invoiceId, { fee });
  const event = creditedEventOf(stark.emulator, invoiceId);
  const outcome = await ctx.dispatcher.dispatch(event);
  return {
    invoiceId,
    event,
    outcome,
    handle: ctx.client.workflow.getHandle<PayoutWorkflow>(payoutWorkflowId(invoiceId)),
  };
}

/** The emulator's credited event for an invoice, parsed as the webhook would. */
export function creditedEventOf(emulator: Emulator, invoiceId: string): ParsedEvent {
  const event = emulator
    .snapshot()
    .events.find((e) => e.subscription === 'invoice' && logOf(e).type === 'credited' && invoiceIdOf(e) === invoiceId);
  if (!event) throw new Error(`no credited event for invoice ${invoiceId}`);
  return parseEvent(JSON.parse(JSON.stringify(event)));
}

export async function waitForStatus(
  handle: WorkflowHandle,
  status: PayoutStatus,
  timeoutMs = 20_000,
): Promise<PayoutState> {
  return eventually(
    async () => {
      const state = await handle.query(payoutStateQuery).catch(() => undefined);
      return state?.status === status ? state : undefined;
    },
    { timeoutMs, what: `payout ${handle.workflowId} to be ${status}` },
  );
}

/**
 * Resolves once the payout has sent or waits for an operator, whichever it does first, so a test that expects
 * one fails at once, naming the other, instead of timing out.
 */
export async function sentOrAwaitingApproval(handle: WorkflowHandle, timeoutMs = 30_000): Promise<PayoutState> {
  return eventually(
    async () => {
      const state = await handle.query(payoutStateQuery).catch(() => undefined);
      return state && ['Succeeded', 'AwaitingApproval'].includes(state.status) ? state : undefined;
    },
    { timeoutMs, what: `payout ${handle.workflowId} to send or wait for approval` },
  );
}

/** Every transfer the product made for an invoice, read back through the SDK like an auditor would. */
export async function transfersOf(user: StarkUser, invoiceId: string): Promise<Transfer[]> {
  const ours = await collect(starkbank.transfer.query({ tags: [PAYOUT_TAG], user }), transferSchema);
  return ours.filter((t) => invoiceIdOfTransfer(t) === invoiceId);
}

function logOf(e: { log: unknown }): { type?: string; invoice?: { id?: string } } {
  return e.log as { type?: string; invoice?: { id?: string } };
}
function invoiceIdOf(e: { log: unknown }): string | undefined {
  return logOf(e).invoice?.id;
}
