/**
 * Every error Savepoint throws is a {@link SavepointError} with a stable
 * `code`, so callers can branch on `err.code` without string matching, and a
 * message that says what happened and what to do about it. Adapters throw
 * these same classes, never their own.
 */

const QUOTE_LIMIT = 80;

/**
 * User input as an error message may show it: quoted and escaped (a newline
 * is `\n`, so no input can forge a log line), at most 80 characters of it,
 * and never a throw (a BigInt, a cyclic object, a symbol).
 *
 * @example
 * ```ts
 * quote("a\nb"); // "\"a\\nb\""
 * quote(1n); // "1n"
 * ```
 */
export function quote(value: unknown): string {
  if (typeof value === "string") {
    const cut = value.length > QUOTE_LIMIT ? `${value.slice(0, QUOTE_LIMIT)}…` : value;
    return JSON.stringify(cut);
  }
  if (typeof value === "bigint") return `${value}n`;
  if (value === undefined) return "undefined";
  if (typeof value === "symbol" || typeof value === "function") return `a ${typeof value}`;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (text === undefined) text = Object.prototype.toString.call(value);
  return text.length > QUOTE_LIMIT ? `${text.slice(0, QUOTE_LIMIT)}…` : text;
}

/**
 * Stable, machine-readable codes carried by every {@link SavepointError}.
 *
 * @example
 * ```ts
 * const retryable: SavepointErrorCode[] = ["THREAD_BUSY", "STORAGE_UNAVAILABLE"];
 * if (err instanceof SavepointError && retryable.includes(err.code)) scheduleRetry();
 * ```
 */
export type SavepointErrorCode =
  | "INVALID_ARGUMENT"
  | "MISSING_THREAD_ID"
  | "NO_CHECKPOINTER"
  | "OUTSIDE_WORKFLOW"
  | "NOTHING_TO_RESUME"
  | "UNKNOWN_INTERRUPT_ID"
  | "UNSERIALIZABLE_VALUE"
  | "CORRUPT_VALUE"
  | "BROKEN_HISTORY"
  | "CHECKPOINT_CONFLICT"
  | "THREAD_BUSY"
  | "CHECKPOINT_NOT_FOUND"
  | "REPLAY_DIVERGENCE"
  | "TASK_TIMEOUT"
  | "RUN_ABORTED"
  | "INVALID_IDENTIFIER"
  | "STORAGE_UNAVAILABLE"
  | "STORAGE_ERROR"
  | "SCHEMA_VERSION";

/**
 * The base class of every error Savepoint throws.
 *
 * @example
 * ```ts
 * try {
 *   await workflow.invoke(new Command({ resume: true }), config);
 * } catch (err) {
 *   if (err instanceof SavepointError && err.code === "THREAD_BUSY") retryLater();
 *   else throw err;
 * }
 * ```
 */
export class SavepointError extends Error {
  /** A stable code for programmatic handling. */
  readonly code: SavepointErrorCode;

