import assert from 'node:assert/strict';
import { createBatcher } from '../../src/activities/batcher';

describe('batcher', () => {
  it('sends one batch at a time; what waits meanwhile goes together, each caller gets its own answer', async () => {
    const batches: number[][] = [];
    let release: () => void = () => undefined;
    const batcher = createBatcher(async (batch: number[]) => {
      batches.push(batch);
      if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return batch.map((n) => n * 10);
    });
    const first = batcher(1);
    const rest = [2, 3, 4].map((n) => batcher(n));
    release();
    assert.deepEqual(await Promise.all([first, ...rest]), [10, 20, 30, 40]);
    assert.deepEqual(batches, [[1], [2, 3, 4]]);
  });

  it('fails every call of a failed batch, and sends the next one anyway', async () => {
    let calls = 0;
    const batcher = createBatcher((batch: string[]) =>
      ++calls === 1 ? Promise.reject(new Error('ResourceExhausted')) : Promise.resolve(batch),
    );
    await assert.rejects(batcher('a'), /ResourceExhausted/);
    assert.equal(await batcher('b'), 'b');
  });

  it('caps a batch at its maximum size', async () => {
    const sizes: number[] = [];
    let release: () => void = () => undefined;
    const batcher = createBatcher(
      async (batch: number[]) => {
        sizes.push(batch.length);
        if (sizes.length === 1) await new Promise<void>((resolve) => (release = resolve));
        return batch;
      },
      { maxBatch: 2 },
    );
    const all = [1, 2, 3, 4, 5].map((n) => batcher(n));
    release();
    await Promise.all(all);
    assert.deepEqual(sizes, [1, 2, 2]);
  });

  it('gives up on a batch that never answers, failing its calls, and sends the next one', async () => {
    let calls = 0;
    const batcher = createBatcher(
      (batch: string[]) => (++calls === 1 ? new Promise<string[]>(() => undefined) : Promise.resolve(batch)),
      { timeoutMs: 50 },
    );
    await assert.rejects(batcher('lost'), /no answer to a batch of 1 within 50 ms/);
    assert.equal(await batcher('next'), 'next');
  });
});
