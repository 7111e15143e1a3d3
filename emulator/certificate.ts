import { execFile } from 'node:child_process';
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

/**
 * A fresh self-signed P-256 certificate for sandbox.api.starkbank.com (and 127.0.0.1). Made with the `openssl`
 * binary because Node has no X.509 generator; clients trust it by passing the certificate itself as their CA.
 */
export async function generateCertificate(days = 30): Promise<TlsMaterial> {
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
