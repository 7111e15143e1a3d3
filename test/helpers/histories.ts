import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

export const HISTORIES_DIR = path.resolve(__dirname, '../replay/histories');

/**
 * Saves a finished workflow's history for the replay suite, when histories are being (re)captured
 * (`npm run histories:capture`), as `<workflow>/<scenario>.json`. Ordinary test runs leave the committed files alone.
 */
export async function captureHistory(handle: WorkflowHandle, name: `${string}/${string}`): Promise<void> {
  if (!process.env.CAPTURE_HISTORIES) return;
  const history = await handle.fetchHistory();
  const file = path.join(HISTORIES_DIR, `${name}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, historyToJSON(history) + '\n');
}
