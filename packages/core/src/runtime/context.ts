// The active run as seen from inside the workflow: what `task()`,
// `interrupt()` and the `get*()` helpers may use of the run they are called
// in, and the carrier that finds it across awaits. The carrier is
// AsyncLocalStorage on Node; it stays behind `runInScope`/`activeScope` so a
// runtime without AsyncLocalStorage (browsers, edge workers) can swap it here
// alone. Nothing in this file imports the run itself.
import { AsyncLocalStorage } from "node:async_hooks";
import type { RunnableConfig } from "../contract/checkpoint.js";
import type { Interrupt } from "../contract/interrupt.js";
import type { BaseStore } from "../contract/store.js";
import { OutsideWorkflowError } from "../errors/index.js";
import type { ResolvedRetryPolicy } from "./retry.js";

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

/** A fresh scope: no child task called and no interrupt raised yet. */
export function newScope(path: string, taskId: string, name: string): Scope {
  return { path, taskId, name, nextChild: 0, nextInterrupt: 0 };
}

/** What `task()` hands the active run for each call: the task as defined. */
export interface TaskDefinition {
  readonly name: string;
  readonly fn: (...args: any[]) => unknown;
  readonly retry: ResolvedRetryPolicy | undefined;
  readonly timeout: number | undefined;
}

/** The part of a run that code inside the workflow reaches. */
export interface ActiveRun {
  /** The run's id: interrupt ids are derived from it, so they survive replays. */
  readonly runId: string;
  /** Answers to interrupts, by interrupt id. */
  readonly resume: ReadonlyMap<string, unknown>;
  /** What `getPreviousState()` returns. */
  readonly previous: unknown;
  /** What `getStore()` returns. */
  readonly store: BaseStore | undefined;
  /** What `getWriter()` returns. */
  readonly writer: (chunk: unknown) => void;
  /** What `getConfig()` returns. */
  readonly config: RunnableConfig;
  /** A task call: replays the saved outcome at the next position of `parent`, or runs the task. */
  callTask(definition: TaskDefinition, args: unknown[], parent: Scope): Promise<unknown>;
  /** An unanswered `interrupt()`: records what the run will pause on. */
  recordInterrupt(scope: Scope, id: string, value: unknown): Interrupt;
}

/** The active run and the scope code runs in. */
export interface ScopeContext {
  readonly run: ActiveRun;
  readonly scope: Scope;
}

// One carrier for the whole runtime: the current run and scope follow every
// await inside the entrypoint and its tasks.
const carrier = new AsyncLocalStorage<ScopeContext>();

/** Runs `fn` with `context` as the active scope (and every await inside it). */
export function runInScope<T>(context: ScopeContext, fn: () => T): T {
  return carrier.run(context, fn);
}

/** The active scope, or `undefined` outside a workflow. */
export function activeScope(): ScopeContext | undefined {
  return carrier.getStore();
}

/** The active scope, or an `OutsideWorkflowError` naming `what` was called. */
export function currentContext(what: string): ScopeContext {
  const context = carrier.getStore();
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
