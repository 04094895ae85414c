// The configs and tuples every saver hands back. Built in one place so every
// adapter returns the same shape: `checkpoint_ns` always present, a parent
// config only when there is a parent.
import type {
  Checkpoint,
  CheckpointMetadata,
  CheckpointPendingWrite,
  CheckpointTuple,
  RunnableConfig,
} from "../contract/checkpoint.js";

/**
 * The config naming one checkpoint: what `put` returns and a tuple carries.
 *
 * @example
 * ```ts
 * return checkpointConfig(threadId, ns, checkpoint.id);
 * ```
 */
export function checkpointConfig(
  threadId: string,
  ns: string,
  checkpointId: string,
): RunnableConfig {
  return { configurable: { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: checkpointId } };
}

/**
 * What a stored checkpoint row holds, already decoded: the pieces of a
 * {@link CheckpointTuple}.
 *
 * @example
 * ```ts
 * const parts: StoredTupleParts = { threadId, ns, checkpointId, checkpoint, metadata, parentId, pendingWrites };
 * ```
 */
export interface StoredTupleParts {
  /** The thread. */
  threadId: string;
  /** The namespace. */
  ns: string;
  /** The id the checkpoint is stored under. */
  checkpointId: string;
  /** The decoded checkpoint. */
  checkpoint: Checkpoint;
  /** Its decoded metadata. */
  metadata: CheckpointMetadata | undefined;
  /** The parent checkpoint's id; `undefined`, `null` or `""` for none. */
  parentId: string | null | undefined;
  /** Its writes, in order. */
  pendingWrites: CheckpointPendingWrite[];
}

/**
 * A checkpoint tuple from its stored parts, with `config` and, when the
 * checkpoint has a parent, `parentConfig`.
 *
 * @example
 * ```ts
 * return tupleOf({ threadId, ns, checkpointId, checkpoint, metadata, parentId: row.parent_id, pendingWrites });
 * ```
 */
export function tupleOf(parts: StoredTupleParts): CheckpointTuple {
  const tuple: CheckpointTuple = {
    config: checkpointConfig(parts.threadId, parts.ns, parts.checkpointId),
    checkpoint: parts.checkpoint,
    metadata: parts.metadata,
    pendingWrites: parts.pendingWrites,
  };
  if (parts.parentId)
    tuple.parentConfig = checkpointConfig(parts.threadId, parts.ns, parts.parentId);
  return tuple;
}
