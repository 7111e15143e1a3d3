/**
 * Coalesces concurrent calls into batches, one batch in flight at a time: what waits while a batch is sent goes
 * together in the next one. A failed batch fails each of its calls (their activities retry on their own), and so
 * does one that has not answered within `timeoutMs`: a send that never settles must not hold every later call.
 */
export function createBatcher<Request, Answer>(
  send: (batch: Request[]) => Promise<Answer[]>,
  { maxBatch = 200, timeoutMs = 30_000 }: { maxBatch?: number; timeoutMs?: number } = {},
): (request: Request) => Promise<Answer> {
  const waiting: { request: Request; resolve: (answer: Answer) => void; reject: (err: unknown) => void }[] = [];
  let sending = false;

  const flush = async (): Promise<void> => {
    if (sending || waiting.length === 0) return;
    sending = true;
    const batch = waiting.splice(0, maxBatch);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer to a batch of ${batch.length} within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      const answers = await Promise.race([send(batch.map((w) => w.request)), timedOut]);
      batch.forEach((w, i) => w.resolve(answers[i]!));
    } catch (err) {
      for (const w of batch) w.reject(err);
    } finally {
      clearTimeout(timer);
      sending = false;
      void flush();
    }
  };

  return (request) =>
    new Promise<Answer>((resolve, reject) => {
      waiting.push({ request, resolve, reject });
      void flush();
    });
}
