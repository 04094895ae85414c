// What every saver with `capabilities.retention` needs and none rewrites:
// the checked options (keep, ttl, durations, sweep limits), the rule of
// what pruning keeps, and what "waiting on an interrupt" means for expiry.
import type { Checkpoint, CheckpointTuple } from "../contract/checkpoint.js";
import type { Keep, SweepOptions, ThreadTtl } from "../contract/retention.js";
import { InvalidArgumentError, quote } from "../errors/index.js";
import { INTERRUPT, RUN } from "../runtime/channels.js";

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * A duration in milliseconds: a positive number of milliseconds, or a
 * string of a number and a unit (`ms`, `s`, `m`, `h`, `d`).
 *
 * @example
 * ```ts
 * parseDuration("30d", "ttl.idle"); // 2_592_000_000
 * parseDuration(1500, "ttl.idle"); // 1500
 * ```
 */
export function parseDuration(value: unknown, what: string): number {
  let ms: number | undefined;
  if (typeof value === "number") ms = value;
  else if (typeof value === "string") {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(value);
    if (match) ms = Number(match[1]) * UNITS[match[2]!]!;
  }
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0) {
    throw new InvalidArgumentError(
      `${what} must be a positive number of milliseconds or a duration such as "45s", "15m", "12h" or "30d"; got ${quote(value)}.`,
    );
  }
  return ms;
}

/**
 * A {@link ThreadTtl} checked, with its defaults filled in.
 *
 * @example
 * ```ts
 * const ttl: ResolvedTtl | undefined = resolveTtl({ idle: "7d" }, "MySaver");
 * ```
 */
export interface ResolvedTtl {
  /** How long a thread may go without a write, in milliseconds. */
  idleMs: number;
  /** What expiry does to a thread. */
  onExpire: "delete" | "keep-latest";
  /** Whether a thread waiting on an interrupt expires too. */
  includeInterrupted: boolean;
  /** Whether reads refresh the idle clock. */
  refreshOnRead: boolean;
}

/**
 * Checks a saver's `ttl` option; `undefined` stays `undefined` (no expiry).
 *
 * @example
 * ```ts
 * resolveTtl({ idle: "7d" }, "MemorySaver"); // { idleMs: 604800000, onExpire: "delete", ... }
 * ```
 */
export function resolveTtl(ttl: ThreadTtl | undefined, saverName: string): ResolvedTtl | undefined {
  if (ttl === undefined) return undefined;
  if (ttl === null || typeof ttl !== "object") {
    throw new InvalidArgumentError(
      `${saverName} ttl must be an object such as { idle: "30d" }; got ${quote(ttl)}.`,
    );
  }
  const onExpire = ttl.onExpire ?? "delete";
  if (onExpire !== "delete" && onExpire !== "keep-latest") {
    throw new InvalidArgumentError(
      `${saverName} ttl.onExpire must be "delete" or "keep-latest"; got ${quote(onExpire)}.`,
    );
  }
  for (const flag of ["includeInterrupted", "refreshOnRead"] as const) {
    if (ttl[flag] !== undefined && typeof ttl[flag] !== "boolean") {
      throw new InvalidArgumentError(
        `${saverName} ttl.${flag} must be true or false; got ${quote(ttl[flag])}.`,
      );
    }
  }
  return {
    idleMs: parseDuration(ttl.idle, `${saverName} ttl.idle`),
    onExpire,
    includeInterrupted: ttl.includeInterrupted ?? false,
    refreshOnRead: ttl.refreshOnRead ?? false,
  };
}

/**
 * How many newest checkpoints `keep` asks for: 1 for `"latest"`, else a
 * whole number of at least 1.
 *
 * @example
 * ```ts
 * keepCount("latest"); // 1
 * keepCount(5); // 5
 * ```
 */
export function keepCount(keep: Keep): number {
  if (keep === "latest") return 1;
  if (typeof keep === "number" && Number.isInteger(keep) && keep >= 1) return keep;
  throw new InvalidArgumentError(
    `prune's keep must be "latest" or a whole number of checkpoints of at least 1; got ${quote(keep)}. ` +
      `To remove a whole thread, use deleteThread.`,
  );
}

