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
  | "SCHEMA_VERSION"
  | "SAVER_CAPABILITY_MISSING";

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
