import type { EmulatorContext } from './context';
import type { InvoiceLog, StarkEvent, Subscription, TransferLog } from './types';

/** Every log becomes an event (with a frozen copy of the log) and is queued for the matching webhooks. */
export function emitEvent(ctx: EmulatorContext, subscription: Subscription, log: InvoiceLog | TransferLog): StarkEvent {
  const event: StarkEvent = {
    id: ctx.newId(),
    created: ctx.clock.timestamp(),
    isDelivered: false,
    subscription,
    workspaceId: ctx.state.workspaceId,
    log: structuredClone(log),
  };
  ctx.state.events.push(event);
  ctx.deliveries.enqueue(event);
  ctx.saver.changed();
  return event;
}
