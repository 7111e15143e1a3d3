import type { Job, JobKind, EmulatorState } from './state';

type JobOf<K extends JobKind> = Extract<Job, { kind: K }>;
type JobHandler<K extends JobKind> = (job: JobOf<K>) => void | Promise<void>;
type NewJob = Job extends infer J ? (J extends Job ? Omit<J, 'id' | 'dueAt'> : never) : never;

/** Node fires a timeout longer than this at once (with a warning), so longer waits are armed in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Runs jobs at their due time. The job list lives in the state (so it is saved with it); this only keeps
 * the timers. Delays given here are real milliseconds: callers apply the time scale.
 */
export class Scheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly handlers: { [K in JobKind]?: JobHandler<K> } = {};
  private stopped = false;

  constructor(
    private readonly state: EmulatorState,
    private readonly newId: () => string,
    private readonly onError: (error: unknown, job: Job) => void,
  ) {}

  handle<K extends JobKind>(kind: K, handler: JobHandler<K>): void {
    (this.handlers as Record<K, JobHandler<K>>)[kind] = handler;
  }

  schedule(job: NewJob, delayMs: number): Job {
    const scheduled = { ...job, id: this.newId(), dueAt: Date.now() + Math.max(0, delayMs) };
    this.state.jobs.push(scheduled);
    this.arm(scheduled);
    return scheduled;
  }

  /** Drops pending jobs that match, e.g. when an admin forces an outcome. */
  cancel(matches: (job: Job) => boolean): void {
    for (const job of this.state.jobs.filter(matches)) this.remove(job);
  }

  /** Arms every job already in the state (after loading a state file). */
  resume(): void {
    this.stopped = false;
    for (const job of this.state.jobs) this.arm(job);
  }

  /** Clears every timer; the jobs stay in the state. */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private arm(job: Job): void {
    if (this.stopped) return;
    const wait = job.dueAt - Date.now();
    const timer =
      wait > MAX_TIMER_MS
        ? setTimeout(() => this.arm(job), MAX_TIMER_MS)
        : setTimeout(() => void this.run(job), Math.max(0, wait));
    this.timers.set(job.id, timer);
  }

  private remove(job: Job): void {
    clearTimeout(this.timers.get(job.id));
    this.timers.delete(job.id);
    const index = this.state.jobs.indexOf(job);
    if (index >= 0) this.state.jobs.splice(index, 1);
  }

  private async run(job: Job): Promise<void> {
    this.remove(job);
    const handler = this.handlers[job.kind] as JobHandler<typeof job.kind> | undefined;
    try {
      await handler?.(job);
    } catch (error) {
      this.onError(error, job);
    }
  }
}
