import { AsyncLocalStorage } from "node:async_hooks";
import type { RunnableConfig } from "../contract/checkpoint.js";
import type { BaseStore } from "../contract/store.js";
import { OutsideWorkflowError } from "../errors.js";
import type { Run } from "./run.js";

/** The entrypoint's own body or one task call: where task positions and interrupt ids are counted. */
export interface Scope {
  /** "" for the entrypoint, else the call position ("0", "3", "3.1"). */
  readonly path: string;
  /** The id the scope's writes are stored under. */
  readonly taskId: string;
  /** The entrypoint's or the task's name. */
  readonly name: string;
  /** Position of the next task this scope calls. */
  nextChild: number;
  /** Order of the next interrupt this scope raises. */
  nextInterrupt: number;
}

export interface ScopeContext {
  readonly run: Run;
  readonly scope: Scope;
}

// One AsyncLocalStorage for the whole runtime: the current run and scope
// follow every await inside the entrypoint and its tasks.
export const scopeStorage = new AsyncLocalStorage<ScopeContext>();

export function currentContext(what: string): ScopeContext {
  const context = scopeStorage.getStore();
  if (!context) throw new OutsideWorkflowError(what);
  return context;
}

/**
 * The value the thread's previous run returned (or saved with
 * `entrypoint.final`); `undefined` on a thread's first run.
 *
 * @example
 * ```ts
 * const counter = entrypoint({ name: "counter", checkpointer }, async (n: number) => {
 *   const previous = getPreviousState<number>() ?? 0;
 *   return previous + n; // 1, then 3 for inputs 1 and 2
 * });
 * ```
 */
export function getPreviousState<T = unknown>(): T | undefined {
  return currentContext("getPreviousState()").run.previous as T | undefined;
}

/**
 * A function that sends a chunk to `stream(..., { streamMode: "custom" })`
 * readers; it does nothing when no one streams custom chunks.
 *
 * @example
 * ```ts
 * const step = task("step", async () => {
 *   getWriter()({ progress: 0.5 });
 *   return "done";
 * });
 * ```
 */
export function getWriter(): (chunk: unknown) => void {
  return currentContext("getWriter()").run.writer;
}

/**
 * The long-term memory store given to the entrypoint, or `undefined` if none was.
 *
 * @example
 * ```ts
 * const store = getStore();
 * await store?.put(["users", userId], "profile", { name });
 * ```
 */
export function getStore(): BaseStore | undefined {
  return currentContext("getStore()").run.store;
}

/**
 * The config of the current run (thread id, checkpoint id, signal, and any
 * keys the caller passed).
 *
 * @example
 * ```ts
 * const threadId = getConfig().configurable?.thread_id;
 * ```
 */
export function getConfig(): RunnableConfig {
  return currentContext("getConfig()").run.config;
}
