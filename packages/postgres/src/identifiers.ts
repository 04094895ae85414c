import { createHash } from "node:crypto";
import {
  InvalidIdentifierError,
  type RunnableConfig,
  requireCheckpointId,
  requireThreadId,
} from "@savepoint/core";

const NUL = "\u0000";

function checkText(what: string, value: unknown, allowEmpty: boolean): string {
  if (typeof value !== "string" || (!allowEmpty && value.length === 0)) {
    throw new InvalidIdentifierError(
      what,
      value,
      allowEmpty ? "it must be a string" : "it must be a non-empty string",
    );
  }
  // Postgres text cannot hold U+0000; refusing it here gives a clear error
  // instead of a driver's "invalid byte sequence".
  if (value.includes(NUL)) {
    throw new InvalidIdentifierError(
      what,
      value,
      "Postgres text cannot hold the NUL character (\\u0000)",
    );
  }
  return value;
}

/**
 * The thread id of a config, or an {@link InvalidIdentifierError}.
 *
 * @example
 * ```ts
 * threadIdOf({ configurable: { thread_id: "t-1" } }, "getTuple"); // "t-1"
 * ```
 */
export function threadIdOf(config: RunnableConfig | undefined, method: string): string {
  return checkText(`${method}: configurable.thread_id`, requireThreadId(config, method), false);
}

/**
 * The checkpoint id `putWrites` needs, or an {@link InvalidIdentifierError}.
 *
 * @example
 * ```ts
 * requiredCheckpointIdOf({ configurable: { thread_id: "t", checkpoint_id: "1" } }, "putWrites"); // "1"
 * ```
 */
export function requiredCheckpointIdOf(config: RunnableConfig | undefined, method: string): string {
  return checkText(
    `${method}: configurable.checkpoint_id`,
    requireCheckpointId(config, method),
    false,
  );
}

/**
 * A thread id checked on its own (as `deleteThread` takes it).
 *
 * @example
 * ```ts
 * checkThreadId(""); // throws InvalidIdentifierError
 * ```
 */
export function checkThreadId(threadId: unknown): string {
  return checkText("thread_id", threadId, false);
}

/**
 * The namespace of a config: `""` when absent.
 *
 * @example
 * ```ts
 * namespaceOf({ configurable: { thread_id: "t" } }); // ""
 * ```
 */
export function namespaceOf(config: RunnableConfig | undefined): string {
  const ns = config?.configurable?.checkpoint_ns;
  return ns === undefined || ns === null ? "" : checkText("checkpoint_ns", ns, true);
}

/**
 * The checkpoint id a config names, or `undefined` when it names none.
 *
 * @example
 * ```ts
 * checkpointIdOf({ configurable: { thread_id: "t", checkpoint_id: "1ef..." } }); // "1ef..."
 * ```
 */
export function checkpointIdOf(config: RunnableConfig | undefined): string | undefined {
  const id = config?.configurable?.checkpoint_id;
  if (id === undefined || id === null || id === "") return undefined;
  return checkText("checkpoint_id", id, false);
}

/**
 * Any other id the saver stores (a checkpoint's own id, a task id).
 *
 * @example
 * ```ts
 * checkId("task_id", "0"); // "0"
 * ```
 */
export function checkId(what: string, value: unknown, allowEmpty = false): string {
  return checkText(what, value, allowEmpty);
}

/**
 * The 16-byte key an id is indexed by (a SHA-256 prefix). Indexing the digest
 * instead of the text lets ids of any length be stored; 128 bits make a
 * collision as unlikely as a UUID's.
 *
 * @example
 * ```ts
 * keyOf("thread-1").length; // 16
 * ```
 */
export function keyOf(id: string): Buffer {
  return createHash("sha256").update(id, "utf8").digest().subarray(0, 16);
}