  constructor(code: SavepointErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * An argument or option has a value Savepoint cannot use.
 *
 * @example
 * ```ts
 * task({ name: "", retry: { maxAttempts: 0 } }, fn); // throws InvalidArgumentError
 * ```
 */
export class InvalidArgumentError extends SavepointError {
  constructor(message: string) {
    super("INVALID_ARGUMENT", message);
  }
}

/**
 * A workflow with a checkpointer was run without `configurable.thread_id`.
 *
 * @example
 * ```ts
 * await workflow.invoke("cat"); // throws: pass { configurable: { thread_id } }
 * ```
 */
export class MissingThreadIdError extends SavepointError {
  constructor(workflowName: string) {
    super(
      "MISSING_THREAD_ID",
      `Workflow ${quote(workflowName)} has a checkpointer, so each run needs a thread: pass ` +
        `{ configurable: { thread_id: "<any stable id>" } } as the config.`,
    );
  }
}

/**
 * `interrupt()` or a `Command` was used on a workflow that has nowhere to save
 * its progress.
 *
 * @example
 * ```ts
 * const wf = entrypoint({ name: "wf" }, async () => interrupt("ok?")); // no checkpointer
 * await wf.invoke(null, config); // throws NoCheckpointerError
 * ```
 */
export class NoCheckpointerError extends SavepointError {
  constructor(workflowName: string, what: string) {
    super(
      "NO_CHECKPOINTER",
      `${what} in workflow ${quote(workflowName)} needs a checkpointer to save the paused run: ` +
        `pass one to entrypoint({ name, checkpointer: new MemorySaver() }, fn).`,
    );
  }
}

/**
 * A runtime function (`interrupt`, `getPreviousState`, a task) was called
 * outside a running entrypoint.
 *
 * @example
 * ```ts
 * interrupt("approve?"); // at module level: throws OutsideWorkflowError
 * ```
 */
export class OutsideWorkflowError extends SavepointError {
  constructor(what: string) {
    super(
      "OUTSIDE_WORKFLOW",
      `${what} was called outside a running workflow. Call it from inside an entrypoint's ` +
        `function or a task it calls (the run's context is carried by AsyncLocalStorage).`,
    );
  }
}

/**
 * A `Command({ resume })` or `invoke(null)` found nothing to continue on the thread.
 *
 * @example
 * ```ts
 * await wf.invoke(new Command({ resume: true }), { configurable: { thread_id: "new" } });
 * // throws NothingToResumeError: the thread has no paused run
 * ```
 */
export class NothingToResumeError extends SavepointError {
  /** The thread that had nothing to resume. */
  readonly threadId: string;
  constructor(threadId: string, detail: string) {
    super("NOTHING_TO_RESUME", `Thread ${quote(threadId)} has nothing to resume: ${detail}`);
    this.threadId = threadId;
  }
}

/**
 * A resume map named an interrupt id that the paused run is not waiting on.
 *
 * @example
 * ```ts
 * await wf.invoke(new Command({ resume: { "0123456789abcdef0123456789abcdef": true } }), config);
 * // throws UnknownInterruptIdError listing the ids that are pending
 * ```
 */
export class UnknownInterruptIdError extends SavepointError {
  /** The id the resume map named. */
  readonly interruptId: string;
  /** The ids of the interrupts the run is actually waiting on. */
  readonly pendingIds: readonly string[];
  constructor(threadId: string, interruptId: string, pendingIds: readonly string[]) {
    super(
      "UNKNOWN_INTERRUPT_ID",
      `Thread ${quote(threadId)} is not waiting on interrupt ${quote(interruptId)}. Pending interrupt ids: ` +
        `${pendingIds.length ? pendingIds.map((id) => `${quote(id)}`).join(", ") : "none"}. ` +
        `Take the ids from the __interrupt__ list the paused run returned, or from getState().`,
    );
    this.interruptId = interruptId;
    this.pendingIds = pendingIds;
  }
}

/**
 * A value cannot be saved without changing it: a function, a symbol, a class
 * instance the serializer does not know, or a circular reference.
 *
 * @example
 * ```ts
 * const bad = task("bad", async () => ({ when: new Temporal() }));
 * // awaiting bad() inside a workflow rejects with:
 * // Task "bad" returned a value that cannot be saved: an instance of Temporal at $.when ...
 * ```
 */
export class UnserializableValueError extends SavepointError {
  /** Where inside the value the problem sits, as `$.a.b[2]`. */
  readonly path: string;
  constructor(owner: string, path: string, what: string) {
    super(
      "UNSERIALIZABLE_VALUE",
      `${owner} cannot be saved: ${what} at ${path}. Savepoint saves JSON values plus Date, Map, ` +
        `Set, BigInt, Uint8Array, undefined, Error, RegExp and URL; convert the value to one of ` +
        `those (for a class instance, return a plain object of its fields).`,
    );
    this.path = path;
  }
}

/**
 * Stored bytes could not be decoded: corrupted, truncated or written by
 * something else.
 *
 * @example
 * ```ts
 * serializer.decode("{not json"); // throws CorruptValueError
 * ```
 */
export class CorruptValueError extends SavepointError {
  /** Where the damaged value is stored, when the saver knows. */
  readonly where: StoredLocation | undefined;
  constructor(detail: string, options?: { cause?: unknown; where?: StoredLocation }) {
    const where = options?.where;
    super(
      "CORRUPT_VALUE",
      `A stored value could not be decoded (${detail})${where ? ` in ${describeLocation(where)}` : ""}. ` +
        "The storage holds bytes this serializer did not write, or they were damaged; check that " +
        "every writer uses the same serializer, and restore the value from a backup if it was damaged.",
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.where = where;
  }
}

/**
 * Where a stored value lives, for error messages: the thread, namespace and
 * checkpoint, and the task and channel of a write.
 *
 * @example
 * ```ts
 * const where: StoredLocation = { threadId: "t", ns: "", checkpointId: "1ef…", channel: "__return__" };
 * ```
 */
export interface StoredLocation {
  threadId: string;
  ns?: string;
  checkpointId?: string;
  taskId?: string;
  channel?: string;
  /** What part of the checkpoint: "checkpoint", "metadata", "write". */
  part?: string;
}

function describeLocation(where: StoredLocation): string {
  const parts = [`thread ${quote(where.threadId)}`];
  if (where.ns !== undefined) parts.push(`namespace ${quote(where.ns)}`);
  if (where.checkpointId !== undefined) parts.push(`checkpoint ${quote(where.checkpointId)}`);
  if (where.part !== undefined) parts.push(where.part);
  if (where.taskId !== undefined) parts.push(`task ${quote(where.taskId)}`);
  if (where.channel !== undefined) parts.push(`channel ${quote(where.channel)}`);
  return parts.join(", ");
}

/**
 * A resume needs a checkpoint of its run that storage no longer has (deleted
 * by hand, lost in a partial restore): replaying without it would re-run
 * finished tasks, so the run stops before any task body runs.
 *
 * @example
 * ```ts
 * await workflow.invoke(new Command({ resume: true }), config); // BrokenHistoryError: ... checkpoint "1ef…" is missing
 * ```
 */
export class BrokenHistoryError extends SavepointError {
  constructor(
    threadId: string,
    ns: string,
    missingCheckpointId: string | undefined,
    runId: string,
  ) {
    super(
      "BROKEN_HISTORY",
      `Thread ${quote(threadId)} (namespace ${quote(ns)}) cannot be continued: ` +
        (missingCheckpointId === undefined
          ? `the first checkpoint of its run ${quote(runId)} is missing from storage`
          : `checkpoint ${quote(missingCheckpointId)} of its run ${quote(runId)}, which the replay needs, is missing from storage`) +
        ". Nothing was run. Restore the checkpoint from a backup, or start the thread over with a new input.",
    );
  }
}

/**
 * A conditional `put` found the thread's head had moved: another run
 * committed first. Nothing of this write was stored.
 *
 * @example
 * ```ts
 * await saver.put(config, checkpoint, metadata, versions, { ifHead: staleId });
 * // throws CheckpointConflictError when staleId is no longer the latest checkpoint
 * ```
 */
export class CheckpointConflictError extends SavepointError {
  /** The thread both runs wrote to. */
  readonly threadId: string;
  /** The checkpoint id this run expected to be the latest (`null`: no checkpoint yet). */
  readonly expectedHead: string | null;
  /** The checkpoint id that was the latest instead (`null`: none). */
  readonly actualHead: string | null;
  constructor(
    threadId: string,
    expectedHead: string | null,
    actualHead: string | null,
    code: "CHECKPOINT_CONFLICT" | "THREAD_BUSY" = "CHECKPOINT_CONFLICT",
    message?: string,
  ) {
    super(
      code,
      message ??
        `Thread ${quote(threadId)} moved on while this run was working: expected its latest ` +
          `checkpoint to be ${expectedHead ?? "none"}, found ${actualHead ?? "none"}. ` +
          `Another run committed first, and this run's checkpoint was not saved. ` +
          `Read the thread again (getState) and decide whether to run again.`,
    );
    this.threadId = threadId;
    this.expectedHead = expectedHead;
    this.actualHead = actualHead;
  }
}

/**
 * Another run started on the same thread at the same moment and won; this run
 * stopped before running any task.
 *
 * @example
 * ```ts
 * const results = await Promise.allSettled([wf.invoke(cmd, config), wf.invoke(cmd, config)]);
 * // one fulfilled, one rejected with ThreadBusyError
 * ```
 */
export class ThreadBusyError extends CheckpointConflictError {
  constructor(
    threadId: string,
    expectedHead: string | null,
    actualHead: string | null,
    detail?: string,
  ) {
    super(
      threadId,
      expectedHead,
      actualHead,
      "THREAD_BUSY",
      detail
        ? `Thread ${quote(threadId)} ${detail}. Nothing was run.`
        : `Thread ${quote(threadId)} is being continued by another run (its latest checkpoint changed ` +
            `from ${expectedHead ?? "none"} to ${actualHead ?? "none"} as this run started). ` +
            `Nothing was run. Wait for the other run to finish, then read the thread and retry.`,
    );
  }
}

/**
 * A `checkpoint_id` in the config names a checkpoint the thread does not have.
 *
 * @example
 * ```ts
 * await wf.invoke(null, { configurable: { thread_id: "t", checkpoint_id: "nope" } });
 * ```
 */
export class CheckpointNotFoundError extends SavepointError {
  constructor(threadId: string, checkpointId: string) {
    super(
      "CHECKPOINT_NOT_FOUND",
      `Thread ${quote(threadId)} has no checkpoint ${quote(checkpointId)}. List the thread's ` +
        `checkpoints with getStateHistory(config) and pick one of their ids.`,
    );
  }
}

/**
 * On replay, the code called a different task at a position than the one the
 * checkpoint recorded there; the new task's body was not run.
 *
 * @example
 * ```ts
 * // first run called writeEssay at position 0; after a code change it calls draftEmail:
 * // ReplayDivergenceError: ... recorded "writeEssay" ... now calls "draftEmail"
 * ```
 */
export class ReplayDivergenceError extends SavepointError {
  /** The thread being replayed. */
  readonly threadId: string;
  /** The call position that diverged, such as `"0"` or `"2.1"` (a task called inside task 2). */
  readonly position: string;
  /** The task name the checkpoint recorded at that position. */
  readonly recordedName: string;
  /** The task name the code called there on replay. */
  readonly calledName: string;
  constructor(threadId: string, position: string, recordedName: string, calledName: string) {
    super(
      "REPLAY_DIVERGENCE",
      `Replay of thread ${quote(threadId)} diverged at task position ${position}: the checkpoint ` +
        `recorded task ${quote(recordedName)} there, but the code now calls ${quote(calledName)}. A ` +
        `workflow must call its tasks in the same order on every replay: move the decision ` +
        `that changed into a task, or start the work on a new thread.`,
    );
    this.threadId = threadId;
    this.position = position;
    this.recordedName = recordedName;
    this.calledName = calledName;
  }
}

/**
 * A task did not settle within its `timeout`.
 *
 * @example
 * ```ts
 * const slow = task({ name: "slow", timeout: 1000 }, fetchReport); // rejects after 1 s
 * ```
 */
export class TaskTimeoutError extends SavepointError {
  constructor(taskName: string, timeoutMs: number) {
    super(
      "TASK_TIMEOUT",
      `Task ${quote(taskName)} did not finish within ${timeoutMs} ms. Raise its timeout, or give it ` +
        `a retry policy if the work can be tried again.`,
    );
  }
}

/**
 * The run's `AbortSignal` fired. Finished tasks stay saved; continue the
 * thread later with `invoke(null, config)`.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const run = wf.invoke("cat", { configurable: { thread_id }, signal: controller.signal });
 * controller.abort(); // run rejects with RunAbortedError
 * ```
 */
export class RunAbortedError extends SavepointError {
  constructor(workflowName: string, reason?: unknown) {
    super(
      "RUN_ABORTED",
      `Run of workflow ${quote(workflowName)} was aborted${reason !== undefined ? ` (${String(reason)})` : ""}. ` +
        `Tasks that finished are saved; continue the thread with invoke(null, config).`,
      { cause: reason },
    );
  }
}

/**
 * A thread id, namespace or key is not accepted by the storage.
 *
 * @example
 * ```ts
 * await saver.getTuple({ configurable: { thread_id: "" } }); // throws InvalidIdentifierError
 * ```
 */
export class InvalidIdentifierError extends SavepointError {
  constructor(what: string, value: unknown, rule: string) {
    super("INVALID_IDENTIFIER", `${what} ${quote(value)} is not accepted: ${rule}.`);
  }
}

/**
 * The storage could not be reached (connection refused, closed, timed out).
 * The message names the host and database, never a password.
 *
 * @example
 * ```ts
 * new PostgresSaver("postgres://app@db.internal:5432/app"); // db down: StorageUnavailableError
 * ```
 */
export class StorageUnavailableError extends SavepointError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("STORAGE_UNAVAILABLE", message, options);
  }
}

/**
 * The storage answered with an error (a failed statement, a script error).
 *
 * @example
 * ```ts
 * // a saver wraps a driver error: StorageError: Postgres at 127.0.0.1:5432/test: relation ... does not exist
 * ```
 */
export class StorageError extends SavepointError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("STORAGE_ERROR", message, options);
  }
}

/**
 * The storage's schema was written by a newer Savepoint than this one; no
 * writes were made.
 *
 * @example
 * ```ts
 * await saver.setup(); // database at schema 7, code knows 3: throws SchemaVersionError
 * ```
 */
export class SchemaVersionError extends SavepointError {
  constructor(message: string) {
    super("SCHEMA_VERSION", message);
  }
}
