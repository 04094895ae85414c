// What a `getTuple`, a `put`, a `putWrites` or a `putWritesBatch` call addresses, checked once for every saver:
// the same identifiers, refused with the same errors, before any adapter
// looks at its storage.
import type {
  Checkpoint,
  PutOptions,
  RunnableConfig,
  TaskWritesEntry,
} from "../contract/checkpoint.js";
import { InvalidArgumentError } from "../errors/index.js";
import {
  checkIdentifier,
  isIdentifier,
  namespaceOf,
  optionalCheckpointId,
  requireCheckpointId,
  requireThreadId,
} from "./identifiers.js";

/**
 * The checked target of a `getTuple`: the (thread, namespace) to read and the
 * checkpoint id it names (`undefined`: the latest).
 *
 * @example
 * ```ts
 * const target = tupleTarget(config);
 * if (!target) return undefined; // no thread_id: nothing to read
 * ```
 */
export interface TupleTarget {
  /** The thread. */
  threadId: string;
  /** The namespace. */
  ns: string;
  /** The checkpoint `config` names, or `undefined` for the latest. */
  checkpointId: string | undefined;
}

/**
 * Checks the arguments of `getTuple` as every Savepoint saver does. A config
 * without a `thread_id` names no checkpoint: the result is `undefined`, and
 * `getTuple` returns `undefined` (LangGraph's `BaseCheckpointSaver`
 * contract; Savepoint's runtime refuses such a config itself, with
 * `MissingThreadIdError`, before it reads). A `thread_id` that is there but
 * not a well-formed non-empty string (`""`, `null`, a number, a lone
 * surrogate), a bad namespace or a bad checkpoint id is an
 * `InvalidIdentifierError`, as in every other method.
 *
 * @example
 * ```ts
 * tupleTarget({ configurable: { checkpoint_ns: "" } }); // undefined
 * tupleTarget({ configurable: { thread_id: "t1" } }); // { threadId: "t1", ns: "", checkpointId: undefined }
 * tupleTarget({ configurable: { thread_id: "" } }); // throws InvalidIdentifierError
 * ```
 */
export function tupleTarget(
  config: RunnableConfig | undefined,
  method = "getTuple",
): TupleTarget | undefined {
  const ns = namespaceOf(config, method);
  const checkpointId = optionalCheckpointId(config, method);
  if (config?.configurable?.thread_id === undefined) return undefined;
  return { threadId: requireThreadId(config, method), ns, checkpointId };
}

/**
 * The checked target of a `put`: where the checkpoint goes, its parent, its
 * id and the head condition.
 *
 * @example
 * ```ts
 * const { threadId, ns, parentId, checkpointId, ifHead } = putTarget(config, checkpoint, options);
 * ```
 */
export interface PutTarget {
  /** The thread. */
  threadId: string;
  /** The namespace ("" by default). */
  ns: string;
  /** The parent checkpoint (`config`'s `checkpoint_id`), if any. */
  parentId: string | undefined;
  /** The new checkpoint's id. */
  checkpointId: string;
  /** `PutOptions.ifHead`, checked: a checkpoint id, `null` (no head yet) or `undefined` (unconditional). */
  ifHead: string | null | undefined;
}

/**
 * Checks the arguments of `put` as every Savepoint saver does.
 *
 * @example
 * ```ts
 * const target = putTarget(config, checkpoint, options);
 * ```
 */
export function putTarget(
  config: RunnableConfig,
  checkpoint: Checkpoint,
  options: PutOptions | undefined,
  method = "put",
): PutTarget {
  const ifHead = options?.ifHead;
  return {
    threadId: requireThreadId(config, method),
    ns: namespaceOf(config, method),
    parentId: optionalCheckpointId(config, method),
    checkpointId: isIdentifier(checkpoint?.id, false)
      ? checkpoint.id
      : checkIdentifier(`${method}: checkpoint.id`, checkpoint?.id),
    ifHead:
      ifHead === null || ifHead === undefined
        ? ifHead
        : checkIdentifier(`${method}: options.ifHead`, ifHead, {
            hint: "pass the id of the head checkpoint, null for a thread with none, or leave it out",
          }),
  };
}

