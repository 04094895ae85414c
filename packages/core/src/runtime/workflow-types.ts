// The public shapes of a run, beside `entrypoint`: what a caller passes in
// (durability) and gets back (a paused result, a final value), and what the
// runtime knows of a workflow. Kept apart from `entrypoint.ts` so the run's
// own files can use them without importing the entrypoint.
import type { CheckpointSaver, RunnableConfig } from "../contract/checkpoint.js";
import type { Interrupt } from "../contract/interrupt.js";
import type { BaseStore } from "../contract/store.js";

/**
 * When task results reach the saver:
 * - `"sync"`: before the task's promise resolves (a crash loses nothing finished);
 * - `"async"` (default): handed to the saver as the task settles, without
 *   waiting; every write has landed before the run returns or pauses;
 * - `"exit"`: only when the run returns, pauses or fails.
 *
 * @example
 * ```ts
 * await workflow.invoke(input, { configurable: { thread_id }, durability: "sync" });
 * ```
 */
export type Durability = "sync" | "async" | "exit";

/** Every durability, for validating a caller's choice. */
export const DURABILITIES: readonly Durability[] = ["sync", "async", "exit"];

/**
 * What `invoke` returns while the run waits on interrupts.
 *
 * @example
 * ```ts
 * const result = await workflow.invoke("cat", config);
 * if (isPaused(result)) console.log(result.__interrupt__[0]?.value);
 * ```
 */
export interface PausedResult {
  /** The interrupts the run waits on, in the order their tasks were called. */
  __interrupt__: Interrupt[];
}

/**
 * Marks a value as "return this, but save that for the next run's
 * `getPreviousState()`". Build it with `entrypoint.final({ value, save })`.
 *
 * @example
 * ```ts
 * return entrypoint.final({ value: previous ?? 0, save: 2 * n });
 * ```
 */
export class EntrypointFinal<Value, Save> {
  constructor(
    /** What the caller of `invoke` receives. */
    readonly value: Value,
    /** What the thread's next run reads with `getPreviousState()`. */
    readonly save: Save,
  ) {}
}

/** What the runtime knows of one workflow: its name, body and storage. */
export interface WorkflowDefinition {
  readonly name: string;
  readonly fn: (input: any, config: RunnableConfig) => unknown;
  readonly checkpointer: CheckpointSaver | undefined;
  readonly store: BaseStore | undefined;
  /** The default lease of its runs (see `EntrypointOptions.leaseMs`). */
  readonly leaseMs: number;
}

/** The config of one run, as the runtime reads it. */
export interface RunConfig extends RunnableConfig {
  durability?: Durability;
  metadata?: Record<string, unknown>;
  /** How long the run's hold on its thread lasts without renewal (thread listings). */
  leaseMs?: number;
  /**
   * @internal Continue only if the thread's latest checkpoint is still this
   * one (what `recover()` saw stalled); else ThreadBusyError, nothing run.
   */
  continueFrom?: string;
}

/**
 * True when `invoke` returned because the run is waiting on interrupts.
 *
 * @example
 * ```ts
 * const result = await workflow.invoke("cat", config);
 * if (isPaused(result)) showToReviewer(result.__interrupt__);
 * ```
 */
export function isPaused(result: unknown): result is PausedResult {
  return (
    typeof result === "object" &&
    result !== null &&
    Array.isArray((result as PausedResult).__interrupt__)
  );
}
