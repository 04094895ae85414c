import { randomUUID } from "node:crypto";
import {
  type ChannelVersions,
  type Checkpoint,
  type CheckpointSaver,
  type CheckpointTuple,
  entrypoint,
  interrupt,
  newCheckpointId,
  type ThreadSummary,
  task,
} from "@savepoint/core";
import { expect, type TestContext } from "vitest";
import {
  listAll,
  makeMetadata,
  type PutCheckpoint,
  threadConfig,
} from "../../fixtures/checkpoints.js";
import type { Harness } from "../../harness.js";
import type { IsolatedStorage, SaverInitializer } from "../../initializer.js";
import { gate } from "../threads/context.js";

/**
 * What each part of the retention group gets: the initializer, the group's
 * harness, and the storage a test works on.
 *
 * @example
 * ```ts
 * export function myTests({ storage }: RetentionContext): void {
 *   it("prunes", async () => { const saver = await (await storage()).create(); });
 * }
 * ```
 */
export interface RetentionContext {
  /** The initializer the suite runs on. */
  init: SaverInitializer;
  /** The group's harness. */
  h: Harness;
  /**
   * Storage for one test: fresh isolated storage when the initializer has
   * `isolated()`, else the suite's shared storage (enough for tests that
   * touch only their own thread ids). Closed when the test ends.
   */
  storage(): Promise<IsolatedStorage>;
  /**
   * Fresh isolated storage for a test that sweeps (a sweep expires every idle
   * thread it sees), or skips the test when the initializer has none.
   */
  isolated(ctx: TestContext): Promise<IsolatedStorage>;
}

/** Why sweep tests skip on an initializer without `isolated()`. */
export const NO_ISOLATED_NOTE =
  "the initializer has no isolated() storage, so a sweep here would expire other tests' threads";

/** A saver with the retention methods (the group runs only on savers declaring them). */
export type RetainingSaver = CheckpointSaver &
  Required<Pick<CheckpointSaver, "prune" | "copyThread" | "sweep">>;

/** `saver`, typed as having the retention methods (the group's gate checked the capability). */
export function retaining(saver: CheckpointSaver): RetainingSaver {
  return saver as RetainingSaver;
}

/**
 * An interview: before each question a task writes it down, then the run
 * pauses for the answer. A run of n questions spans n checkpoints while it
 * waits, each one's task results replayed on the next resume. `runs` counts
 * each task body that ran, by question.
 */
export function interviewWorkflow(saver: CheckpointSaver, name = uniqueName("interview")) {
  const runs: Record<string, number> = {};
  const ask = task("ask", async (question: string) => {
    runs[question] = (runs[question] ?? 0) + 1;
    return `Q: ${question}?`;
  });
  const workflow = entrypoint(
    { name, checkpointer: saver },
    async (input: { questions: string[] }) => {
      const answers: unknown[] = [];
      for (const question of input.questions) {
        const asked = await ask(question);
        answers.push({ asked, answer: interrupt({ asked }) });
      }
      return { answers };
    },
  );
  return { name, workflow, runs };
}

/** A workflow that finishes at once, or waits on a gate first (a run that holds its lease). */
export function choreWorkflow(
  saver: CheckpointSaver,
  options: { name?: string; leaseMs?: number } = {},
) {
  const name = options.name ?? uniqueName("chore");
  const work = task("work", async (input: { label: string; hold?: string }) => {
    if (input.hold) await gate(input.hold);
    return `done: ${input.label}`;
  });
  const workflow = entrypoint(
    { name, checkpointer: saver, leaseMs: options.leaseMs },
    async (input: { label: string; hold?: string }) => ({ result: await work(input) }),
  );
  return { name, workflow };
}

/** A workflow or thread name no other test uses. */
export function uniqueName(label: string): string {
  return `retention-${label}-${randomUUID().slice(0, 8)}`;
}

/** The config of `threadId`'s latest checkpoint (the runtime's view, without a namespace). */
export function configFor(threadId: string) {
  return { configurable: { thread_id: threadId } };
}

/** The checkpoint ids of (thread, namespace), newest first. */
export async function idsIn(saver: CheckpointSaver, threadId: string, ns = ""): Promise<string[]> {
  return (await listAll(saver, threadConfig(threadId, ns))).map((t) => t.checkpoint.id);
}

