import { z } from 'zod';

// The parts of a Stark Bank event the product acts on. Other subscriptions and log types are valid events
// that are acknowledged and ignored, so only the envelope is required of them.
const cents = z.number().int();

const invoiceLog = z.object({
  id: z.string(),
  type: z.string(),
  // The API, not the event, is the source of truth for the fee: an event without one is compared on amount only.
  invoice: z.object({ id: z.string().regex(/^\d+$/), amount: cents, fee: cents.optional() }),
});

const transferLog = z.object({
  id: z.string(),
  type: z.string(),
  transfer: z.object({
    id: z.string(),
    status: z.string(),
    externalId: z.string().nullish(),
    tags: z.array(z.string()).default([]),
  }),
});

// Stark Bank's timestamps; the SDK hands swept events over with Date objects, JSON-copied to ISO strings.
const timestamp = z.iso.datetime({ offset: true });

const envelope = z.object({
  id: z.string().min(1),
  created: timestamp.optional(),
  subscription: z.string().min(1),
  workspaceId: z.string().optional(),
  log: z.record(z.string(), z.unknown()),
});

export const webhookBodySchema = z.object({ event: envelope });

export type ParsedEvent =
  | { kind: 'invoice'; id: string; workspaceId?: string; created?: string; log: z.infer<typeof invoiceLog> }
  | { kind: 'transfer'; id: string; workspaceId?: string; created?: string; log: z.infer<typeof transferLog> }
  | { kind: 'other'; id: string; workspaceId?: string; subscription: string };

export class MalformedEventError extends Error {
  override name = 'MalformedEventError';
}

/** Parses a verified webhook body; throws MalformedEventError with a readable reason on bad JSON or schema. */
export function parseWebhookBody(rawBody: Buffer): ParsedEvent {
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new MalformedEventError('body is not valid JSON');
  }
  return parseEvent(parseOrThrow(webhookBodySchema, json).event);
}

/** Parses one event object (from a webhook body, or from the API when sweeping undelivered events). */
export function parseEvent(value: unknown): ParsedEvent {
  const event = parseOrThrow(envelope, value, 'event');
  const base = { id: event.id, workspaceId: event.workspaceId, created: event.created };
  switch (event.subscription) {
    case 'invoice':
      return { kind: 'invoice', ...base, log: parseOrThrow(invoiceLog, event.log, 'event.log') };
    case 'transfer':
      return { kind: 'transfer', ...base, log: parseOrThrow(transferLog, event.log, 'event.log') };
    default:
      return {
        kind: 'other',
        id: event.id,
        subscription: event.subscription,
        ...(event.workspaceId && { workspaceId: event.workspaceId }),
      };
  }
}

function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, prefix = ''): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  // Stryker disable next-line ArrayDeclaration: unreachable, a failed zod parse has at least one issue
  const issuePath = issue?.path ?? [];
  const path = [prefix, ...issuePath.map(String)].filter(Boolean).join('.');
  // Stryker disable next-line StringLiteral: unreachable, a failed zod parse has at least one issue
  const message = issue?.message ?? 'invalid';
  throw new MalformedEventError(`${path || 'body'}: ${message}`);
}
