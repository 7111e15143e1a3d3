import { z } from 'zod';

/**
 * Parses the argument of an Update or Signal. Any client can send one (the Web UI sends whatever JSON a person
 * types), so each handler trusts nothing that did not go through its schema. Pure: workflows use it too.
 */
export function parseArgument<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new Error(`${what}: ${describeIssues(parsed.error)}`);
}

/** Zod's issues as one line an operator can act on: what is missing or wrong, and where. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      if (issue.code === 'unrecognized_keys')
        return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
      const at = issue.path.join('.');
      return at ? `"${at}" ${issue.message}` : issue.message;
    })
    .join('; ');
}

/** A person's name as given: trimmed, and refused when blank, so every decision has someone accountable. */
export const operatorName = z
  .string({ error: (issue) => (issue.input === undefined ? 'is missing (who decides)' : 'must be a name (text)') })
  .trim()
  .min(1, 'must not be blank (who decides)')
  .max(200, 'is longer than 200 characters');

/** A free-text note: optional, and kept short enough for the audit trail. */
export const operatorNote = z
  .string({ error: 'must be text' })
  .trim()
  .max(2_000, 'is longer than 2000 characters')
  .optional();
