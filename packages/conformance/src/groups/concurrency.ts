import {
  CheckpointConflictError,
  Command,
  entrypoint,
  interrupt,
  isPaused,
  type SavepointError,
  SavepointError as SavepointErrorClass,
  type StateSnapshot,
  task,
} from "@savepoint/core";
import { describe, expect, it } from "vitest";
import {
  ascendingIds,
  idsOf,
  listAll,
  makeCheckpoint,
  makeMetadata,
  putChain,
  threadConfig,
} from "../fixtures/checkpoints.js";
import { skipUnlessConditionalPut } from "../fixtures/skips.js";
import { useHarness } from "../harness.js";
import type { SaverInitializer } from "../initializer.js";

const CONTENDERS = 16;
const PARALLEL_THREADS = 100;
const PARALLEL_TASKS = 50;

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (err: unknown) => err,
  );
}

function expectConflict(err: unknown, expectedHead: string | null, actualHead: string | null) {
  expect(err).toBeInstanceOf(CheckpointConflictError);
  const conflict = err as CheckpointConflictError;
  expect(conflict.code).toBe("CHECKPOINT_CONFLICT");
  expect(conflict.expectedHead).toBe(expectedHead);
  expect(conflict.actualHead).toBe(actualHead);
}

/**
 * The "concurrency" group: `put` with `ifHead` lets exactly one of several
 * racing writers commit (tests skip, with a note, for a saver that does not
 * declare `capabilities.conditionalPut`), racing resumes of one paused
 * workflow leave one unforked history, and parallel runs, puts and writes on
 * distinct keys all land.
 *
 * @example
 * ```ts
 * import { concurrencyGroup } from "@savepoint/conformance";
 * concurrencyGroup({ name: "MySaver", create: () => new MySaver() });
 * ```
 */
