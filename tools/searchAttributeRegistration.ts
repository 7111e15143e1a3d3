import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { customSearchAttributes } from '../src/temporal/searchAttributes';

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;
const indexedTypes = {
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  INT: IndexedValueType.INDEXED_VALUE_TYPE_INT,
} as const;

/**
 * Adds the product's custom search attributes the namespace lacks, through the operator API; returns the names
 * it added. Attributes already there are left alone, so it is safe on every start.
 */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = customSearchAttributes.filter((key) => !(key.name in (existing.customAttributes ?? {})));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((key) => [key.name, indexedTypes[key.type]])),
  });
  return missing.map((key) => key.name);
}
