// Values that cannot be saved or read back, and storage that cannot be reached.
import { quote, SavepointError } from "./base.js";

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
  /** The thread. */
  threadId: string;
  /** The namespace. */
  ns?: string;
  /** The checkpoint. */
  checkpointId?: string;
  /** The task of a write. */
  taskId?: string;
  /** The channel of a write or a channel value. */
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
