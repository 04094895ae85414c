// What an id must be is core's saver-kit rule (a well-formed string, non-empty
// where it must be); this file adds only what is Postgres's own: text that
// cannot hold U+0000, and the hashed keys ids are indexed by.
import * as crypto from "node:crypto";
import {
  checkIdentifier,
  checkThreadId,
  type IdentifierRule,
  InvalidIdentifierError,
  namespaceOf,
  optionalCheckpointId,
  type RunnableConfig,
  requireCheckpointId,
  requireThreadId,
} from "@savepoint/core";

// Refused where an id enters, with the kit's label, so the caller gets a clear
// error instead of the driver's "invalid byte sequence" mid-statement.
function storable<T extends string | undefined>(what: string, value: T): T {
  if (value?.includes("\u0000")) {
    throw new InvalidIdentifierError(
      what,
      value,
      "Postgres text cannot hold the NUL character (\\u0000)",
    );
  }
  return value;
}

/**
 * Any id the saver stores (a checkpoint's own id, a task id, a channel),
 * checked by the kit's rule and Postgres's.
 *
 * @example
 * ```ts
 * storableId("putWrites: task_id", "0", { allowEmpty: true }); // "0"
 * ```
 */
export function storableId(what: string, value: unknown, rule?: IdentifierRule): string {
  return storable(what, checkIdentifier(what, value, rule));
}

/**
 * The thread id of a config, or an `InvalidIdentifierError`.
 *
 * @example
 * ```ts
 * threadIdOf({ configurable: { thread_id: "t-1" } }, "getTuple"); // "t-1"
 * ```
 */
export function threadIdOf(config: RunnableConfig | undefined, method: string): string {
  return storable(`${method}: configurable.thread_id`, requireThreadId(config, method));
}

/**
 * A thread id given on its own (as `deleteThread` takes it).
 *
 * @example
 * ```ts
 * threadIdArg("", "deleteThread"); // throws InvalidIdentifierError
 * ```
 */
export function threadIdArg(threadId: unknown, method: string): string {
  return storable(`${method}: thread_id`, checkThreadId(threadId, method));
}

/**
 * The namespace of a config: `""` when absent or `null`.
 *
 * @example
 * ```ts
 * nsOf({ configurable: { thread_id: "t" } }, "getTuple"); // ""
 * ```
 */
export function nsOf(config: RunnableConfig | undefined, method: string): string {
  return storable(`${method}: configurable.checkpoint_ns`, namespaceOf(config, method));
}

/**
 * The checkpoint id a config names, or `undefined` when it names none.
 *
 * @example
 * ```ts
 * checkpointIdOf({ configurable: { thread_id: "t", checkpoint_id: "1ef..." } }, "getTuple"); // "1ef..."
 * ```
 */
export function checkpointIdOf(
  config: RunnableConfig | undefined,
  method: string,
): string | undefined {
  return storable(`${method}: configurable.checkpoint_id`, optionalCheckpointId(config, method));
}

/**
 * The checkpoint id `putWrites` needs, or an `InvalidIdentifierError`.
 *
 * @example
 * ```ts
 * requiredCheckpointIdOf({ configurable: { thread_id: "t", checkpoint_id: "1" } }, "putWrites"); // "1"
 * ```
 */
export function requiredCheckpointIdOf(config: RunnableConfig | undefined, method: string): string {
  return storable(`${method}: configurable.checkpoint_id`, requireCheckpointId(config, method));
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
  return sha256(id).subarray(0, 16);
}

// Every task write hashes its task id: the one-shot `crypto.hash` (Node
// 20.12 and later) skips the Hash object `createHash` builds each time.
// Looked up on the namespace, since an older Node has no such export.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, out: "buffer") => Buffer })
  .hash;
const sha256: (text: string) => Buffer = oneShot
  ? (text) => oneShot("sha256", text, "buffer")
  : (text) => crypto.createHash("sha256").update(text, "utf8").digest();

// The thread of the last write: a run writes to one thread task after task.
let lastThread: { id: string; key: Buffer } | undefined;

/**
 * {@link keyOf} of a thread id, remembering the last one, so that the writes
 * of one run hash their thread once.
 *
 * @example
 * ```ts
 * threadKeyOf("thread-1").equals(keyOf("thread-1")); // true
 * ```
 */
export function threadKeyOf(threadId: string): Buffer {
  if (lastThread?.id !== threadId) lastThread = { id: threadId, key: keyOf(threadId) };
  return lastThread.key;
}

// Almost every checkpoint is in the default namespace: hash "" once.
const EMPTY_NS_KEY = keyOf("");

/**
 * The key a namespace is indexed by: {@link keyOf}, with `""` precomputed.
 *
 * @example
 * ```ts
 * nsKeyOf("").equals(keyOf("")); // true
 * ```
 */
export function nsKeyOf(ns: string): Buffer {
  return ns === "" ? EMPTY_NS_KEY : keyOf(ns);
}
