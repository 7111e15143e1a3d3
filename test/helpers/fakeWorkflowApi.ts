/**
 * A stand-in for `@temporalio/workflow`, for running the payout's real workflow code in-process, thousands of times
 * a second, under a simulation that decides when activities finish, timers fire and messages arrive
 * (test/helpers/payoutSimulation.ts). It keeps only what the payout relies on: conditions re-checked after every
 * change, handlers with validators, continue-as-new as a thrown error, search attributes. What Temporal itself does
 * (history, replay, the server) is proven by the tests on the real server, not here.
 */
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
export { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

/** What one simulated run of a workflow exposes to its code. */
export interface SimulatedRun {
  runId: string;
  /** Fake milliseconds since the simulation started. */
  now(): number;
  continueAsNewSuggested: boolean;
  readonly searchAttributes: Map<string, unknown>;
  readonly handlers: Map<
    string,
    { handler: (...args: unknown[]) => unknown; validator?: (...args: unknown[]) => void }
  >;
  readonly conditions: { ready: () => boolean; resolve: (met: boolean) => void; deadline?: number }[];
  updateId?: string;
  callActivity(name: string, args: unknown[], local: boolean): Promise<unknown>;
}

let current: SimulatedRun | undefined;

/** The run the next workflow call belongs to (the simulation runs one workflow at a time). */
export function enterRun(run: SimulatedRun | undefined): void {
  current = run;
}

function run(): SimulatedRun {
  if (!current) throw new Error('no simulated workflow run is active');
  return current;
}

/** What continueAsNew throws: the simulation starts the next run with these arguments. */
export class SimulatedContinueAsNew extends Error {
  constructor(readonly args: unknown[]) {
    super('continue as new');
  }
}

export function condition(ready: () => boolean, timeout?: string | number): Promise<boolean> {
  const r = run();
  return new Promise((resolve) => {
    const deadline = timeout === undefined ? undefined : r.now() + msToNumber(timeout as Duration);
    r.conditions.push({ ready, resolve, deadline });
  });
}

export function continueAsNew(...args: unknown[]): Promise<never> {
  return Promise.reject(new SimulatedContinueAsNew(args));
}

export function setHandler(
  def: { name: string },
  handler: (...args: unknown[]) => unknown,
  options?: { validator?: (...args: unknown[]) => void },
): void {
  run().handlers.set(def.name, { handler, validator: options?.validator });
}

function proxy(local: boolean) {
  return () =>
    new Proxy(
      {},
      {
        get:
          (_target, name: string) =>
          (...args: unknown[]) =>
            run().callActivity(name, args, local),
      },
    );
}
export const proxyActivities = proxy(false);
export const proxyLocalActivities = proxy(true);

export function upsertSearchAttributes(pairs: { key: { name: string }; value: unknown }[]): void {
  for (const { key, value } of pairs) run().searchAttributes.set(key.name, value);
}

export function workflowInfo() {
  const r = run();
  return {
    runId: r.runId,
    historyLength: 1,
    continueAsNewSuggested: r.continueAsNewSuggested,
    typedSearchAttributes: { get: (key: { name: string }) => r.searchAttributes.get(key.name) },
  };
}

export function currentUpdateInfo() {
  const id = run().updateId;
  return id === undefined ? undefined : { id };
}

export const allHandlersFinished = () => true;

export const log = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
