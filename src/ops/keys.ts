import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { generatePayloadKey } from '../temporal/payloadCodec';
import { makePrivateDir } from '../shared/privateDir';
import { CliError, emit, examples } from './output';

const DEFAULT_DIR = '.data/keys';

interface CreatedKeys {
  privateKeyPath: string;
  publicKeyPath: string;
  publicKeyPem: string;
}

export function registerKeyCommands(program: Command): void {
  const keys = program.command('keys').description('Stark Bank project keys and payload encryption keys');

  keys
    .command('create')
    .description('generate a secp256k1 key pair; register the printed public key with your Stark Bank project')
    .option('--out <dir>', 'directory for private-key.pem and public-key.pem', DEFAULT_DIR)
    .addHelpText('after', examples('keys create', 'keys create --out /run/secrets/stark'))
    .action((opts: { out: string }, cmd: Command) => {
      emit(cmd, createKeys(opts.out), (k) =>
        [
          `Private key: ${k.privateKeyPath} (mode 0600; keep it secret, set STARK_PRIVATE_KEY_FILE to it)`,
          `Public key:  ${k.publicKeyPath}`,
          '',
          k.publicKeyPem.trimEnd(),
        ].join('\n'),
      );
    });

  keys
    .command('payload')
    .description('make a key that encrypts workflow payloads (an id:base64 entry of PAYLOAD_KEYS)')
    .option('--file <path>', 'write it to this new file (mode 0600) for PAYLOAD_KEYS_FILE instead of printing it')
    .addHelpText(
      'after',
      `${examples('keys payload --file .data/keys/payload-keys', 'keys payload')}\n` +
        'Rotation (a new key first, old ones kept after it): docs/security.md',
    )
    .action((opts: { file?: string }, cmd: Command) => {
      emit(cmd, createPayloadKey(opts.file), (k) =>
        k.file
          ? `Payload key ${k.id} written to ${k.file} (mode 0600; keep it secret, set PAYLOAD_KEYS_FILE to it)`
          : k.entry!,
      );
    });
}

interface PayloadKeyReport {
  id: string;
  /** Present when printed rather than written: the entry itself, a secret. */
  entry?: string;
  file?: string;
}

/** A new payload key: printed (for a secret manager) or written to a new file for PAYLOAD_KEYS_FILE. */
function createPayloadKey(file: string | undefined): PayloadKeyReport {
  const entry = generatePayloadKey();
  const id = entry.slice(0, entry.indexOf(':'));
  if (!file) return { id, entry };
  const target = path.resolve(file);
  makePrivateDir(path.dirname(target));
  try {
    // Overwriting would lose the key that reads every payload written so far.
    fs.writeFileSync(target, `${entry}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new CliError(`${target} already exists; not overwriting it (to rotate, see docs/security.md)`);
    }
    throw err;
  }
  return { id, file: target };
}

function createKeys(dir: string): CreatedKeys {
  const privateKeyPath = path.resolve(dir, 'private-key.pem');
  const publicKeyPath = path.resolve(dir, 'public-key.pem');
  // Stark Bank signs with secp256k1 and expects the private key as SEC1 ("EC PRIVATE KEY"), as loadConfig checks.
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', {
    namedCurve: 'secp256k1',
    privateKeyEncoding: { type: 'sec1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  makePrivateDir(path.dirname(privateKeyPath));
  try {
    // 'wx' refuses an existing file atomically: overwriting would lock the project out of a registered key.
    fs.writeFileSync(privateKeyPath, privateKey, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new CliError(`${privateKeyPath} already exists; not overwriting it (move it away or use --out)`);
    }
    throw err;
  }
  fs.writeFileSync(publicKeyPath, publicKey, { mode: 0o644 });
  return { privateKeyPath, publicKeyPath, publicKeyPem: publicKey };
}
