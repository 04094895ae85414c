// A run cannot start or go on: another run holds the thread, the code no longer
// matches the saved history, the history is damaged, or the run was stopped.
import { quote, SavepointError } from "./base.js";

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
  /** True when the checkpoint is older than every checkpoint the thread still has: it was pruned (or never existed). */
  readonly pruned: boolean;

  constructor(threadId: string, checkpointId: string, pruned = false) {
    super(
      "CHECKPOINT_NOT_FOUND",
      pruned
        ? `Thread ${quote(threadId)} no longer has checkpoint ${quote(checkpointId)}: it is older than ` +
            `the oldest checkpoint the thread keeps, so it was pruned (or never existed). Time travel ` +
            `to a checkpoint the thread still has: list them with getStateHistory(config).`
        : `Thread ${quote(threadId)} has no checkpoint ${quote(checkpointId)}. List the thread's ` +
            `checkpoints with getStateHistory(config) and pick one of their ids.`,
    );
    this.pruned = pruned;
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
