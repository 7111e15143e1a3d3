import https from 'node:https';
import axios from 'axios';
import starkbank from 'starkbank';
import { createEmulatorAgent } from './emulatorAgent';
import type { StarkConfig } from '../config';

/**
 * Points the SDK's (process-global) HTTP client at Stark Bank or at the local emulator, and bounds every request.
 * The SDK passes no timeout to axios, and axios then clears the socket's own timeout on every request, so a hung
 * connection would hang an activity attempt for ever (and leak it past Temporal's startToCloseTimeout). axios's
 * default timeout, which the SDK's calls inherit (it uses the same axios), covers connect, request and response.
 */
export function configureStarkHttp(cfg: Pick<StarkConfig, 'emulator' | 'httpTimeoutMs'>): https.Agent {
  const agent = cfg.emulator ? createEmulatorAgent(cfg.emulator) : new https.Agent({ keepAlive: true });
  starkbank.setHttpsAgent(agent);
  axios.defaults.timeout = cfg.httpTimeoutMs;
  return agent;
}
