import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EmulatorState } from './state';

export async function loadState(file: string): Promise<EmulatorState | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<EmulatorState>;
  if (parsed.version !== 1) throw new Error(`${file} is not a emulator state file (version ${String(parsed.version)})`);
  return parsed as EmulatorState;
}

/** Writes to a temporary file and renames it over the old one, so a crash never leaves half a state file. */
export async function saveState(file: string, state: EmulatorState): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(state));
  await rename(temporary, file);
}

export interface StateSaver {
  /** Call after every change; saves at most once per `debounceMs`. */
  changed(): void;
  /** Saves now if anything changed and waits for every write to finish. */
  flush(): Promise<void>;
}

export function createStateSaver(
  file: string | undefined,
  state: () => EmulatorState,
  onError: (error: unknown) => void,
  debounceMs = 100,
): StateSaver {
  if (!file) return { changed: () => undefined, flush: () => Promise.resolve() };
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  const write = (): Promise<void> => {
    timer = undefined;
    // Chained so two writes never race on the temporary file.
    writing = writing.then(() => saveState(file, state())).catch(onError);
    return writing;
  };
  return {
    changed: () => {
      timer ??= setTimeout(() => void write(), debounceMs);
    },
    flush: async () => {
      if (timer) {
        clearTimeout(timer);
        await write();
      }
      await writing;
    },
  };
}
