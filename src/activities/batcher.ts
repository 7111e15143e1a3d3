/**
 * Coalesces concurrent calls into batches, one batch in flight at a time: what waits while a batch is sent goes
 * together in the next one. A failed batch fails each of its calls (their activities retry on their own).
 */
export function createBatcher<Request, Answer>(
  send: (batch: Request[]) => Promise<Answer[]>,
  maxBatch = 200,
): (request: Request) => Promise<Answer> {
  const waiting: { request: Request; resolve: (answer: Answer) => void; reject: (err: unknown) => void }[] = [];
  let sending = false;

  const flush = async (): Promise<void> => {
    if (sending || waiting.length === 0) return;
    sending = true;
    const batch = waiting.splice(0, maxBatch);
    try {
      const answers = await send(batch.map((w) => w.request));
      batch.forEach((w, i) => w.resolve(answers[i]!));
    } catch (err) {
      for (const w of batch) w.reject(err);
    } finally {
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
