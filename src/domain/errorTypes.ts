/** ApplicationFailure types activities throw and workflows branch on (shared so the two cannot drift). */
export const ErrorTypes = {
  input: 'StarkInputError',
  notFound: 'StarkNotFoundError',
  transient: 'StarkUnavailableError',
  invoiceNotCredited: 'InvoiceNotCreditedError',
  unexpectedState: 'UnexpectedStateError',
  /** The pause switch is on, or cannot be read: nothing may be sent now. */
  paused: 'PayoutsPausedError',
} as const;
