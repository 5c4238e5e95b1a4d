/**
 * Triton-style dynamic batching for one graph: requests that arrive while the graph is busy (or
 * within `maxQueueDelayMs` of the oldest waiting one) are merged, up to `maxBatchSize` rows, into
 * one run; each caller gets back its own result. One run at a time per graph: on a small machine
 * ONNX Runtime already spreads one run over every core, so larger runs beat concurrent ones.
 */
import { HttpError } from './http-error.js';

export interface BatcherOptions {
  /** Most rows merged into one run (a single larger request still runs, alone). */
  maxBatchSize: number;
  /** How long the oldest waiting request may wait for others to join it. */
  maxQueueDelayMs: number;
  /** Most requests waiting (not running); beyond it `submit` throws 429. */
  maxQueue: number;
  /** A request still waiting after this is dropped with 503; one running past it gets 504. 0: none. */
  timeoutMs: number;
  /** Seen after every run: rows merged and requests merged. */
  onBatch?: (rows: number, requests: number) => void;
  /** Seen whenever the number of waiting requests changes. */
  onQueueDepth?: (depth: number) => void;
}

/** Runs the merged requests; must return one result per request, in order. */
export type BatchRunner<Req, Res> = (requests: readonly Req[]) => Promise<Res[]>;

interface Pending<Req, Res> {
  request: Req;
  rows: number;
  arrived: number;
  settled: boolean;
  timer?: ReturnType<typeof setTimeout>;
  resolve(result: Res): void;
  reject(error: unknown): void;
}

export class DynamicBatcher<Req, Res> {
  private readonly queue: Pending<Req, Res>[] = [];
  private running = false;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly run: BatchRunner<Req, Res>,
    /** As given (bench/serve-ceiling-server.ts builds a batcher of the same options around another runner). */
    readonly options: BatcherOptions,
  ) {
    if (!(options.maxBatchSize >= 1)) throw new RangeError(`maxBatchSize must be at least 1; found ${options.maxBatchSize}`);
  }

  /** Requests waiting for a run. */
  get depth(): number {
    return this.queue.length;
  }

  /** Queues `request` (`rows` rows) and resolves with its own result once its batch has run. */
  submit(request: Req, rows: number): Promise<Res> {
    if (this.queue.length >= this.options.maxQueue) {
      return Promise.reject(new HttpError(429, `the queue is full (${this.options.maxQueue} requests waiting, --max-queue); retry later`, { 'retry-after': '1' }));
    }
    return new Promise<Res>((resolve, reject) => {
      const pending: Pending<Req, Res> = { request, rows, arrived: performance.now(), settled: false, resolve, reject };
      if (this.options.timeoutMs > 0) {
        pending.timer = setTimeout(() => this.expire(pending), this.options.timeoutMs);
      }
      this.queue.push(pending);
      this.options.onQueueDepth?.(this.queue.length);
      this.schedule();
    });
  }

  private expire(pending: Pending<Req, Res>): void {
    if (pending.settled) return;
    const index = this.queue.indexOf(pending);
    if (index >= 0) {
      this.queue.splice(index, 1);
      this.options.onQueueDepth?.(this.queue.length);
      this.settle(pending, () => pending.reject(new HttpError(503, `the request waited ${this.options.timeoutMs} ms in the queue without running (--timeout-ms); retry later`, { 'retry-after': '1' })));
    } else {
      this.settle(pending, () => pending.reject(new HttpError(504, `the request did not finish within ${this.options.timeoutMs} ms (--timeout-ms)`)));
    }
  }

  private settle(pending: Pending<Req, Res>, action: () => void): void {
    if (pending.settled) return;
    pending.settled = true;
    if (pending.timer) clearTimeout(pending.timer);
    action();
  }

  private queuedRows(): number {
    let rows = 0;
    for (const p of this.queue) rows += p.rows;
    return rows;
  }

  /** Starts a run now if the batch is full or the oldest request has waited long enough, else sets a timer. */
  private schedule(): void {
    if (this.running || this.queue.length === 0) return;
    const waited = performance.now() - this.queue[0]!.arrived;
    if (this.queuedRows() >= this.options.maxBatchSize || waited >= this.options.maxQueueDelayMs) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      void this.runBatch();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.schedule();
      }, Math.max(0, this.options.maxQueueDelayMs - waited));
    }
  }

  private async runBatch(): Promise<void> {
    // Take requests in arrival order while they fit; the first always goes, even when larger than a batch.
    const batch: Pending<Req, Res>[] = [this.queue.shift()!];
    let rows = batch[0]!.rows;
    while (this.queue.length > 0 && rows + this.queue[0]!.rows <= this.options.maxBatchSize) {
      const next = this.queue.shift()!;
      rows += next.rows;
      batch.push(next);
    }
    this.options.onQueueDepth?.(this.queue.length);
    this.running = true;
    try {
      const results = await this.run(batch.map((p) => p.request));
      this.options.onBatch?.(rows, batch.length);
      batch.forEach((p, i) => this.settle(p, () => p.resolve(results[i]!)));
    } catch (error) {
      for (const p of batch) this.settle(p, () => p.reject(error));
    } finally {
      this.running = false;
      this.schedule();
    }
  }
}
