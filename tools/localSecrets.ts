import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { generatePayloadKey } from '../src/temporal/payloadCodec';
import { makePrivateDir } from '../src/shared/privateDir';

/**
 * The secrets a newcomer's machine needs and does not have, made on first use into `<dataDir>/keys` (git-ignored,
 * mode 0600) and reused afterwards, so `npm run dev` and `npm run cluster` agree on them.
 */

/** The file of local payload keys, for PAYLOAD_KEYS_FILE. */
export function localPayloadKeysFile(dataDir: string): string {
  return kept(dataDir, 'payload-keys', () => generatePayloadKey('local'));
}

/** The token of the local codec server, which the local Web UI's codec endpoint carries. */
export function localCodecToken(dataDir: string): string {
  return fs
    .readFileSync(
      kept(dataDir, 'codec-token', () => crypto.randomBytes(24).toString('base64url')),
      'utf8',
    )
    .trim();
}

/** The file of the token `npm run ops` uses with the local codec server (logged as `local-ops`). */
export function localOpsCodecTokenFile(dataDir: string): string {
  return kept(dataDir, 'ops-codec-token', () => crypto.randomBytes(24).toString('base64url'));
}

/** Where the local Web UI finds the codec server: `npm run dev`'s codec port, with the local token. */
export function localCodecEndpoint(dataDir: string, codecPort: number): string {
  return `http://127.0.0.1:${codecPort}/codec/${localCodecToken(dataDir)}`;
}

function kept(dataDir: string, name: string, make: () => string): string {
  const dir = path.join(dataDir, 'keys');
  makePrivateDir(dir);
  const file = path.join(dir, name);
  if (!fs.existsSync(file)) fs.writeFileSync(file, `${make()}\n`, { mode: 0o600, flag: 'wx' });
  return file;
}
