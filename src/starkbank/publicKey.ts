import { getPublicKey } from 'starkbank/sdk/utils/rest.js';
import { z } from 'zod';
import type { StarkUser } from './user';

/**
 * Stark Bank's current webhook-signing public key (PEM), fetched with the project's credentials through the
 * same SDK call `starkbank.event.parse` uses, so both verify against the same key.
 */
export async function fetchStarkPublicKey(user: StarkUser): Promise<string> {
  return z
    .string()
    .min(1)
    .parse(await getPublicKey(user));
}
