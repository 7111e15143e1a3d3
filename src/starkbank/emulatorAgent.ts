import https from 'node:https';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';

/** The host the SDK calls in Stark Bank's sandbox environment; TLS still checks the certificate against it. */
const STARK_SANDBOX_HOST = 'sandbox.api.starkbank.com';

export interface EmulatorAgentOptions {
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
export function createEmulatorAgent(options: EmulatorAgentOptions): https.Agent {
  const host = options.host ?? '127.0.0.1';
  // Kept alive, with one TLS context: a handshake and a parse of the CA per request cost a busy worker dearly.
  const secureContext = tls.createSecureContext({ ca: options.caPem });
  const agent = new https.Agent({ keepAlive: true });
  agent.createConnection = (): Duplex =>
    tls.connect({ host, port: options.port, servername: STARK_SANDBOX_HOST, secureContext });
  return agent;
}
