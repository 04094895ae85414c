import type {
  CheckpointListOptions,
  CheckpointSaver,
  RunnableConfig,
} from "../contract/checkpoint.js";
import type { PruneOptions, PruneResult } from "../contract/retention.js";
import type { BaseStore } from "../contract/store.js";
import type { ThreadPage, ThreadQuery, ThreadSummary } from "../contract/threads.js";
import {
  InvalidArgumentError,
  MissingThreadIdError,
  NoCheckpointerError,
} from "../errors/index.js";
import { checkThreadId } from "../saver-kit/identifiers.js";
import type { Command } from "./command.js";
import { checkName } from "./names.js";
import { pruneThreads } from "./retention.js";
import { executeRun } from "./run.js";
import { type StateSnapshot, snapshotOf } from "./snapshot.js";
import { ChunkSink, RunStream, STREAM_MODES, type StreamMode } from "./stream.js";
import { checkLeaseMs } from "./thread-record.js";
import {
  allThreads,
  type RecoverOptions,
  type RecoverResult,
  recoverStalled,
  threadsPage,
} from "./threads.js";
import {
  type Durability,
  EntrypointFinal,
  isPaused,
  type PausedResult,
  type RunConfig,
} from "./workflow-types.js";

export { isPaused };

/**
 * Options of {@link entrypoint}.
 *
 * @example
 * ```ts
 * const options: EntrypointOptions = { name: "workflow", checkpointer: new MemorySaver() };
 * ```
 */
export interface EntrypointOptions {
  /** The workflow's name: the key of its final `updates` chunk and of its entry in `getState().next`. */
  name: string;
  /** Where progress is saved. Without one, runs are not durable and `interrupt()` throws. */
  checkpointer?: CheckpointSaver;
  /** Long-term memory, reached inside the workflow with `getStore()`. */
  store?: BaseStore;
  /**
   * How long a run's hold on its thread lasts without renewal (default 30 s;
   * the running process renews it at a third of that). A run whose process
   * dies shows as `"stalled"` in `threads()` once it runs out.
   */
  leaseMs?: number;
}

/**
 * The config of one `invoke` or `stream` call.
 *
 * @example
 * ```ts
 * const config: InvokeConfig = { configurable: { thread_id: "t1" }, durability: "sync", streamMode: "updates" };
 * ```
 */
export interface InvokeConfig extends RunConfig {
  /** When task results reach the saver (default `"async"`). */
  durability?: Durability;
  /** What `stream()` yields (default `"updates"`); an array yields `[mode, chunk]` pairs. */
  streamMode?: StreamMode | StreamMode[];
  /** Keys added to the metadata of every checkpoint this run saves (and to the thread's record). */
  metadata?: Record<string, unknown>;
  /** This run's lease (see {@link EntrypointOptions.leaseMs}). */
  leaseMs?: number;
}

/**
 * A durable workflow, made by {@link entrypoint}.
 *
 * @example
 * ```ts
 * const result = await workflow.invoke("cat", { configurable: { thread_id: "t1" } });
 * for await (const chunk of workflow.stream(new Command({ resume: true }), { configurable: { thread_id: "t1" } })) {
 *   console.log(chunk);
 * }
 * ```
 */
export interface Workflow<Input, Output> {
  /** The name given to {@link entrypoint}. */
  readonly name: string;
  /**
   * Runs the workflow: a new input starts a run; `new Command({ resume })`
   * answers a paused run's interrupts; `null` continues a run that stopped on
   * an error (or crashed) without re-running the tasks that finished.
   * Resolves to the returned value, or to `{ __interrupt__ }` while paused.
   */
  invoke(input: Input | Command | null, config?: InvokeConfig): Promise<Output | PausedResult>;
  /** Like `invoke`, yielding chunks as the run goes (see {@link StreamMode}). */
  stream(input: Input | Command | null, config?: InvokeConfig): RunStream;
  /** The thread as of its latest checkpoint, or the one `checkpoint_id` names. */
  getState(config: RunnableConfig): Promise<StateSnapshot>;
  /** The thread's checkpoints as snapshots, newest first. */
  getStateHistory(
    config: RunnableConfig,
    options?: CheckpointListOptions,
  ): AsyncGenerator<StateSnapshot>;
  /**
   * This workflow's threads, newest update first, across pages: what waits
   * for a person (`status: "interrupted"`), what runs, what stalled. Needs a
   * saver with `capabilities.threads` (every Savepoint saver).
   */
  threads(query?: ThreadQuery): AsyncGenerator<ThreadSummary>;
  /** One page of {@link Workflow.threads}; pass its `cursor` back for the next. */
  threadsPage(query?: ThreadQuery): Promise<ThreadPage>;
  /** One thread's record, or `undefined` when it has none (never run, or deleted). */
  thread(threadId: string): Promise<ThreadSummary | undefined>;
  /**
   * Continues every stalled thread (its run's process died): each with
   * `invoke(null)`, under the usual concurrency guard, so two processes
   * recovering at once never both continue one thread.
   */
  recover(options?: RecoverOptions): Promise<RecoverResult>;
  /**
   * Removes old checkpoints of the threads named, or of every thread a
   * listing query finds (`{ status: "done" }`), keeping what `keep` says and
   * whatever a paused or stalled run needs to resume. Needs a saver with
   * `capabilities.retention` (every Savepoint saver).
   */
  prune(target: readonly string[] | ThreadQuery, options: PruneOptions): Promise<PruneResult>;
}

