// What a run records about its thread for listings (contract/threads.ts):
// "running" with a lease when it claims the thread, then "interrupted",
// "failed" or "done" with the write that ends it. Each update rides on a
// write the run makes anyway, so keeping the record costs no round trip.
// A run that holds a lease has it renewed by one process-wide timer (not a
// timer per task or per run), so a long task keeps its thread "running" and
// a process that died leaves it "stalled" once the lease runs out.
import type { CheckpointSaver, RunnableConfig, TaskWritesEntry } from "../contract/checkpoint.js";
import type { Interrupt } from "../contract/interrupt.js";
import type { ThreadUpdate } from "../contract/threads.js";
import { InvalidArgumentError } from "../errors/index.js";
import { newRunId } from "../ids.js";
import { INTERRUPT } from "./channels.js";

/** How long a run's hold on its thread lasts without renewal, by default. */
export const DEFAULT_LEASE_MS = 30_000;

/** Checks a `leaseMs` option: a whole number of milliseconds, at least 1. */
export function checkLeaseMs(value: unknown, where: string): number {
  if (value === undefined) return DEFAULT_LEASE_MS;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new InvalidArgumentError(
      `${where}: leaseMs must be a whole number of milliseconds, at least 1; got ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

/** The thread updates of one run; absent when the saver keeps no thread records. */
export class ThreadRecorder {
  private ownerId: string | undefined;

  /** Who holds the thread while this run works: unique per run attempt. */
  get owner(): string {
    // Drawn when first asked (the claim): a resume that only replays and
    // returns never holds a lease, so it never needs one.
    this.ownerId ??= newRunId();
    return this.ownerId;
  }

  constructor(
    private readonly entrypoint: string,
    private readonly metadata: Record<string, unknown> | undefined,
    readonly leaseMs: number,
  ) {}

  running(): ThreadUpdate {
    return {
      entrypoint: this.entrypoint,
      status: "running",
      metadata: this.metadata,
      lease: { owner: this.owner, ms: this.leaseMs },
    };
  }

  interrupted(interrupts: Interrupt[]): ThreadUpdate {
    return { entrypoint: this.entrypoint, status: "interrupted", interrupts };
  }

  failed(): ThreadUpdate {
    return { entrypoint: this.entrypoint, status: "failed" };
  }

  done(): ThreadUpdate {
    return { entrypoint: this.entrypoint, status: "done", metadata: this.metadata };
  }
}

/** A recorder when `saver` keeps thread records, else `undefined`. */
export function threadRecorderFor(
  saver: CheckpointSaver,
  entrypoint: string,
  metadata: Record<string, unknown> | undefined,
  leaseMs: number,
): ThreadRecorder | undefined {
  if (saver.capabilities?.threads !== true) return undefined;
  return new ThreadRecorder(entrypoint, metadata, leaseMs);
}

interface HeldLease {
  readonly ms: number;
  renewedAt: number;
  readonly renew: () => void;
}

// Every lease this process holds, renewed by one timer that ticks at a third
// of the shortest lease (unref'd: it never keeps a finished process alive).
const held = new Set<HeldLease>();
let timer: ReturnType<typeof setInterval> | undefined;
let tickMs = 0;

function tick(): void {
  // Stopped here, lazily, rather than when the last lease goes: runs one
  // after another then share one timer instead of starting one each.
  if (held.size === 0) {
    clearInterval(timer);
    timer = undefined;
    return;
  }
  const now = Date.now();
  for (const lease of held) {
    if (now - lease.renewedAt >= lease.ms / 3) {
      lease.renewedAt = now;
      lease.renew();
    }
  }
}

function schedule(): void {
  let shortest = Number.POSITIVE_INFINITY;
  for (const lease of held) shortest = Math.min(shortest, lease.ms);
  const wanted = Math.max(10, Math.floor(shortest / 3));
  if (timer !== undefined && wanted >= tickMs) return;
  if (timer !== undefined) clearInterval(timer);
  tickMs = wanted;
  timer = setInterval(tick, wanted);
  timer.unref?.();
}

/**
 * Keeps a lease of `ms` renewed (by calling `renew`, which must not throw)
 * until the returned function is called.
 */
export function holdLease(ms: number, renew: () => void): () => void {
  const lease: HeldLease = { ms, renewedAt: Date.now(), renew };
  held.add(lease);
  if (timer === undefined || Math.max(10, Math.floor(ms / 3)) < tickMs) schedule();
  return () => {
    held.delete(lease);
  };
}

/**
 * Renews a run's lease from the moment its claim committed until the
 * returned function is called: an empty `putWrites` to the claim carrying
 * the "running" update (which the saver applies only while the claim is the
 * thread's latest checkpoint).
 */
export function keepLease(
  saver: CheckpointSaver,
  recorder: ThreadRecorder,
  claimConfig: RunnableConfig,
  rootTaskId: string,
  isClosed: () => boolean,
): () => void {
  return holdLease(recorder.leaseMs, () => {
    if (isClosed()) return;
    // A failed renewal is not the run's failure: the next one, or the run's
    // last write, brings the record up to date.
    saver
      .putWrites(claimConfig, [], rootTaskId, "", { thread: recorder.running() })
      .catch(() => {});
  });
}

/**
 * Writes a pausing run's interrupts, one write per task, with `unsent` (task
 * writes the run has not sent yet). A saver with `putWritesBatch` stores them
 * all, and the record's change to "interrupted", in one step. Otherwise the
 * record turns "interrupted" with the last interrupt write, after the others
 * committed: either way a listing never shows an interrupt not saved yet.
 */
export function writeInterrupts(
  saver: CheckpointSaver,
  claimConfig: RunnableConfig,
  groups: [taskId: string, interrupts: Interrupt[]][],
  update: ThreadUpdate | undefined,
  unsent: readonly TaskWritesEntry[] = [],
): Promise<void> {
  const options = update ? { thread: update } : undefined;
  if (saver.putWritesBatch && unsent.length + groups.length > 1) {
    const batch: TaskWritesEntry[] = [...unsent];
    for (const [taskId, list] of groups) batch.push({ taskId, writes: [[INTERRUPT, list]] });
    try {
      return saver.putWritesBatch(claimConfig, batch, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }
  const [lastTaskId, lastList] = groups[groups.length - 1]!;
  const last = () => saver.putWrites(claimConfig, [[INTERRUPT, lastList]], lastTaskId, "", options);
  try {
    // One task paused (the usual case): its write is the only one.
    if (groups.length === 1) return last();
    return Promise.all(
      groups
        .slice(0, -1)
        .map(([taskId, list]) => saver.putWrites(claimConfig, [[INTERRUPT, list]], taskId)),
    ).then(last);
  } catch (error) {
    // A saver that throws rather than rejects fails the pause the same way.
    return Promise.reject(error);
  }
}
