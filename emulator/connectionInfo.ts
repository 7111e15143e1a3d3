import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Emulator } from './contract';

/** What another process needs to reach a running emulator (written to `<dataDir>/connection.json`). */
export interface EmulatorConnectionInfo {
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

export async function writeConnectionInfo(dataDir: string, emulator: Emulator): Promise<EmulatorConnectionInfo> {
  await mkdir(dataDir, { recursive: true });
  const caFile = path.resolve(dataDir, 'ca.pem');
  await writeAtomically(caFile, emulator.caPem);
  const info: EmulatorConnectionInfo = {
    host: emulator.host,
    port: emulator.port,
    caFile,
    adminUrl: `https://${emulator.host}:${emulator.port}/admin`,
    workspaceId: emulator.workspaceId,
    eventPublicKeyPem: emulator.eventPublicKeyPem,
    pid: process.pid,
  };
  await writeAtomically(path.join(dataDir, 'connection.json'), `${JSON.stringify(info, null, 2)}\n`);
  return info;
}

/** Reads what `writeConnectionInfo` wrote, with the CA PEM itself. */
export async function readConnectionInfo(dataDir: string): Promise<EmulatorConnectionInfo & { caPem: string }> {
  const info = JSON.parse(await readFile(path.join(dataDir, 'connection.json'), 'utf8')) as EmulatorConnectionInfo;
  return { ...info, caPem: await readFile(info.caFile, 'utf8') };
}
