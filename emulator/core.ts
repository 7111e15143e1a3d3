import crypto from 'node:crypto';
import type { Logger } from 'pino';
import type { Emulator, EmulatorOptions } from './contract';
import { createClock, type Clock } from './domain/clock';
import { createIdFactory, type EmulatorContext } from './domain/context';
import { DeliveryService } from './domain/delivery';
import { emitEvent } from './domain/events';
import { payInvoice, registerInvoiceJobs } from './domain/invoices';
import { createStateSaver } from './domain/persistence';
import { createRandom, type Random } from './domain/random';
import { Scheduler } from './domain/scheduler';
import { clearResources, snapshotOf, type EmulatorState } from './domain/state';
import { registerTransferJobs, settleTransfer } from './domain/transfers';
import type { InvoiceLog, Subscription, Transfer } from './domain/types';
import { defaultBehaviour, defaultFaults, mergeBehaviour, mergeFaults } from './settings';

type Controls = Omit<Emulator, 'host' | 'port' | 'caPem' | 'close'>;

function eventKeyFrom(privateKeyPem: string | undefined, clock: Clock): EmulatorState['eventKey'] {
  const privateKey = privateKeyPem
    ? crypto.createPrivateKey(privateKeyPem)
    : crypto.generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey;
  return {
    privateKeyPem: privateKey.export({ type: 'sec1', format: 'pem' }).toString(),
    publicKeyPem: crypto.createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString(),
    created: clock.timestamp(),
  };
}

export function initialState(options: Partial<EmulatorOptions>, random: Random, clock: Clock): EmulatorState {
  const now = clock.timestamp();
  return {
    version: 1,
    workspaceId: options.workspaceId ?? String(random.int(1, 9)) + random.digits(15),
    eventKey: eventKeyFrom(options.eventPrivateKeyPem, clock),
    projects: {},
    balance: {
      id: String(random.int(1, 9)) + random.digits(15),
      amount: options.initialBalance ?? 0,
      currency: 'BRL',
      updated: now,
    },
    invoices: [],
    invoiceLogs: [],
    transfers: [],
    transferLogs: [],
    transferBookkeeping: {},
    events: [],
    attempts: [],
    webhooks: [],
    jobs: [],
    heldDeliveries: [],
  };
}

/** Wires state, settings, timers and deliveries together; the HTTP server is added by `startEmulator`. */
export function createCore(
  options: Partial<EmulatorOptions>,
  state: EmulatorState,
  seed: string,
  logger: Logger,
): { ctx: EmulatorContext; controls: Controls; stop: () => Promise<void> } {
  const clock = createClock();
  const stream = (name: string): Random => createRandom(`${seed}/${name}`);
  const random = {
    ids: stream('ids'),
    lifecycle: stream('lifecycle'),
    faults: stream('faults'),
    delivery: stream('delivery'),
  };
  const newId = createIdFactory(random.ids, () => state);
  const saver = createStateSaver(
    options.stateFile,
    () => state,
    (error) => logger.error({ err: error }, 'state save failed'),
  );
  const scheduler = new Scheduler(state, newId, (error, job) =>
    logger.error({ err: error, job }, 'emulator job failed'),
  );
  const ctx: EmulatorContext = {
    state,
    behaviour: mergeBehaviour(defaultBehaviour, options.behaviour ?? {}),
    faults: mergeFaults(defaultFaults, options.faults ?? {}),
    limits: {
      initialBalance: options.initialBalance ?? 0,
      accessTimeSkewSeconds: options.accessTimeSkewSeconds ?? 300,
      deliveryTimeoutMs: options.deliveryTimeoutMs ?? 10_000,
    },
    clock,
    random,
    scheduler,
    saver,
    logger,
    newId,
    deliveries: { enqueue: () => undefined },
  };
  const signingKey = crypto.createPrivateKey(state.eventKey.privateKeyPem);
  const deliveries = new DeliveryService(ctx, signingKey);
  ctx.deliveries = deliveries;
  registerInvoiceJobs(ctx);
  registerTransferJobs(ctx);
  scheduler.resume();
  saver.changed(); // with a state file, a fresh identity (workspace, webhook key) is written at once
  // A state file saved while paused holds deliveries; send them unless this run starts paused too.
  if (!ctx.faults.deliveriesPaused && state.heldDeliveries.length > 0) deliveries.resume();

  const changed = <T>(value: T): T => {
    saver.changed();
    return value;
  };
  const controls: Controls = {
    eventPublicKeyPem: state.eventKey.publicKeyPem,
    seed,
    workspaceId: state.workspaceId,
    registerProject: (id, publicKeyPem) => {
      crypto.createPublicKey(publicKeyPem); // throws now rather than on the first request
      changed((state.projects[id] = publicKeyPem));
    },
    setFaults: (patch) => {
      const wasPaused = ctx.faults.deliveriesPaused;
      ctx.faults = mergeFaults(ctx.faults, patch);
      if (wasPaused && !ctx.faults.deliveriesPaused) deliveries.resume();
    },
    getFaults: () => structuredClone(ctx.faults),
    setBehaviour: (patch) => (ctx.behaviour = mergeBehaviour(ctx.behaviour, patch)),
    getBehaviour: () => ({ ...ctx.behaviour }),
    pauseDeliveries: () => deliveries.pause(),
    resumeDeliveries: () => deliveries.resume(),
    snapshot: () => snapshotOf(state),
    transferCounts: () => {
      const counts: Partial<Record<Transfer['status'], number>> = {};
      for (const { status } of state.transfers) counts[status] = (counts[status] ?? 0) + 1;
      return counts;
    },
    payInvoice: (id, payment) => changed(structuredClone(payInvoice(ctx, id, { ...payment, creditNow: true }))),
    settleTransfer: (id, status, reason) => changed(structuredClone(settleTransfer(ctx, id, status, reason))),
    // The shape is the caller's: that an event may not be one the emulator would make is the point.
    injectEvent: ({ subscription, log }) =>
      changed(structuredClone(emitEvent(ctx, subscription as Subscription, log as unknown as InvoiceLog))),
    reset: () => {
      scheduler.stop();
      clearResources(state, ctx.limits.initialBalance, clock.timestamp());
      scheduler.resume();
      saver.changed();
    },
  };
  const stop = async (): Promise<void> => {
    scheduler.stop();
    deliveries.close();
    await saver.flush();
  };
  return { ctx, controls, stop };
}
