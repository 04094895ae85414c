// The thread records as this saver stores them, read back through a raw
// probe: what the conformance group cannot see from outside (a refused put
// or a stale renewal leaves the row as it was; deletion removes the row;
// one statement per call; ties within one millisecond page exactly).
import { randomUUID } from "node:crypto";
import { CheckpointConflictError, type RunnableConfig, type ThreadUpdate } from "@savepoint/core";
import { describe, expect, it } from "vitest";
import { keyOf } from "../src/identifiers.js";
import { type CaseContext, checkpoint, meta, threadId } from "./saver-cases.js";

const entrypoint = () => `records-${randomUUID().slice(0, 8)}`;

export function describeThreadRecordCases(label: string, ctx: CaseContext): void {
  describe(`${label}: thread records`, () => {
    const record = async (thread: string) => {
      const rows = await ctx.raw(
        `SELECT status, checkpoint_id, owner, metadata::text AS metadata, interrupts,
           updated_at::float8 AS updated_at, lease_until::float8 AS lease_until
         FROM ${ctx.schema()}.threads WHERE thread_key = $1`,
        [keyOf(thread)],
      );
      return rows[0];
    };

    // A thread with one checkpoint and a record naming it.
    async function started(update: ThreadUpdate) {
      const saver = ctx.saver();
      const thread = threadId("rec");
      const first = checkpoint({ step: 1 });
      const config = await saver.put(
        { configurable: { thread_id: thread } },
        first,
        meta(),
        first.channel_versions,
        { ifHead: null, thread: update },
      );
      return { saver, thread, first, config };
    }

    it("a put refused with CheckpointConflictError leaves the record as it was", async () => {
      const ep = entrypoint();
      const lease = { owner: "run-1", ms: 60_000 };
      const { saver, thread, first, config } = await started({
        entrypoint: ep,
        status: "running",
        lease,
      });
      const before = await record(thread);
      expect(before).toMatchObject({ status: "running", checkpoint_id: first.id, owner: "run-1" });
      const stray = checkpoint({}, first.id);
      await expect(
        saver.put(
          config,
          stray,
          meta(),
          {},
          {
            ifHead: "not-the-head",
            thread: { entrypoint: ep, status: "done", metadata: { lost: true } },
          },
        ),
      ).rejects.toBeInstanceOf(CheckpointConflictError);
      expect(await record(thread)).toEqual(before);
    });

    it("writes and renewals change the record only while it names their checkpoint", async () => {
      const ep = entrypoint();
      const running = (ms: number): ThreadUpdate => ({
        entrypoint: ep,
        status: "running",
        lease: { owner: "run-1", ms },
      });
      const { saver, thread, first, config } = await started(running(1_000));
      const second = checkpoint({ step: 2 }, first.id);
      const next = await saver.put(config, second, meta(), {}, { thread: running(1_000) });
      const current = await record(thread);
      // A stale run (at the first checkpoint) renews, writes, and fails: nothing changes.
      await saver.putWrites(config, [], "task", "", { thread: running(3_600_000) });
      await saver.putWrites(config, [["out", 1]], "task", "", {
        thread: { entrypoint: ep, status: "failed" },
      });
      expect(await record(thread)).toEqual(current);
      // Its writes are stored all the same: only the record is guarded.
      const stale = await saver.getTuple(config as RunnableConfig);
      expect(stale?.pendingWrites).toEqual([["task", "out", 1]]);
      // The live run renews: a later lease, the same checkpoint.
      await saver.putWrites(next, [], "task", "", { thread: running(3_600_000) });
      const renewed = await record(thread);
      expect(renewed?.checkpoint_id).toBe(second.id);
      expect(Number(renewed?.lease_until)).toBeGreaterThan(Number(current?.lease_until) + 60_000);
      expect(Number(renewed?.updated_at)).toBeGreaterThanOrEqual(Number(current?.updated_at));
    });

    it("merges metadata, clears interrupts when no longer interrupted, and drops the lease", async () => {
      const ep = entrypoint();
      const payload = { when: new Date(0), tags: new Map([["k", new Set([1, 2])]]) };
      const { saver, thread, first, config } = await started({
        entrypoint: ep,
        status: "interrupted",
        interrupts: [{ id: "i-1", value: payload }],
        metadata: { team: "a", at: new Date(5) },
      });
      let [listed] = await saver.listThreads({ entrypoint: ep, threadId: thread, limit: 1 });
      expect(listed?.interrupts).toEqual([{ id: "i-1", value: payload }]);
      expect(listed?.metadata).toEqual({ team: "a", at: new Date(5) });
      expect(listed?.leaseUntil).toBeUndefined();
      await saver.put(
        config,
        checkpoint({}, first.id),
        meta(),
        {},
        {
          thread: { entrypoint: ep, status: "done", metadata: { reviewer: "ada", team: "b" } },
        },
      );
      [listed] = await saver.listThreads({ entrypoint: ep, threadId: thread, limit: 1 });
      expect(listed).toMatchObject({ status: "done", interrupts: [] });
      expect(listed?.metadata).toEqual({ team: "b", at: new Date(5), reviewer: "ada" });
      expect((await record(thread))?.interrupts).toBeNull();
      expect(
        await saver.listThreads({ entrypoint: ep, metadata: { at: new Date(5) }, limit: 5 }),
      ).toHaveLength(1);
      expect(
        await saver.listThreads({ entrypoint: ep, metadata: { at: new Date(6) }, limit: 5 }),
      ).toHaveLength(0);
    });

    it("keeps no record for a put or writes in a subgraph namespace", async () => {
      const saver = ctx.saver();
      const thread = threadId("ns");
      const update: ThreadUpdate = { entrypoint: entrypoint(), status: "done" };
      const cp = checkpoint();
      const config = await saver.put(
        { configurable: { thread_id: thread, checkpoint_ns: "child:1" } },
        cp,
        meta(),
        cp.channel_versions,
        { thread: update },
      );
      await saver.putWrites(config, [["x", 1]], "task", "", { thread: update });
      expect(await record(thread)).toBeUndefined();
    });

    it("a put with a record, a write with one, and a renewal are one statement each", async () => {
      const ep = entrypoint();
      const { saver, first, config } = await started({ entrypoint: ep, status: "done" });
      await saver.setup();
      const update: ThreadUpdate = {
        entrypoint: ep,
        status: "running",
        lease: { owner: "o", ms: 1 },
      };
      let before = ctx.queries();
      const next = await saver.put(
        config,
        checkpoint({}, first.id),
        meta(),
        {},
        { thread: update },
      );
      expect(ctx.queries() - before).toBe(1);
      before = ctx.queries();
      await saver.putWrites(next, [["a", 1]], "t", "", { thread: update });
      await saver.putWrites(
        next,
        [
          ["a", 1],
          ["b", 2],
        ],
        "t2",
        "",
        { thread: update },
      );
      await saver.putWrites(next, [], "t", "", { thread: update });
      expect(ctx.queries() - before).toBe(3);
    });

    it("deleteThread removes the record row", async () => {
      const ep = entrypoint();
      const { saver, thread } = await started({ entrypoint: ep, status: "done" });
      expect(await record(thread)).toBeDefined();
      await saver.deleteThread(thread);
      expect(await record(thread)).toBeUndefined();
      expect(await saver.listThreads({ entrypoint: ep, limit: 10 })).toEqual([]);
    });

    it("pages exactly through threads updated in the same millisecond, in the index's order", async () => {
      const ep = entrypoint();
      const saver = ctx.saver();
      const u = randomUUID().slice(0, 8);
      // Ties go by the thread id's digest (what the indexes hold), so ids of any length page exactly.
      const ids = [
        `a-${u}`,
        `b-${u}`,
        `é-${u}`,
        `\uffff-${u}`,
        `😀-${u}`,
        `${"z".repeat(3000)}-${u}`,
      ];
      for (const id of ids) {
        const cp = checkpoint();
        await saver.put({ configurable: { thread_id: id } }, cp, meta(), cp.channel_versions, {
          thread: { entrypoint: ep, status: "interrupted", interrupts: [] },
        });
      }
      await ctx.raw(`UPDATE ${ctx.schema()}.threads SET updated_at = 1000 WHERE entrypoint = $1`, [
        ep,
      ]);
      const seen: string[] = [];
      let after: { updatedAt: number; threadId: string } | undefined;
      for (;;) {
        const page = await saver.listThreads({
          entrypoint: ep,
          status: ["interrupted"],
          limit: 2,
          after,
        });
        seen.push(...page.map((t) => t.threadId));
        if (page.length < 2) break;
        const last = page[page.length - 1]!;
        after = { updatedAt: last.updatedAtMs, threadId: last.threadId };
      }
      expect(seen).toEqual([...ids].sort((a, b) => Buffer.compare(keyOf(b), keyOf(a))));
      for (const id of ids) await saver.deleteThread(id);
    });
  });
}
