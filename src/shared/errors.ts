/** The message of anything thrown, for logs and answers: never its stack, never the object itself. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
