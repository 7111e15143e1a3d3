import starkbank from 'starkbank';
import { signWithOpenSsl } from './sdkPatches';
import type { StarkConfig } from './starkConfig';

export type StarkUser = starkbank.Project;

/**
 * The SDK user from config, passed explicitly to every SDK call (starkbank.user is never set). Where the SDK
 * sends its requests is set once per process by installStarkbankPatches.
 */
export function createStarkUser(cfg: StarkConfig): StarkUser {
  const user = new starkbank.Project({ environment: cfg.environment, id: cfg.projectId, privateKey: cfg.privateKey });
  signWithOpenSsl(user, cfg.privateKey);
  return user;
}
