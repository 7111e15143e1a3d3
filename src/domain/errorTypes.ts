/** ApplicationFailure types activities throw and workflows branch on (shared so the two cannot drift). */
export const ErrorTypes = {
  input: 'StarkInputError',
  notFound: 'StarkNotFoundError',
  transient: 'StarkUnavailableError',
  invoiceNotCredited: 'InvoiceNotCreditedError',
  unexpectedState: 'UnexpectedStateError',
  /** Stark Bank answered something the product cannot read: retried a few times, then a person looks. */
  unexpected: 'UnexpectedAnswerError',
} as const;