/**
 * The checked thread ids of a `prune` call, each once.
 *
 * @example
 * ```ts
 * pruneThreadIds(["a", "a", "b"]); // ["a", "b"]
 * ```
 */
export function pruneThreadIds(threadIds: unknown): string[] {
  if (!Array.isArray(threadIds) || !threadIds.every((id) => typeof id === "string")) {
    throw new InvalidArgumentError(
      `prune takes an array of thread ids (strings); got ${quote(threadIds)}.`,
    );
  }
  return [...new Set(threadIds as string[])];
}

/**
 * The checked `limit` of a sweep (default 1,000 threads).
 *
 * @example
 * ```ts
 * sweepLimit({ limit: 100 }); // 100
 * ```
 */
export function sweepLimit(options: SweepOptions | undefined): number {
  const limit = options?.limit ?? 1_000;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new InvalidArgumentError(
      `sweep's limit must be a whole number of at least 1; got ${quote(limit)}.`,
    );
  }
  if (options?.now !== undefined && !Number.isFinite(options.now)) {
    throw new InvalidArgumentError(
      `sweep's now must be milliseconds since the epoch; got ${quote(options.now)}.`,
    );
  }
  return limit;
}

/**
 * How many checkpoints before this one belong to the run under way in it
 * (Savepoint's `__run__` channel), or -1 when no run is under way (the last
 * run finished, or the checkpoint is not Savepoint's, such as a LangGraph
 * graph's).
 *
 * @example
 * ```ts
 * runDepthOf(head.checkpoint); // 1: the run spans the head and its parent
 * ```
 */
export function runDepthOf(checkpoint: Checkpoint): number {
  const run = checkpoint.channel_values?.[RUN] as { depth?: unknown } | null | undefined;
  return run && typeof run.depth === "number" && run.depth >= 0 ? run.depth : -1;
}

/**
 * One stored checkpoint as `checkpointsToKeep` needs it.
 *
 * @example
 * ```ts
 * const link: StoredCheckpointLink = { id: "2", parentId: "1" };
 * ```
 */
export interface StoredCheckpointLink {
  /** The checkpoint's id. */
  id: string;
  /** Its parent's id, if it has one. */
  parentId: string | undefined;
}

/**
 * The ids `prune` keeps in one namespace: the newest `keep` by id, and the
 * head with the `runDepth` ancestors its run under way replays from (so a
 * paused or stalled run resumes exactly). Everything else may go.
 *
 * @example
 * ```ts
 * checkpointsToKeep([{ id: "1", parentId: undefined }, { id: "2", parentId: "1" }], 1, 0); // Set { "2" }
 * ```
 */
export function checkpointsToKeep(
  checkpoints: readonly StoredCheckpointLink[],
  keep: number,
  runDepth: number,
): Set<string> {
  // Checkpoint ids order as the thread's history (the contract's rule), so
  // the newest is the largest in code-point order.
  const sorted = [...checkpoints].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  const kept = new Set(sorted.slice(0, keep).map((c) => c.id));
  const byId = new Map(checkpoints.map((c) => [c.id, c]));
  let current = sorted[0];
  for (let i = 0; current && i <= runDepth; i++) {
    kept.add(current.id);
    current = current.parentId === undefined ? undefined : byId.get(current.parentId);
  }
  return kept;
}

/**
 * True when the thread's head waits on an interrupt: its pending writes hold
 * one (Savepoint's runs and LangGraph's graphs alike). Expiry leaves such a
 * thread alone unless the ttl says `includeInterrupted`.
 *
 * @example
 * ```ts
 * isWaitingOnInterrupt(await saver.getTuple({ configurable: { thread_id } }));
 * ```
 */
export function isWaitingOnInterrupt(head: CheckpointTuple | undefined): boolean {
  return head?.pendingWrites?.some(([, channel]) => channel === INTERRUPT) ?? false;
}
