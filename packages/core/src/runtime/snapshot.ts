import type {
  CheckpointMetadata,
  CheckpointPendingWrite,
  CheckpointTuple,
  RunnableConfig,
} from "../contract/checkpoint.js";
import type { Interrupt } from "../contract/interrupt.js";
import {
  comparePositions,
  ERROR,
  INTERRUPT,
  OUTPUT,
  parseTaskId,
  RETURN,
  RUN,
} from "./channels.js";

/**
 * One task as a state snapshot shows it: what it is waiting on, or how it failed.
 *
 * @example
 * ```ts
 * const [first] = (await workflow.getState(config)).tasks;
 * first?.interrupts; // [{ id, value }]
 * ```
 */
export interface SnapshotTask {
  /** `<position>:<name>`; the entrypoint's own is `:<entrypointName>`. */
  id: string;
  /** The task's name (or the entrypoint's). */
  name: string;
  /** The interrupts this task is waiting on. */
  interrupts: Interrupt[];
  /** The error the task failed with, if it failed. */
  error?: unknown;
  /** The task's result, when it has one at this checkpoint. */
  result?: unknown;
}

/**
 * A thread as of one checkpoint.
 *
 * @example
 * ```ts
 * const state = await workflow.getState(config);
 * state.next; // ["workflow"] while paused, [] when finished
 * state.values; // what the last finished run returned
 * ```
 */
export interface StateSnapshot {
  /** What the thread's last finished run returned (undefined before the first finishes). */
  values: unknown;
  /** `[entrypointName]` while a run is paused, failed or under way; `[]` when idle. */
  next: string[];
  /** Tasks (and the entrypoint) with interrupts or errors at this checkpoint. */
  tasks: SnapshotTask[];
  /** Every interrupt the run is waiting on at this checkpoint. */
  interrupts: Interrupt[];
  /** The config naming this checkpoint; pass it back to read or fork from here. */
  config: RunnableConfig;
  /** The checkpoint's metadata (`source`, `step`, and the run's own keys). */
  metadata: CheckpointMetadata | undefined;
  /** When the checkpoint was saved (ISO 8601). */
  createdAt: string | undefined;
  /** The config naming the previous checkpoint, if there is one. */
  parentConfig: RunnableConfig | undefined;
}

/** Interrupts recorded in `writes`, in the order their tasks were called. */
export function pendingInterrupts(
  writes: readonly CheckpointPendingWrite[] | undefined,
): Interrupt[] {
  if (!writes) return [];
  const found: [string, Interrupt[]][] = [];
  for (const [taskId, channel, value] of writes) {
    if (channel !== INTERRUPT || !Array.isArray(value)) continue;
    found.push([parseTaskId(taskId)?.position ?? taskId, value as Interrupt[]]);
  }
  // One task paused (the usual case): nothing to order.
  if (found.length === 1) return [...found[0]![1]];
  found.sort((a, b) => comparePositions(a[0], b[0]));
  return found.flatMap(([, list]) => list);
}

export function snapshotOf(tuple: CheckpointTuple, entrypointName: string): StateSnapshot {
  const values = tuple.checkpoint.channel_values;
  const active = values[RUN] != null;
  const byTask = new Map<string, SnapshotTask>();
  const entry = (taskId: string): SnapshotTask => {
    let task = byTask.get(taskId);
    if (!task) {
      task = { id: taskId, name: parseTaskId(taskId)?.name ?? taskId, interrupts: [] };
      byTask.set(taskId, task);
    }
    return task;
  };
  if (active) entry(`:${entrypointName}`);
  for (const [taskId, channel, value] of tuple.pendingWrites ?? []) {
    if (channel === INTERRUPT && Array.isArray(value))
      entry(taskId).interrupts.push(...(value as Interrupt[]));
    else if (channel === ERROR) entry(taskId).error = value;
    else if (channel === RETURN && byTask.has(taskId)) entry(taskId).result = value;
  }
  const tasks = [...byTask.values()].sort((a, b) =>
    comparePositions(parseTaskId(a.id)?.position ?? a.id, parseTaskId(b.id)?.position ?? b.id),
  );
  return {
    values: values[OUTPUT],
    next: active ? [entrypointName] : [],
    tasks,
    interrupts: active ? pendingInterrupts(tuple.pendingWrites) : [],
    config: tuple.config,
    metadata: tuple.metadata,
    createdAt: tuple.checkpoint.ts,
    parentConfig: tuple.parentConfig,
  };
}
