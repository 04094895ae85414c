// The workflow's side of retention: `workflow.prune()` over the thread ids
// it is given, or over the threads a listing query finds, with the saver's
// capability asked for first (failing closed, like listings).
import type { CheckpointSaver } from "../contract/checkpoint.js";
import type { PruneOptions, PruneResult } from "../contract/retention.js";
import type { ThreadQuery } from "../contract/threads.js";
import { NoCheckpointerError, SaverCapabilityMissingError } from "../errors/index.js";
import { keepCount, pruneThreadIds } from "../saver-kit/retention.js";
import { allThreads } from "./threads.js";

// Threads pruned per saver call when a query finds them.
const BATCH = 100;

/** The saver's retention, or a typed error naming what is missing. */
export function retentionSaver(
  saver: CheckpointSaver | undefined,
  workflowName: string,
  what: string,
): CheckpointSaver & Required<Pick<CheckpointSaver, "prune" | "copyThread" | "sweep">> {
  if (!saver) throw new NoCheckpointerError(workflowName, what);
  if (
    saver.capabilities?.retention !== true ||
    typeof saver.prune !== "function" ||
    typeof saver.copyThread !== "function" ||
    typeof saver.sweep !== "function"
  ) {
    throw new SaverCapabilityMissingError(
      saver.constructor?.name || "this checkpointer",
      "retention",
      `${what} in workflow "${workflowName}"`,
      "implement prune, copyThread and sweep (keeping what a thread needs now) and declare capabilities.retention",
    );
  }
  return saver as CheckpointSaver &
    Required<Pick<CheckpointSaver, "prune" | "copyThread" | "sweep">>;
}

/**
 * Prunes the threads named, or every thread of the workflow `target`
 * (a listing query) finds, in batches.
 */
export async function pruneThreads(
  checkpointer: CheckpointSaver | undefined,
  workflowName: string,
  target: readonly string[] | ThreadQuery,
  options: PruneOptions,
): Promise<PruneResult> {
  const saver = retentionSaver(checkpointer, workflowName, "prune()");
  keepCount(options?.keep);
  if (Array.isArray(target)) return saver.prune(pruneThreadIds(target), options);
  const total: PruneResult = { threads: 0, checkpoints: 0 };
  let batch: string[] = [];
  const flush = async () => {
    const result = await saver.prune(batch, options);
    total.threads += result.threads;
    total.checkpoints += result.checkpoints;
    batch = [];
  };
  for await (const thread of allThreads(checkpointer, workflowName, target as ThreadQuery)) {
    batch.push(thread.threadId);
    if (batch.length === BATCH) await flush();
  }
  if (batch.length > 0) await flush();
  return total;
}