/** Every tuple of (thread, namespace), by checkpoint id. */
export async function tuplesIn(
  saver: CheckpointSaver,
  threadId: string,
  ns = "",
): Promise<Map<string, CheckpointTuple>> {
  const out = new Map<string, CheckpointTuple>();
  for (const tuple of await listAll(saver, threadConfig(threadId, ns)))
    out.set(tuple.checkpoint.id, tuple);
  return out;
}

/** Every thread a listing yields. */
export async function listed(threads: AsyncIterable<ThreadSummary>): Promise<ThreadSummary[]> {
  const out: ThreadSummary[] = [];
  for await (const t of threads) out.push(t);
  return out;
}

/**
 * Asserts `threadId` is gone: no checkpoint in any of `namespaces`, and (on
 * a saver with thread records) no record in `workflow`'s listings.
 */
export async function expectThreadGone(
  saver: CheckpointSaver,
  threadId: string,
  namespaces: readonly string[],
  workflow?: {
    thread(id: string): Promise<ThreadSummary | undefined>;
    threads(): AsyncIterable<ThreadSummary>;
  },
): Promise<void> {
  for (const ns of namespaces) {
    expect(await saver.getTuple(threadConfig(threadId, ns)), `getTuple in "${ns}"`).toBeUndefined();
    expect(await idsIn(saver, threadId, ns), `list of "${ns}"`).toEqual([]);
  }
  expect(await listAll(saver, { configurable: { thread_id: threadId } })).toEqual([]);
  if (workflow && saver.capabilities?.threads) {
    expect(await workflow.thread(threadId)).toBeUndefined();
    expect((await listed(workflow.threads())).map((t) => t.threadId)).not.toContain(threadId);
  }
}

/** Resolves after `ms` milliseconds: only to keep two writes' clocks apart. */
export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A `sweep({ now })` time at which everything written so far has been idle
 * longer than `idleMs` (by a margin for clocks that count in whole
 * milliseconds or a database's transaction start).
 */
export function afterIdle(idleMs: number): number {
  return Date.now() + idleMs + 250;
}

/** One checkpoint of {@link putHistory}. */
export interface HistoryStep {
  /** The index of its parent among the steps before it (default: the one before; none for the first). */
  parent?: number;
  /** The channels it writes; every other channel keeps its parent's value and version. */
  changes: Record<string, unknown>;
}

/**
 * Puts checkpoints on (thread, namespace) as the runtime does: each stores
 * only the channels it changes (`newVersions`), and the rest are its
 * parent's values, read back through their old versions. So a channel
 * written once and never again is stored with the first checkpoint only,
 * which pruning must not take with it. A parent other than the one before
 * makes a fork (time travel). Returns the checkpoints, in the order put.
 *
 * @example
 * ```ts
 * await putHistory(saver, threadId, "", [{ changes: { a: 1, b: 1 } }, { changes: { a: 2 } }]);
 * ```
 */
export async function putHistory(
  saver: CheckpointSaver,
  threadId: string,
  ns: string,
  steps: readonly HistoryStep[],
): Promise<PutCheckpoint[]> {
  const out: PutCheckpoint[] = [];
  let lastId: string | undefined;
  for (const [i, step] of steps.entries()) {
    const parent = i === 0 ? undefined : out[step.parent ?? i - 1];
    const channel_versions: ChannelVersions = { ...parent?.checkpoint.channel_versions };
    const newVersions: ChannelVersions = {};
    // Unique per checkpoint and growing along every branch (a parent comes
    // first): siblings never share a (channel, version).
    for (const channel of Object.keys(step.changes)) {
      channel_versions[channel] = i + 1;
      newVersions[channel] = i + 1;
    }
    lastId = newCheckpointId(lastId);
    const checkpoint: Checkpoint = {
      v: 4,
      id: lastId,
      ts: new Date().toISOString(),
      channel_values: { ...parent?.checkpoint.channel_values, ...step.changes },
      channel_versions,
      versions_seen: { __input__: {} },
    };
    const metadata = makeMetadata({ index: i }, i);
    const config = await saver.put(
      threadConfig(threadId, ns, parent?.checkpoint.id),
      checkpoint,
      metadata,
      newVersions,
    );
    out.push({ checkpoint, metadata, config });
  }
  return out;
}

/** The `__run__` channel value of a checkpoint `depth` checkpoints into a Savepoint run. */
export function runUnderWay(depth: number): {
  __run__: { id: string; start: string; depth: number };
} {
  return { __run__: { id: `run-${depth}`, start: "0", depth } };
}
