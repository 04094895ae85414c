/**
 * What `stream()` yields:
 * - `updates` (default): `{ [taskName]: result }` as each task finishes (on
 *   resume, the saved results are replayed first), then `{ [entrypointName]: value }`;
 * - `values`: the entrypoint's return value when it finishes;
 * - `custom`: whatever `getWriter()` was given;
 * - `tasks`: task starts and results;
 * - `checkpoints`: a state snapshot each time a checkpoint is saved;
 * - `debug`: tasks and checkpoints, each wrapped with a type, step and timestamp.
 * A paused run yields `{ __interrupt__: [...] }` in `updates` and `values`.
 *
 * @example
 * ```ts
 * for await (const [mode, chunk] of workflow.stream("cat", { ...config, streamMode: ["updates", "custom"] })) {
 *   console.log(mode, chunk);
 * }
 * ```
 */
export type StreamMode = "updates" | "values" | "custom" | "tasks" | "checkpoints" | "debug";

export const STREAM_MODES: readonly StreamMode[] = [
  "updates",
  "values",
  "custom",
  "tasks",
  "checkpoints",
  "debug",
];

/**
 * Receives a run's chunks. Each flag says whether anyone listens to that mode,
 * so a run that nobody streams builds no chunks at all.
 */
export class ChunkSink {
  readonly updates: boolean;
  readonly values: boolean;
  readonly custom: boolean;
  readonly tasks: boolean;
  readonly checkpoints: boolean;
  readonly debug: boolean;
  private readonly tupled: boolean;

  constructor(
    modes: StreamMode | StreamMode[],
    private readonly push: (chunk: unknown) => void,
  ) {
    const set = new Set(Array.isArray(modes) ? modes : [modes]);
    this.tupled = Array.isArray(modes);
    this.updates = set.has("updates");
    this.values = set.has("values");
    this.custom = set.has("custom");
    this.tasks = set.has("tasks");
    this.checkpoints = set.has("checkpoints");
    this.debug = set.has("debug");
  }

  emit(mode: StreamMode, chunk: unknown): void {
    this.push(this.tupled ? [mode, chunk] : chunk);
  }
}

/**
 * The object `stream()` returns: an async iterable of chunks that can also be
 * awaited (resolving to an iterable of the same chunks), so both
 * `for await (const c of wf.stream(...))` and
 * `for await (const c of await wf.stream(...))` work.
 *
 * @example
 * ```ts
 * const stream: RunStream = workflow.stream("cat", { configurable: { thread_id: "t1" } });
 * for await (const chunk of stream) console.log(chunk); // { writeEssay: "..." }, then { __interrupt__: [...] }
 * ```
 */
export class RunStream<Chunk = unknown> implements AsyncIterable<Chunk> {
  // A queue with a moving head (`head` is the next chunk to hand out):
  // shift() on a long array is linear, and a stream of 100,000 task updates
  // must not turn quadratic.
  private buffer: Chunk[] = [];
  private head = 0;
  private waiting: ((result: IteratorResult<Chunk>) => void) | undefined;
  private failWaiting: ((error: unknown) => void) | undefined;
  private done = false;
  private error: unknown;
  private failed = false;

  /** @internal */
  push(chunk: Chunk): void {
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      this.failWaiting = undefined;
      resolve({ value: chunk, done: false });
    } else {
      this.buffer.push(chunk);
    }
  }

  /** @internal */
  close(error?: unknown, failed = false): void {
    this.done = true;
    this.error = error;
    this.failed = failed;
    if (this.waiting) {
      const resolve = this.waiting;
      const reject = this.failWaiting!;
      this.waiting = undefined;
      this.failWaiting = undefined;
      if (failed) {
        this.failed = false;
        reject(error);
      } else {
        resolve({ value: undefined as never, done: true });
      }
    }
  }

  private next(): Promise<IteratorResult<Chunk>> {
    if (this.head < this.buffer.length) {
      const chunk = this.buffer[this.head]!;
      this.buffer[this.head++] = undefined as never;
      // Drop the consumed prefix once it is most of the array: amortised O(1) per chunk.
      if (this.head > 1024 && this.head * 2 > this.buffer.length) {
        this.buffer = this.buffer.slice(this.head);
        this.head = 0;
      }
      return Promise.resolve({ value: chunk, done: false });
    }
    if (this.done) {
      if (this.failed) {
        this.failed = false;
        return Promise.reject(this.error);
      }
      return Promise.resolve({ value: undefined as never, done: true });
    }
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failWaiting = reject;
    });
  }

  /** Yields the chunks as the run produces them; rejects with the run's error if it fails. */
  [Symbol.asyncIterator](): AsyncIterator<Chunk> {
    return { next: () => this.next() };
  }

  /** Awaiting the stream gives an async iterable of the same chunks (LangGraph.js's `await graph.stream()` shape). */
  then<R1 = AsyncIterable<Chunk>, R2 = never>(
    onFulfilled?: ((value: AsyncIterable<Chunk>) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    const iterable: AsyncIterable<Chunk> = {
      [Symbol.asyncIterator]: () => this[Symbol.asyncIterator](),
    };
    return Promise.resolve(iterable).then(onFulfilled, onRejected);
  }
}
