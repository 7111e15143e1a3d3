import https from 'node:https';
import type { Duplex } from 'node:stream';
import { createSandboxAgent } from '../sandbox/agent';
import type { StarkConfig } from '../config';

/**
 * The SDK sets no timeout on its HTTP calls, so a hung connection would hang an activity attempt forever
 * (and leak it past Temporal's startToCloseTimeout). Every socket the SDK opens gets an idle timeout here.
 */
export function createStarkHttpsAgent(cfg: Pick<StarkConfig, 'emulator' | 'httpTimeoutMs'>): https.Agent {
  const agent = cfg.emulator ? createSandboxAgent(cfg.emulator) : new https.Agent({ keepAlive: true });
  const createConnection = agent.createConnection.bind(agent) as (...args: unknown[]) => Duplex;
  agent.createConnection = (...args: unknown[]) => {
    const socket = createConnection(...args) as Duplex & { setTimeout?: (ms: number, cb: () => void) => void };
    socket.setTimeout?.(cfg.httpTimeoutMs, () => {
      socket.destroy(new Error(`Stark Bank request timed out after ${cfg.httpTimeoutMs} ms`));
    });
    return socket;
  };
  return agent;
}
