import { randomUUID } from "node:crypto";
import {
  type CheckpointSaver,
  entrypoint,
  interrupt,
  type ThreadSummary,
  task,
} from "@savepoint/core";
import { expect } from "vitest";
import type { Harness } from "../../harness.js";
import type { SaverInitializer } from "../../initializer.js";

/**
 * What each part of the threads group gets: the initializer, the group's
 * harness, and the workflows its tests run.
 *
 * @example
 * ```ts
 * export function myTests({ h, review }: ThreadsContext): void {
 *   it("lists", async () => { const wf = review(h.saver()); await wf.invoke("cat", wf.config()); });
 * }
 * ```
 */
export interface ThreadsContext {
  /** The initializer the suite runs on. */
  init: SaverInitializer;
  /** The group's harness. */
  h: Harness;
}

/** How a test steers one run of {@link reviewWorkflow}. */
export interface ReviewInput {
  topic: string;
  /** Throw from the entrypoint after the essay (a failed run). */
  fail?: boolean;
  /** Wait on this gate inside a second task before pausing (a run that is running). */
  hold?: string;
}

const gates = new Map<string, { promise: Promise<void>; open: () => void }>();

/** A gate a held run waits on until {@link openGate}; created on first use. */
export function gate(name: string): Promise<void> {
  let entry = gates.get(name);
  if (!entry) {
    let open!: () => void;
    const promise = new Promise<void>((resolve) => {
      open = resolve;
    });
    entry = { promise, open };
    gates.set(name, entry);
  }
  return entry.promise;
}

/** Lets every run held on gate `name` go on. */
export function openGate(name: string): void {
  void gate(name);
  gates.get(name)!.open();
}

/**
 * The essay-review workflow under a name of its own (so listings see only
 * this test's threads), counting every task body it runs.
 */
export function reviewWorkflow(
  saver: CheckpointSaver,
  options: { name?: string; leaseMs?: number } = {},
) {
  const name = options.name ?? `threads-${randomUUID().slice(0, 8)}`;
  const runs = { write: 0, held: 0 };
  const write = task("write", async (topic: string) => {
    runs.write++;
    return `An essay about ${topic}`;
  });
  const held = task("held", async (gateName: string) => {
    runs.held++;
    await gate(gateName);
    return "released";
  });
  const workflow = entrypoint(
    { name, checkpointer: saver, leaseMs: options.leaseMs },
    async (input: ReviewInput) => {
      const essay = await write(input.topic);
      if (input.hold) await held(input.hold);
      if (input.fail) throw new Error(`review of ${input.topic} failed`);
      const approved = interrupt({ essay, action: "approve or reject" });
      return { essay, approved };
    },
  );
  return { name, workflow, runs };
}

/** A config for `threadId`, with metadata when given. */
export function configFor(threadId: string, metadata?: Record<string, unknown>) {
  return metadata
    ? { configurable: { thread_id: threadId }, metadata }
    : { configurable: { thread_id: threadId } };
}

/** Every thread a listing yields. */
export async function listed(threads: AsyncIterable<ThreadSummary>): Promise<ThreadSummary[]> {
  const out: ThreadSummary[] = [];
  for await (const t of threads) out.push(t);
  return out;
}

/** Polls `read` until `accept` holds (at most `ms`), then returns the last read. */
export async function eventually<T>(
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  ms = 5_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (accept(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The ids of `threads`, in listing order. */
export const idsOf = (threads: ThreadSummary[]) => threads.map((t) => t.threadId);

/** Asserts a summary's shape: ISO times, a checkpoint id, a status. */
export function expectSummaryShape(t: ThreadSummary): void {
  expect(typeof t.threadId).toBe("string");
  expect(Number.isNaN(Date.parse(t.createdAt))).toBe(false);
  expect(Number.isNaN(Date.parse(t.updatedAt))).toBe(false);
  expect(Date.parse(t.updatedAt)).toBeGreaterThanOrEqual(Date.parse(t.createdAt));
  expect(typeof t.checkpointId).toBe("string");
  expect(Array.isArray(t.interrupts)).toBe(true);
}
