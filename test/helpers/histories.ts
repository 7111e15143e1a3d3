import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';
import { runDataConverter } from '../../testkit/payloadKeys';

export const HISTORIES_DIR = path.resolve(__dirname, '../replay/histories');

type History = temporal.api.history.v1.IHistory;

/** A Payload message as the SDK decodes it (protobufjs reflection has no class to test with instanceof). */
function isPayload(value: unknown): value is Payload {
  const v = value as { metadata?: unknown; data?: unknown } | null;
  return typeof v === 'object' && v !== null && ArrayBuffer.isView(v.data) && typeof v.metadata === 'object';
}

/** Every payload of a history with where it sits, e.g. `events.0.workflowExecutionStartedEventAttributes.input`. */
export function payloadsOf(history: History): { where: string; payload: Payload }[] {
  const found: { where: string; payload: Payload }[] = [];
  const walk = (value: unknown, where: string) => {
    if (isPayload(value)) found.push({ where, payload: value });
    else if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) {
      for (const [key, child] of Object.entries(value)) walk(child, where ? `${where}.${key}` : key);
    }
  };
  walk(history, '');
  return found;
}

/** A history with every payload decrypted with the run's key (a fresh copy). */
async function decryptedHistory(handle: WorkflowHandle) {
  const history = await handle.fetchHistory();
  const codec = runDataConverter.payloadCodecs?.[0];
  for (const { payload } of payloadsOf(history)) {
    const [clear] = codec ? await codec.decode([payload]) : [payload];
    payload.metadata = clear!.metadata;
    payload.data = clear!.data;
  }
  return history;
}

/** Everything a workflow's history says once decrypted, payloads as text, for searching it. */
export async function decryptedHistoryText(handle: WorkflowHandle): Promise<string> {
  const history = await decryptedHistory(handle);
  return payloadsOf(history)
    .map(({ payload }) => Buffer.from(payload.data ?? []).toString())
    .join('\n');
}

/**
 * Saves a finished workflow's history for the replay suite, when histories are being (re)captured
 * (`npm run histories:capture`), as `<workflow>/<scenario>.json`. The run's key is thrown away after it, so the
 * payloads are saved decoded: the codec is outside replay, and a reviewer can read what changed.
 * Ordinary test runs leave the committed files alone.
 */
export async function captureHistory(handle: WorkflowHandle, name: `${string}/${string}`): Promise<void> {
  if (!process.env.CAPTURE_HISTORIES) return;
  const history = await decryptedHistory(handle);
  const file = path.join(HISTORIES_DIR, `${name}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, historyToJSON(history) + '\n');
}
