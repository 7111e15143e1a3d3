import crypto from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { keptCertificate } from './certificate';
import type { Emulator, EmulatorOptions } from './contract';
import { createCore, initialState } from './core';
import { createClock } from './domain/clock';
import { loadState } from './domain/persistence';
import { createRandom } from './domain/random';
import { createApp } from './http/app';

export type { Emulator, EmulatorOptions } from './contract';
export type { EmulatorSnapshot } from './domain/state';
export type * from './domain/types';
export type { BehaviourSettings, FaultRule, FaultRuleInput, FaultSettings, FaultSettingsInput } from './settings';
export { STARK_SANDBOX_HOST } from './certificate';

const DEFAULT_HOST = '127.0.0.1'; // never reachable from other machines unless `host` says otherwise

/** Starts the Stark Bank emulator over HTTPS on 127.0.0.1 (or `options.host`). */
export async function startEmulator(options: Partial<EmulatorOptions> = {}): Promise<Emulator> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const host = options.host ?? DEFAULT_HOST;
  const seed = String(options.seed ?? crypto.randomBytes(6).toString('hex'));
  const loaded = options.stateFile ? await loadState(options.stateFile) : undefined;
  const state = loaded ?? initialState(options, createRandom(`${seed}/identity`), createClock());
  for (const [id, pem] of Object.entries(options.projects ?? {})) state.projects[id] = pem;
  const tls = options.tls ?? (await keptCertificate(state));

  const { controls, stop, ctx } = createCore(options, state, seed, logger);
  const server = https.createServer({ cert: tls.certPem, key: tls.keyPem });
  // Clients keep connections alive. A short idle timeout lets the server close a socket just as a busy client
  // reuses it (ECONNRESET); a long one leaves closing to the clients, which do it before the announced timeout.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const emulator: Emulator = {
    ...controls,
    host,
    port: (server.address() as AddressInfo).port,
    caPem: tls.certPem,
    close: async () => {
      await stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  server.on('request', createApp(ctx, emulator));
  logger.info({ host, port: emulator.port, seed, loaded: Boolean(loaded) }, 'Stark Bank emulator listening');
  return emulator;
}
