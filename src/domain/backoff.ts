/** Waits that double from `firstSeconds` up to `maxSeconds`: how a payout spaces out its tries of the same thing. */
export class Backoff {
  private nextSeconds: number;

  constructor(
    private readonly firstSeconds: number,
    private readonly maxSeconds: number,
  ) {
    this.nextSeconds = firstSeconds;
  }

  /** The next wait, in seconds; each call doubles the one after it. */
  next(): number {
    const seconds = this.nextSeconds;
    this.nextSeconds = Math.min(seconds * 2, this.maxSeconds);
    return seconds;
  }

  /** Starts again from the first wait (the thing went through). */
  reset(): void {
    this.nextSeconds = this.firstSeconds;
  }
}