export function concurrencyGroup(init: SaverInitializer): void {
  describe("concurrency", () => {
    const h = useHarness(init);

    describe("conditional put (ifHead)", () => {
      it("ifHead: null commits on a thread with no checkpoint", async (ctx) => {
        const saver = h.saver();
        skipUnlessConditionalPut(saver, ctx);
        const threadId = h.threadId();
        const { checkpoint, newVersions } = makeCheckpoint({ x: 1 });
        const config = await saver.put(
          threadConfig(threadId),
          checkpoint,
          makeMetadata(),
          newVersions,
          {
            ifHead: null,
          },
        );
        expect(config.configurable?.checkpoint_id).toBe(checkpoint.id);
      });

      it("ifHead: null is refused once the thread has a checkpoint, and stores nothing", async (ctx) => {
        const saver = h.saver();
        skipUnlessConditionalPut(saver, ctx);
        const threadId = h.threadId();
        const [head] = await putChain(saver, threadId, 1);
        const { checkpoint, newVersions } = makeCheckpoint({ x: 2 });
        const err = await rejectionOf(
          saver.put(threadConfig(threadId), checkpoint, makeMetadata(), newVersions, {
            ifHead: null,
          }),
        );
        expectConflict(err, null, head!.checkpoint.id);
        expect(await saver.getTuple(threadConfig(threadId, "", checkpoint.id))).toBeUndefined();
      });

      it("ifHead: the head's id commits a child", async (ctx) => {
        const saver = h.saver();
        skipUnlessConditionalPut(saver, ctx);
        const threadId = h.threadId();
        const [head] = await putChain(saver, threadId, 1);
        const next = makeCheckpoint({ x: 2 }, head);
        await saver.put(head!.config, next.checkpoint, makeMetadata(), next.newVersions, {
          ifHead: head!.checkpoint.id,
        });
        expect((await saver.getTuple(threadConfig(threadId)))?.checkpoint.id).toBe(
          next.checkpoint.id,
        );
      });

      it("a stale ifHead is refused with CheckpointConflictError naming both heads, and stores nothing", async (ctx) => {
        const saver = h.saver();
        skipUnlessConditionalPut(saver, ctx);
        const threadId = h.threadId();
        const [old, head] = await putChain(saver, threadId, 2);
        const next = makeCheckpoint({ x: 3 }, old);
        const err = await rejectionOf(
          saver.put(old!.config, next.checkpoint, makeMetadata(), next.newVersions, {
            ifHead: old!.checkpoint.id,
          }),
        );
        expectConflict(err, old!.checkpoint.id, head!.checkpoint.id);
        expect((err as CheckpointConflictError).threadId).toBe(threadId);
        expect(
          await saver.getTuple(threadConfig(threadId, "", next.checkpoint.id)),
        ).toBeUndefined();
        expect(idsOf(await listAll(saver, threadConfig(threadId)))).toEqual([
          head!.checkpoint.id,
          old!.checkpoint.id,
        ]);
      });

      it("an ifHead naming a checkpoint that never existed is refused", async (ctx) => {
        const saver = h.saver();
        skipUnlessConditionalPut(saver, ctx);
        const threadId = h.threadId();
        const [head] = await putChain(saver, threadId, 1);
        const [ghost] = ascendingIds(1);
        const next = makeCheckpoint({ x: 2 }, head);
        const err = await rejectionOf(
          saver.put(head!.config, next.checkpoint, makeMetadata(), next.newVersions, {
            ifHead: ghost!,
          }),
        );
        expectConflict(err, ghost!, head!.checkpoint.id);
      });

      it("the head is the greatest id, even when an older id was put last", async (ctx) => {
        const saver = h.saver();
        skipUnlessConditionalPut(saver, ctx);
        const threadId = h.threadId();
        const [older, newer] = ascendingIds(2);
        for (const id of [newer!, older!]) {
          const c = makeCheckpoint({ id }, undefined, id);
          await saver.put(threadConfig(threadId), c.checkpoint, makeMetadata(), c.newVersions);
        }
        const next = makeCheckpoint({ x: 1 });
        const err = await rejectionOf(
          saver.put(threadConfig(threadId), next.checkpoint, makeMetadata(), next.newVersions, {
            ifHead: older!,
          }),
        );
        expectConflict(err, older!, newer!);
      });

      it("the head is per namespace: another namespace's checkpoints do not count", async (ctx) => {
        const saver = h.saver();
        skipUnlessConditionalPut(saver, ctx);
        const threadId = h.threadId();
        const [mainHead] = await putChain(saver, threadId, 1, { ns: "" });
        const sub = makeCheckpoint({ x: 1 });
        await saver.put(
          threadConfig(threadId, "sub"),
          sub.checkpoint,
          makeMetadata(),
          sub.newVersions,
          {
            ifHead: null,
          },
        );
        const next = makeCheckpoint({ x: 2 }, mainHead);
        await saver.put(mainHead!.config, next.checkpoint, makeMetadata(), next.newVersions, {
          ifHead: mainHead!.checkpoint.id,
        });
        expect((await saver.getTuple(threadConfig(threadId, "sub")))?.checkpoint.id).toBe(
          sub.checkpoint.id,
        );
      });

      it(`${CONTENDERS} concurrent puts from one head: exactly one commits, no fork`, async (ctx) => {
        const saver = h.saver();
        skipUnlessConditionalPut(saver, ctx);
        const threadId = h.threadId();
        const [head] = await putChain(saver, threadId, 1);
        const children = Array.from({ length: CONTENDERS }, (_, i) => makeCheckpoint({ i }, head));
        const results = await Promise.allSettled(
          children.map((c, i) =>
            saver.put(head!.config, c.checkpoint, makeMetadata({ contender: i }), c.newVersions, {
              ifHead: head!.checkpoint.id,
            }),
          ),
        );
        const won = results.filter((r) => r.status === "fulfilled");
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(CONTENDERS - 1);
        for (const r of lost) expect(r.reason).toBeInstanceOf(CheckpointConflictError);
        const history = await listAll(saver, threadConfig(threadId));
        expect(history).toHaveLength(2);
        const childOfHead = history.filter(
          (t) => t.parentConfig?.configurable?.checkpoint_id === head!.checkpoint.id,
        );
        expect(childOfHead).toHaveLength(1);
      });

      it(`${CONTENDERS} concurrent first puts with ifHead: null: exactly one commits`, async (ctx) => {
        const saver = h.saver();
        skipUnlessConditionalPut(saver, ctx);
        const threadId = h.threadId();
        const results = await Promise.allSettled(
          Array.from({ length: CONTENDERS }, (_, i) => {
            const c = makeCheckpoint({ i });
            return saver.put(threadConfig(threadId), c.checkpoint, makeMetadata(), c.newVersions, {
              ifHead: null,
            });
          }),
        );
        expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
        for (const r of results) {
          if (r.status === "rejected") expect(r.reason).toBeInstanceOf(CheckpointConflictError);
        }
        expect(await listAll(saver, threadConfig(threadId))).toHaveLength(1);
      });
    });

    describe("workflows", () => {
      it(`${CONTENDERS} concurrent resumes of one paused run: one finishes, the rest are refused, history does not fork`, async (ctx) => {
        const saver = h.saver();
        skipUnlessConditionalPut(saver, ctx);
        let prepared = 0;
        const prepare = task("prepare", async (n: number) => {
          prepared++;
          return n * 2;
        });
        const workflow = entrypoint(
          { name: "conformance-race", checkpointer: saver },
          async (n: number) => {
            const doubled = await prepare(n);
            const answer = interrupt({ doubled });
            return { doubled, answer };
          },
        );
        const config = { configurable: { thread_id: h.threadId() } };
        expect(isPaused(await workflow.invoke(21, config))).toBe(true);
        const results = await Promise.allSettled(
          Array.from({ length: CONTENDERS }, (_, i) =>
            workflow.invoke(new Command({ resume: i }), config),
          ),
        );
        const won = results.filter((r) => r.status === "fulfilled");
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
        expect(won).toHaveLength(1);
        const winner = (won[0] as PromiseFulfilledResult<unknown>).value as { doubled: number };
        expect(winner.doubled).toBe(42);
        expect(lost).toHaveLength(CONTENDERS - 1);
        // A loser that read the thread while it was still paused is refused at
        // its write (THREAD_BUSY, or CHECKPOINT_CONFLICT once it had claimed);
        // one that read it after the winner had finished finds no interrupt to
        // answer (NOTHING_TO_RESUME). Every one is told; none commits.
        for (const r of lost) {
          expect(r.reason).toBeInstanceOf(SavepointErrorClass);
          if ((r.reason as SavepointError).code !== "NOTHING_TO_RESUME") {
            expect(r.reason).toBeInstanceOf(CheckpointConflictError);
          }
          expect(["THREAD_BUSY", "CHECKPOINT_CONFLICT", "NOTHING_TO_RESUME"]).toContain(
            (r.reason as SavepointError).code,
          );
        }
        expect(prepared).toBe(1);
        expect((await workflow.getState(config)).values).toEqual(winner);

        const history: StateSnapshot[] = [];
        for await (const s of workflow.getStateHistory(config)) history.push(s);
        const ids = history.map((s) => s.config.configurable?.checkpoint_id);
        const parents = history.map((s) => s.parentConfig?.configurable?.checkpoint_id);
        expect(new Set(parents.filter(Boolean)).size).toBe(parents.filter(Boolean).length);
        for (let i = 0; i < history.length - 1; i++) expect(parents[i]).toBe(ids[i + 1]);
        expect(parents[history.length - 1]).toBeUndefined();
      });

      it(`${PARALLEL_THREADS} concurrent runs on distinct threads all finish`, async () => {
        const saver = h.saver();
        const step = task("step", async (n: number) => n + 1);
        const workflow = entrypoint(
          { name: "conformance-parallel", checkpointer: saver },
          async (n: number) => {
            const first = await step(n);
            const approved = interrupt({ first });
            return { first, second: await step(first), approved };
          },
        );
        const configs = Array.from({ length: PARALLEL_THREADS }, () => ({
          configurable: { thread_id: h.threadId("parallel") },
        }));
        const paused = await Promise.all(configs.map((c, i) => workflow.invoke(i, c)));
        expect(paused.every(isPaused)).toBe(true);
        const done = await Promise.all(
          configs.map((c, i) => workflow.invoke(new Command({ resume: i % 2 === 0 }), c)),
        );
        for (const [i, result] of done.entries()) {
          expect(result).toEqual({ first: i + 1, second: i + 2, approved: i % 2 === 0 });
        }
        const states = await Promise.all(configs.map((c) => workflow.getState(c)));
        states.forEach((state, i) => {
          expect(state.values).toEqual({ first: i + 1, second: i + 2, approved: i % 2 === 0 });
          expect(state.next).toEqual([]);
        });
      });
    });

    describe("parallel writers", () => {
      it(`concurrent putWrites from ${PARALLEL_TASKS} tasks of one checkpoint all land`, async () => {
        const saver = h.saver();
        const threadId = h.threadId();
        const [head] = await putChain(saver, threadId, 1);
        const taskIds = Array.from(
          { length: PARALLEL_TASKS },
          (_, i) => `task-${String(i).padStart(2, "0")}`,
        );
        await Promise.all(
          taskIds.map((taskId, i) =>
            saver.putWrites(
              head!.config,
              [
                ["result", i],
                ["log", `from ${taskId}`],
              ],
              taskId,
            ),
          ),
        );
        const writes = (await saver.getTuple(threadConfig(threadId)))?.pendingWrites ?? [];
        expect(writes).toHaveLength(PARALLEL_TASKS * 2);
        expect(writes).toEqual(
          taskIds.flatMap((taskId, i) => [
            [taskId, "result", i],
            [taskId, "log", `from ${taskId}`],
          ]),
        );
      });

      it("concurrent unconditional puts on distinct threads all land", async () => {
        const saver = h.saver();
        const threads = Array.from({ length: 50 }, () => h.threadId("puts"));
        const chains = await Promise.all(threads.map((t) => putChain(saver, t, 3)));
        const heads = await Promise.all(threads.map((t) => saver.getTuple(threadConfig(t))));
        for (const [i, tuple] of heads.entries()) {
          expect(tuple?.checkpoint.id).toBe(chains[i]![2]!.checkpoint.id);
        }
      });

      it("concurrent puts into distinct namespaces of one thread all land", async () => {
        const saver = h.saver();
        const threadId = h.threadId();
        const namespaces = Array.from({ length: 20 }, (_, i) => `child:${i}`);
        await Promise.all(namespaces.map((ns) => putChain(saver, threadId, 2, { ns })));
        const all = await listAll(saver, { configurable: { thread_id: threadId } });
        expect(all).toHaveLength(namespaces.length * 2);
        const seen = new Set(all.map((t) => t.config.configurable?.checkpoint_ns));
        expect([...seen].sort()).toEqual([...namespaces].sort());
      });

      it("a concurrent deleteThread does not touch a thread being written", async () => {
        const saver = h.saver();
        const doomed = h.threadId("doomed");
        const kept = h.threadId("kept");
        await putChain(saver, doomed, 3);
        const [, chain] = await Promise.all([saver.deleteThread(doomed), putChain(saver, kept, 5)]);
        expect(idsOf(await listAll(saver, threadConfig(kept)))).toEqual(
          [...chain].reverse().map((c) => c.checkpoint.id),
        );
        expect(await saver.getTuple(threadConfig(doomed))).toBeUndefined();
      });
    });
  });
}
