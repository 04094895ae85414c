// The caller passed something Savepoint cannot use: fix the call.
import { quote, SavepointError } from "./base.js";

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
 * The workflow's checkpointer lacks a capability the call needs (for
 * example thread listings for `workflow.threads()`). Nothing was read or
 * written; the message names the saver and what it must implement.
 *
 * @example
 * ```ts
 * await workflow.threadsPage(); // throws when the saver does not declare capabilities.threads
 * ```
 */
export class SaverCapabilityMissingError extends SavepointError {
  /** The capability asked for. */
  readonly capability: string;

  constructor(saverName: string, capability: string, what: string, toImplement: string) {
    super(
      "SAVER_CAPABILITY_MISSING",
      `${what} needs a checkpointer with capabilities.${capability}, and ${saverName} does not declare it: ` +
        `${toImplement} (see "Write your own saver"), or use a Savepoint saver.`,
    );
    this.capability = capability;
  }
}
