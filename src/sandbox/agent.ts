import https from 'node:https';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { SANDBOX_HOSTNAME } from './certificate';

export interface SandboxAgentOptions {
  /** Where the emulator listens; 127.0.0.1 by default. */
  host?: string;
  port: number;
  /** The emulator's certificate (it is its own CA). */
  caPem: string;
}

/**
 * An HTTPS agent for `starkbank.setHttpsAgent`: every connection goes to the emulator while TLS still checks the
 * certificate against `sandbox.api.starkbank.com`, so the SDK keeps its real URLs and nothing is left unverified.
 */
export function createSandboxAgent(options: SandboxAgentOptions): https.Agent {
  const host = options.host ?? '127.0.0.1';
  const agent = new https.Agent({ ca: options.caPem });
  agent.createConnection = (): Duplex =>
    tls.connect({ host, port: options.port, servername: SANDBOX_HOSTNAME, ca: options.caPem });
  return agent;
}
