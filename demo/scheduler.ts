/**
 * Runs the demo's model calls one at a time (an ONNX Runtime session runs one call at a time) and
 * coalesces bursts: while a task of the same key waits, a newer one replaces it, so dragging a
 * slider decodes the latest value instead of queueing every intermediate one.
 *
 * `document.body.dataset.pending` holds the number of queued and running tasks (the test waits
 * for "0").
 */
export class Scheduler {
  private readonly waiting = new Map<string, () => Promise<void>>();
  private running = false;
  private failures: (error: unknown) => void;

  constructor(onError: (error: unknown) => void) {
    this.failures = onError;
    this.publish();
  }

  /** Queues `task` under `key`, replacing a queued (not yet started) task of that key. */
  schedule(key: string, task: () => Promise<void>): void {
    this.waiting.delete(key);
    this.waiting.set(key, task);
    this.publish();
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    while (this.waiting.size > 0) {
      const [key, task] = this.waiting.entries().next().value as [string, () => Promise<void>];
      this.waiting.delete(key);
      try {
        await task();
      } catch (error) {
        this.failures(error);
      }
      this.publish();
    }
    this.running = false;
    this.publish();
  }

  private publish(): void {
    document.body.dataset['pending'] = String(this.waiting.size + (this.running ? 1 : 0));
  }
}
