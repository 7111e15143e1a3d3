import type { SearchAttributeType } from '@temporalio/common';
import type { SearchAttributeKey } from '@temporalio/common/lib/search-attributes';
import { customSearchAttributes } from '../src/temporal/searchAttributes';

// `temporal server start-dev --search-attribute Name=Type` spells types in PascalCase.
const cliTypeNames: Record<SearchAttributeType, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

/**
 * `--search-attribute` flags for a dev server we spawn ourselves. They only take effect when the namespace is
 * first created, i.e. on a fresh `--db-filename`; later additions need `temporal operator search-attribute create`.
 * (Tests pass the keys to `createLocal({ server: { searchAttributes } })` instead, which emits the same flags.)
 */
export function searchAttributeArgs(
  keys: readonly SearchAttributeKey<SearchAttributeType>[] = customSearchAttributes,
): string[] {
  return keys.flatMap((key) => ['--search-attribute', `${key.name}=${cliTypeNames[key.type]}`]);
}

/**
 * The dev server serialises every state change through one SQLite connection, so write latency bounds throughput.
 * WAL + synchronous=NORMAL is the usual tuning; a larger page cache, memory-mapped reads and in-memory temp tables
 * keep starts fast as the database grows. None of them weakens durability.
 */
export const sqlitePragmaArgs: readonly string[] = [
  'journal_mode=WAL',
  'synchronous=NORMAL',
  'cache_size=-65536',
  'mmap_size=268435456',
  'temp_store=MEMORY',
].flatMap((pragma) => ['--sqlite-pragma', pragma]);

/**
 * - Eager activity dispatch (off by default in server 1.29): the server hands `createTransfer` back to the worker in
 *   the reply to the workflow task that scheduled it, skipping a task queue round trip and a state write.
 * - The search-attribute cache: `start-dev` turns it off, so every start and every upsert re-reads the cluster
 *   metadata from SQLite. With it on, a newly added attribute is usable a moment later instead of at once;
 *   `npm run dev` adds the product's attributes before it starts the worker.
 */
export const productDynamicConfig: Readonly<Record<string, string | number | boolean>> = {
  'system.enableActivityEagerExecution': true,
  'system.forceSearchAttributesCacheRefreshOnRead': false,
};

/** `--dynamic-config-value KEY=JSON` flags for a set of dynamic config values. */
export function dynamicConfigArgs(values: Readonly<Record<string, string | number | boolean>>): string[] {
  return Object.entries(values).flatMap(([key, value]) => [
    '--dynamic-config-value',
    `${key}=${JSON.stringify(value)}`,
  ]);
}

/** Extra `start-dev` args shared by the product's dev runner and the test harness (search attributes excluded). */
export const devServerExtraArgs: readonly string[] = [...sqlitePragmaArgs, ...dynamicConfigArgs(productDynamicConfig)];

/** Full set of extra args for a dev server the product starts itself. */
export function productDevServerArgs(): string[] {
  return [...searchAttributeArgs(), ...devServerExtraArgs];
}