function validateStreamMode(mode: unknown): StreamMode | StreamMode[] {
  const modes = Array.isArray(mode) ? mode : [mode];
  for (const m of modes) {
    if (!STREAM_MODES.includes(m as StreamMode)) {
      throw new InvalidArgumentError(
        `streamMode ${JSON.stringify(m)} is not one of ${STREAM_MODES.map((s) => `"${s}"`).join(", ")}.`,
      );
    }
  }
  return mode as StreamMode | StreamMode[];
}

function entrypointImpl<Input, Result>(
  options: EntrypointOptions,
  fn: (input: Input, config: RunnableConfig) => Result | Promise<Result>,
): Workflow<Input, UnwrapFinal<Awaited<Result>>> {
  checkName("entrypoint()", options?.name);
  if (typeof fn !== "function") {
    throw new InvalidArgumentError(
      `entrypoint("${options.name}") needs a function as its second argument.`,
    );
  }
  const definition = {
    name: options.name,
    fn: fn as (input: unknown, config: RunnableConfig) => unknown,
    checkpointer: options.checkpointer,
    store: options.store,
    leaseMs: checkLeaseMs(options.leaseMs, `entrypoint("${options.name}")`),
  };
  const saverFor = (what: string, config: RunnableConfig) => {
    if (!definition.checkpointer) throw new NoCheckpointerError(definition.name, what);
    const threadId = config?.configurable?.thread_id;
    if (typeof threadId !== "string" || threadId.length === 0)
      throw new MissingThreadIdError(definition.name);
    return definition.checkpointer;
  };
  return {
    name: definition.name,
    invoke(input, config = {}) {
      return executeRun(definition, input, config, undefined) as Promise<
        UnwrapFinal<Awaited<Result>> | PausedResult
      >;
    },
    stream(input, config = {}) {
      const stream = new RunStream();
      let sink: ChunkSink;
      try {
        sink = new ChunkSink(validateStreamMode(config.streamMode ?? "updates"), (chunk) =>
          stream.push(chunk),
        );
      } catch (error) {
        stream.close(error, true);
        return stream;
      }
      executeRun(definition, input, config, sink).then(
        () => stream.close(),
        (error) => stream.close(error, true),
      );
      return stream;
    },
    async getState(config) {
      const saver = saverFor("getState()", config);
      const tuple = await saver.getTuple(config);
      if (!tuple) {
        return {
          values: undefined,
          next: [],
          tasks: [],
          interrupts: [],
          config,
          metadata: undefined,
          createdAt: undefined,
          parentConfig: undefined,
        };
      }
      return snapshotOf(tuple, definition.name);
    },
    async *getStateHistory(config, listOptions) {
      const saver = saverFor("getStateHistory()", config);
      for await (const tuple of saver.list(config, listOptions))
        yield snapshotOf(tuple, definition.name);
    },
    threads(query) {
      return allThreads(definition.checkpointer, definition.name, query);
    },
    threadsPage(query) {
      return threadsPage(definition.checkpointer, definition.name, query);
    },
    async thread(threadId) {
      const id = checkThreadId(threadId, "thread()");
      const page = await threadsPage(definition.checkpointer, definition.name, {
        threadId: id,
        limit: 1,
      } as ThreadQuery);
      return page.threads[0];
    },
    prune(target, pruneOptions) {
      return pruneThreads(definition.checkpointer, definition.name, target, pruneOptions);
    },
    recover(recoverOptions) {
      return recoverStalled(
        definition.checkpointer,
        definition.name,
        recoverOptions,
        (threadId, checkpointId) =>
          executeRun(
            definition,
            null,
            { configurable: { thread_id: threadId }, continueFrom: checkpointId },
            undefined,
          ),
      );
    },
  };
}

/**
 * The value type a workflow returns: `entrypoint.final({ value })` unwraps to its `value`.
 *
 * @example
 * ```ts
 * type Returned = UnwrapFinal<EntrypointFinal<number, string>>; // number
 * ```
 */
export type UnwrapFinal<T> = T extends EntrypointFinal<infer Value, unknown> ? Value : T;

/**
 * Makes a durable workflow from an async function. The function receives the
 * input; inside it, `task` calls are saved steps, `interrupt()` pauses for a
 * person, and `getPreviousState()` reads what the thread's previous run
 * returned (or saved with `entrypoint.final`).
 *
 * @example
 * ```ts
 * const workflow = entrypoint({ name: "workflow", checkpointer: new MemorySaver() }, async (topic: string) => {
 *   const essay = await writeEssay(topic);
 *   const isApproved = interrupt({ essay, action: "Please approve/reject the essay" });
 *   return { essay, isApproved };
 * });
 * ```
 *
 * @function
 */
export const entrypoint: typeof entrypointImpl & {
  /**
   * Return `value` to the caller but save `save` as the next run's `getPreviousState()`.
   *
   * @example
   * ```ts
   * return entrypoint.final({ value: previous ?? 0, save: 2 * n });
   * ```
   */
  final<Value, Save>(args: { value: Value; save: Save }): EntrypointFinal<Value, Save>;
} = Object.assign(entrypointImpl, {
  final<Value, Save>(args: { value: Value; save: Save }) {
    return new EntrypointFinal(args.value, args.save);
  },
});
