import starkbank from 'starkbank';
import type { StarkConfig } from '../config';
import { configureStarkHttp } from './http';
import { signRequestsWithOpenSsl } from './fastSigning';

export type StarkUser = starkbank.Project;

/**
 * Builds the SDK user from config and points the SDK's (process-global) HTTPS agent at Stark Bank or at the
 * local emulator. The user is passed explicitly to every SDK call; starkbank.user is never set.
 */
export function connectStarkBank(cfg: StarkConfig): StarkUser {
  configureStarkHttp(cfg);
  const user = new starkbank.Project({ environment: cfg.environment, id: cfg.projectId, privateKey: cfg.privateKey });
  signRequestsWithOpenSsl(user, cfg.privateKey);
  return user;
}
