import type { z } from 'zod';

/**
 * The SDK's `query` functions return promises of async generators that walk every page (their .d.ts says arrays).
 * This drains one and validates each item, so activities only ever see parsed data.
 */
export async function collect<T extends z.ZodType>(pages: unknown, schema: T): Promise<z.infer<T>[]> {
  const items: z.infer<T>[] = [];
  for await (const item of (await pages) as AsyncIterable<unknown>) items.push(schema.parse(item));
  return items;
}
