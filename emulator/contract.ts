import type { Logger } from 'pino';
import type { TlsMaterial } from './certificate';
import type { EmulatorSnapshot } from './domain/state';
import type { Invoice, StarkEvent, Transfer } from './domain/types';
import type { BehaviourSettings, FaultSettings, FaultSettingsInput } from './settings';

export interface EmulatorOptions {
  /** Interface to listen on. Default 127.0.0.1; containers set 0.0.0.0 so other services can reach it. */
  host: string;
  /** TCP port; 0 picks a free one. Default 0 (main.ts defaults to 8443). */
  port: number;
  /** Seeds ids, payment decisions and fault draws. Random (and logged) when absent. */
  seed: string | number;
  /** Project id -> SPKI public key PEM, as `POST /admin/projects` does. */
  projects: Record<string, string>;
  /** Load state from this file at start and save it (debounced, atomically) on changes. */
  stateFile: string;
  workspaceId: string;
  /** Balance in cents at start and after a reset. Default 0: only credited invoices fund transfers. */
  initialBalance: number;
  /** How far Access-Time may be from the emulator's clock, either way. Default 300 s. */
  accessTimeSkewSeconds: number;
  /** How long a webhook POST may take before it counts as a `timeout` attempt. Default 10 000 ms. */
  deliveryTimeoutMs: number;
  behaviour: Partial<BehaviourSettings>;
  faults: FaultSettingsInput;
  /** PEM of the secp256k1 key that signs webhooks. Generated when absent (or taken from the state file). */
  eventPrivateKeyPem: string;
  /** Certificate and key to serve. Generated with openssl when absent. */
  tls: TlsMaterial;
  /** Silent when absent. */
  logger: Logger;
}

/** A running emulator. Admin HTTP endpoints (`/admin/...`) call these same methods. */
export interface Emulator {
  readonly host: string;
  readonly port: number;
  /** The emulator's self-signed certificate; trust it as the CA (see `createEmulatorAgent`). */
  readonly caPem: string;
  /** SPKI PEM of the key that signs webhooks, also served at `GET /v2/public-key`. */
  readonly eventPublicKeyPem: string;
  readonly seed: string;
  readonly workspaceId: string;
  registerProject(id: string, publicKeyPem: string): void;
  setFaults(faults: FaultSettingsInput): void;
  getFaults(): FaultSettings;
  setBehaviour(behaviour: Partial<BehaviourSettings>): void;
  getBehaviour(): BehaviourSettings;
  pauseDeliveries(): void;
  /** Sends what was held, shuffled when `outOfOrderDelivery` is on. */
  resumeDeliveries(): void;
  snapshot(): EmulatorSnapshot;
  /** Transfers per status, without copying the state: for progress loops that poll while a burst runs. */
  transferCounts(): Partial<Record<Transfer['status'], number>>;
  /** Pays an invoice now: status `paid`, logs `paid` and `credited` (and their events) at once. */
  payInvoice(id: string, payment?: { amount?: number; fee?: number }): Invoice;
  /** Ends a transfer now (via `sending` if it had not started). */
  settleTransfer(id: string, status: 'success' | 'failed', reason?: string): Transfer;
  /**
   * Emits an event whose log the emulator did not make (any shape, any subscription) and delivers it like the
   * others: for testing how a consumer treats events it cannot process.
   */
  injectEvent(event: { subscription: string; log: Record<string, unknown> }): StarkEvent;
  /** Deletes every resource and pending job; keeps projects, keys, workspace and settings. */
  reset(): void;
  /** Stops timers, deliveries and the server, and saves the state file if there is one. */
  close(): Promise<void>;
}
