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
 * The dev server serialises every state change through one SQLite connection, so write latency bounds throughput;
 * WAL + synchronous=NORMAL is the usual tuning (sdk-typescript CI, temporalite measurements). A 64 MiB page cache,
 * memory-mapped reads and in-memory temp tables keep starts at ~90/s as the database grows, where the defaults fell
 * to ~50/s (BENCHMARKS.md §2). None of them weakens durability.
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
 *   the reply to the workflow task that scheduled it, skipping the task queue round trip and one state write; 13%
 *   less dev-server CPU per payout in a burst (BENCHMARKS.md). The SDK requests it by default.
 * - The search-attribute cache: `start-dev` turns it off unless told otherwise, so every start and every
 *   search-attribute upsert re-read the cluster metadata from SQLite (found in a `perf` profile of a burst; with the
 *   cache on, the dev server's CPU per start fell from ~11 to ~6 ms, BENCHMARKS.md §2). With it on, an attribute
 *   added to a running server is usable ~0.3 s later instead of at once (measured); `npm run dev` adds the
 *   product's attributes before it starts the worker.
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
