import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Sandbox } from './contract';

/** What another process needs to reach a running emulator (written to `<dataDir>/connection.json`). */
export interface SandboxConnectionInfo {
  host: string;
  port: number;
  /** Path of the PEM to trust (the emulator's self-signed certificate). */
  caFile: string;
  adminUrl: string;
  workspaceId: string;
  eventPublicKeyPem: string;
  pid: number;
}

async function writeAtomically(file: string, content: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, content);
  await rename(temporary, file);
}

export async function writeConnectionInfo(dataDir: string, sandbox: Sandbox): Promise<SandboxConnectionInfo> {
  await mkdir(dataDir, { recursive: true });
  const caFile = path.resolve(dataDir, 'ca.pem');
  await writeAtomically(caFile, sandbox.caPem);
  const info: SandboxConnectionInfo = {
    host: sandbox.host,
    port: sandbox.port,
    caFile,
    adminUrl: `https://${sandbox.host}:${sandbox.port}/admin`,
    workspaceId: sandbox.workspaceId,
    eventPublicKeyPem: sandbox.eventPublicKeyPem,
    pid: process.pid,
  };
  await writeAtomically(path.join(dataDir, 'connection.json'), `${JSON.stringify(info, null, 2)}\n`);
  return info;
}

/** Reads what `writeConnectionInfo` wrote, with the CA PEM itself. */
export async function readConnectionInfo(dataDir: string): Promise<SandboxConnectionInfo & { caPem: string }> {
  const info = JSON.parse(await readFile(path.join(dataDir, 'connection.json'), 'utf8')) as SandboxConnectionInfo;
  return { ...info, caPem: await readFile(info.caFile, 'utf8') };
}