/**
 * The checked target of a `putWrites`: the checkpoint the writes belong to
 * and the task that made them.
 *
 * @example
 * ```ts
 * const { threadId, ns, checkpointId, taskId, taskPath } = writesTarget(config, taskId, taskPath);
 * ```
 */
export interface WritesTarget {
  /** The thread. */
  threadId: string;
  /** The namespace. */
  ns: string;
  /** The checkpoint the writes belong to. */
  checkpointId: string;
  /** The task that made them. */
  taskId: string;
  /** Its path ("" when not given). */
  taskPath: string;
}

/**
 * Checks the arguments of `putWrites` as every Savepoint saver does
 * (`taskPath` defaults to `""`; a channel name is checked per write with
 * {@link checkIdentifier}).
 *
 * @example
 * ```ts
 * const target = writesTarget(config, taskId, taskPath);
 * ```
 */
export function writesTarget(
  config: RunnableConfig,
  taskId: string,
  taskPath: string | undefined,
  method = "putWrites",
): WritesTarget {
  return {
    threadId: requireThreadId(config, method),
    ns: namespaceOf(config, method),
    checkpointId: requireCheckpointId(config, method),
    taskId: isIdentifier(taskId, true)
      ? taskId
      : checkIdentifier(`${method}: task_id`, taskId, { allowEmpty: true }),
    taskPath: isIdentifier(taskPath ?? "", true)
      ? (taskPath ?? "")
      : checkIdentifier(`${method}: task_path`, taskPath ?? "", { allowEmpty: true }),
  };
}

/**
 * One entry of a `putWritesBatch` once {@link batchEntries} checked it: its
 * task path is always there (`""` when the entry left it out).
 *
 * @example
 * ```ts
 * const [{ taskId, taskPath, writes }]: CheckedTaskWrites[] = batchEntries(batch);
 * ```
 */
export interface CheckedTaskWrites extends TaskWritesEntry {
  /** The task's path (`""` when the entry gave none). */
  taskPath: string;
}

/**
 * The checked entries of a `putWritesBatch`, as {@link writesTarget} checks
 * one `putWrites`: each a task id, a task path (`""` when not given) and an
 * array of writes. A batch that is not an array, or an entry that is not
 * `{ taskId, writes }`, is an `InvalidArgumentError` naming the entry.
 *
 * @example
 * ```ts
 * const entries = batchEntries(batch); // [{ taskId, taskPath: "", writes }, ...]
 * ```
 */
export function batchEntries(
  batch: readonly TaskWritesEntry[],
  method = "putWritesBatch",
): CheckedTaskWrites[] {
  if (!Array.isArray(batch))
    throw new InvalidArgumentError(
      `${method}: the batch must be an array of { taskId, writes, taskPath? } entries, not ${kindOf(batch)}.`,
    );
  return batch.map((entry: TaskWritesEntry | undefined, i) => {
    if (typeof entry !== "object" || entry === null || !Array.isArray(entry.writes))
      throw new InvalidArgumentError(
        `${method}: entry ${i} of the batch must be { taskId, writes: [channel, value][], taskPath? }, not ${kindOf(entry)}.`,
      );
    const taskPath = entry.taskPath ?? "";
    return {
      taskId: isIdentifier(entry.taskId, true)
        ? entry.taskId
        : checkIdentifier(`${method}: entry ${i} taskId`, entry.taskId, { allowEmpty: true }),
      taskPath: isIdentifier(taskPath, true)
        ? taskPath
        : checkIdentifier(`${method}: entry ${i} taskPath`, taskPath, { allowEmpty: true }),
      writes: entry.writes,
    };
  });
}

// What a refused argument was, for the message.
function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object without a writes array" : `a ${typeof value}`;
}
