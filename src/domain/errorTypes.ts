/** ApplicationFailure types activities throw and workflows branch on (shared so the two cannot drift). */
export const ErrorTypes = {
  input: 'StarkInputError',
  notFound: 'StarkNotFoundError',
  transient: 'StarkUnavailableError',
  invoiceNotCredited: 'InvoiceNotCreditedError',
  unexpectedState: 'UnexpectedStateError',
} as const;
