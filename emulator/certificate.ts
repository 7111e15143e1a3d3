import { execFile } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/** The host name the SDK uses for the sandbox; the certificate must name it in its SAN (a CN alone is rejected). */
export const STARK_SANDBOX_HOST = 'sandbox.api.starkbank.com';

export interface TlsMaterial {
  certPem: string;
  keyPem: string;
}

/** A stored certificate this close to expiry is replaced at start, so a running emulator never serves a lapsed one. */
const RENEW_BEFORE_MS = 7 * 24 * 3_600_000;

/**
 * A fresh self-signed P-256 certificate for sandbox.api.starkbank.com (and 127.0.0.1). Made with the `openssl`
 * binary because Node has no X.509 generator; clients trust it by passing the certificate itself as their CA.
 * It lasts a year because it is kept and reused: each new one breaks the clients that pinned the old one.
 */
export async function generateCertificate(days = 365): Promise<TlsMaterial> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'stark-emulator-tls-'));
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  try {
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      String(days),
      '-subj',
      `/CN=${STARK_SANDBOX_HOST}`,
      '-addext',
      `subjectAltName=DNS:${STARK_SANDBOX_HOST},IP:127.0.0.1`,
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ]);
    return { certPem: await readFile(certFile, 'utf8'), keyPem: await readFile(keyFile, 'utf8') };
  } catch (error) {
    throw new Error('Could not create the emulator TLS certificate: is the `openssl` binary installed?', {
      cause: error,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Whether stored material still names the sandbox host and 127.0.0.1, matches its key, and is not about to expire. */
export function isReusable(tls: TlsMaterial, now = Date.now()): boolean {
  try {
    const certificate = new X509Certificate(tls.certPem);
    return (
      Date.parse(certificate.validTo) - RENEW_BEFORE_MS > now &&
      certificate.checkHost(STARK_SANDBOX_HOST) !== undefined &&
      certificate.checkIP('127.0.0.1') !== undefined &&
      certificate.checkPrivateKey(createPrivateKey(tls.keyPem))
    );
  } catch {
    return false; // unreadable PEM: make a new one
  }
}

/**
 * The certificate kept in `store` while reusable, else a new one put there. Kept in the state file, it outlives
 * restarts, so clients that pinned it as their CA keep connecting.
 */
export async function keptCertificate(store: { tls?: TlsMaterial }): Promise<TlsMaterial> {
  if (store.tls && isReusable(store.tls)) return store.tls;
  store.tls = await generateCertificate();
  return store.tls;
}
