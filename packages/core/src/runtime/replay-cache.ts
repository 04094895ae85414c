// What a resumed run replays: the saved outcome of every task the run has
// finished, by call position, gathered from the checkpoints of this run.
import type { CheckpointSaver, CheckpointTuple } from "../contract/checkpoint.js";
import { BrokenHistoryError } from "../errors/index.js";
import { ERROR, parseTaskId, RETURN, type RunInfo } from "./channels.js";

/** A task's settled result: its value, or the error it threw. */
export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** A saved outcome with the name of the task that produced it (checked on replay). */
export type CachedOutcome = Outcome & { name: string };

/** Saved outcomes by call position ("0", "3.1"). */
export type ReplayCache = Map<string, CachedOutcome>;

/**
 * Task results of the run, by position, from every checkpoint of the run on
 * the path to `base` (a resumed run may span several checkpoints). One
 * `getTuple` (already done by the caller) plus, past the first resume, one
 * `list`; the first resume (base is the run's first checkpoint) needs no
 * read and is answered synchronously. A run that failed is continued to
 * retry what failed, so with `dropErrors` its saved errors are left out. A
 * missing checkpoint on that path is a BrokenHistoryError.
 */
export function loadReplayCache(
  saver: CheckpointSaver,
  base: CheckpointTuple,
  info: RunInfo,
  threadId: string,
  ns: string,
  dropErrors: boolean,
): ReplayCache | Promise<ReplayCache> {
  if (base.checkpoint.id === info.start) return outcomesOf([base], dropErrors);
  return chainOf(saver, base, info, threadId, ns).then((chain) => outcomesOf(chain, dropErrors));
}

// The run's checkpoints from its first to `base`, oldest first.
async function chainOf(
  saver: CheckpointSaver,
  base: CheckpointTuple,
  info: RunInfo,
  threadId: string,
  ns: string,
): Promise<CheckpointTuple[]> {
  const byId = new Map<string, CheckpointTuple>();
  for await (const tuple of saver.list(
    { configurable: { thread_id: threadId, checkpoint_ns: ns } },
    { filter: { run_id: info.id } },
  )) {
    byId.set(tuple.checkpoint.id, tuple);
  }
  byId.set(base.checkpoint.id, base);
  const chain: CheckpointTuple[] = [];
  let current: CheckpointTuple = base;
  for (;;) {
    chain.push(current);
    if (current.checkpoint.id === info.start) break;
    // A checkpoint of this run is missing: replaying without its writes
    // would re-run tasks that finished, so stop before anything runs.
    const parentId: string | undefined = current.parentConfig?.configurable?.checkpoint_id;
    const parent = parentId ? byId.get(parentId) : undefined;
    if (!parent) throw new BrokenHistoryError(threadId, ns, parentId ?? info.start, info.id);
    current = parent;
  }
  return chain.reverse();
}

function outcomesOf(chain: CheckpointTuple[], dropErrors: boolean): ReplayCache {
  const cache: ReplayCache = new Map();
  for (const tuple of chain) {
    for (const [taskId, channel, value] of tuple.pendingWrites ?? []) {
      const parsed = parseTaskId(taskId);
      if (!parsed || parsed.position === "") continue;
      if (channel === RETURN) {
        cache.set(parsed.position, { name: parsed.name, ok: true, value });
      } else if (channel === ERROR && !cache.get(parsed.position)?.ok) {
        if (dropErrors) cache.delete(parsed.position);
        else cache.set(parsed.position, { name: parsed.name, ok: false, error: value });
      }
    }
  }
  return cache;
}
