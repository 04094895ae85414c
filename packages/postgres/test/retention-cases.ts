// Retention as this saver stores it, read back through a raw probe: what the
// conformance group cannot see from outside (channel values and writes no
// checkpoint needs are gone from the tables, a copy's rows, a record's
// times), and a paused run pruned next to an unpruned twin.
import { randomUUID } from "node:crypto";
import {
  CheckpointNotFoundError,
  Command,
  entrypoint,
  InvalidArgumentError,
  InvalidIdentifierError,
  interrupt,
  isPaused,
  type RunnableConfig,
  task,
} from "@savepoint/core";
import { describe, expect, it } from "vitest";
import { keyOf } from "../src/identifiers.js";
import type { PostgresSaver, PostgresSaverOptions } from "../src/index.js";
import { chain, checkpoint, collect, meta, threadId } from "./saver-cases.js";

type Rows = Record<string, unknown>[];

/** A schema of its own, savers over it and a raw probe; `destroy` drops it and closes them. */
export interface IsolatedSchema {
  /** The quoted schema name. */
  schema: string;
  /** A saver on this schema (on a server, on a connection of its own, as another process). */
  make(options?: PostgresSaverOptions): PostgresSaver;
  raw(text: string, params?: unknown[]): Promise<Rows>;
  /** On a server: runs `fn` inside a transaction on a connection of its own, committed when it resolves. */
  hold?<T>(
    fn: (query: (text: string, params?: unknown[]) => Promise<Rows>) => Promise<T>,
  ): Promise<T>;
  destroy(): Promise<void>;
}

/** What each driver's test file hands the retention cases. */
export interface RetentionCaseContext {
  isolated(): Promise<IsolatedSchema>;
}

const TABLES = ["checkpoints", "writes", "channel_values", "heads", "threads"] as const;

/** Rows of `thread` in each table. */
export async function rowsOf(db: IsolatedSchema, thread: string): Promise<Record<string, number>> {
  const counts = TABLES.map(
    (t) => `(SELECT count(*)::int FROM ${db.schema}.${t} WHERE thread_key = $1) AS ${t}`,
  );
  const [row] = await db.raw(`SELECT ${counts.join(", ")}`, [keyOf(thread)]);
  return row as Record<string, number>;
}

/** Channel values no checkpoint of `thread` lists, and writes of checkpoints it no longer has. */
export async function orphansOf(db: IsolatedSchema, thread: string) {
  const s = db.schema;
  const [row] = await db.raw(
    `SELECT
      (SELECT count(*)::int FROM ${s}.channel_values v WHERE v.thread_key = $1 AND NOT EXISTS (
        SELECT 1 FROM ${s}.checkpoints c, jsonb_each_text(c.channel_versions) e
        WHERE c.thread_key = v.thread_key AND c.ns_key = v.ns_key AND e.key = v.channel AND e.value = v.version)) AS values,
      (SELECT count(*)::int FROM ${s}.writes w WHERE w.thread_key = $1 AND NOT EXISTS (
        SELECT 1 FROM ${s}.checkpoints c
        WHERE c.thread_key = w.thread_key AND c.ns_key = w.ns_key AND c.checkpoint_id = w.checkpoint_id)) AS writes`,
    [keyOf(thread)],
  );
  return row;
}

/** `n` checkpoints on (thread, ns), each storing its values (`newVersions` = all of them). */
export const history = (saver: PostgresSaver, thread: string, n: number, ns = "") =>
  chain(saver, thread, n, ns, (i) => meta({ step: i }), true);

export const ids = async (saver: PostgresSaver, thread: string, ns?: string) =>
  (
    await collect(
      saver.list({
        configurable:
          ns === undefined ? { thread_id: thread } : { thread_id: thread, checkpoint_ns: ns },
      }),
    )
  ).map((t) => t.checkpoint.id);

// A review: two tasks, then a pause for approval, then a third. `runs`
// counts each task body that ran.
function reviewFlow(saver: PostgresSaver, name: string) {
  const runs = { draft: 0, polish: 0, send: 0 };
  const draft = task("draft", async (n: number) => {
    runs.draft++;
    return `draft ${n}`;
  });
  const polish = task("polish", async (text: string) => {
    runs.polish++;
    return `${text}, polished`;
  });
  const send = task("send", async (text: string) => {
    runs.send++;
    return `sent: ${text}`;
  });
  const workflow = entrypoint({ name, checkpointer: saver }, async (n: number) => {
    const polished = await polish(await draft(n));
    const approved = interrupt<string, boolean>(`send ${polished}?`);
    return approved ? await send(polished) : "held";
  });
  return { workflow, runs };
}

export function describeRetentionCases(label: string, ctx: RetentionCaseContext): void {
  describe(`${label}: prune`, () => {
    it('keep: "latest" and keep: N in every namespace, with the head\'s writes, and no orphaned rows', async () => {
      const db = await ctx.isolated();
      try {
        const saver = db.make();
        const thread = threadId("prune");
        const root = await history(saver, thread, 5);
        const child = await history(saver, thread, 3, "child:1");
        for (const config of [...root, ...child])
          await saver.putWrites(config, [["out", 1]], "task");
        const before = await rowsOf(db, thread);
        expect(await saver.prune([thread], { keep: 2 })).toEqual({ threads: 1, checkpoints: 4 });
        expect(await ids(saver, thread, "")).toEqual(
          root
            .slice(-2)
            .reverse()
            .map((c) => c.configurable!.checkpoint_id),
        );
        expect(await ids(saver, thread, "child:1")).toHaveLength(2);
        expect(await saver.prune([thread], { keep: "latest" })).toEqual({
          threads: 1,
          checkpoints: 2,
        });
        const head = await saver.getTuple({ configurable: { thread_id: thread } });
        expect(head?.checkpoint.id).toBe(root.at(-1)!.configurable!.checkpoint_id);
        expect(head?.checkpoint.channel_values).toEqual({ i: 4 });
        expect(head?.pendingWrites).toEqual([["task", "out", 1]]);
        const after = await rowsOf(db, thread);
        expect(after).toMatchObject({ checkpoints: 2, writes: 2, heads: 2 });
        expect(after.channel_values).toBeLessThan(before.channel_values!);
        expect(await orphansOf(db, thread)).toEqual({ values: 0, writes: 0 });
        // Nothing left to prune, and an id that names nothing is not counted.
        expect(await saver.prune([thread, threadId("none")], { keep: "latest" })).toEqual({
          threads: 1,
          checkpoints: 0,
        });
      } finally {
        await db.destroy();
      }
    });

    it("a paused run pruned to its latest resumes as its unpruned twin does, re-running no task", async () => {
      const db = await ctx.isolated();
      try {
        const saver = db.make();
        const name = `review-${randomUUID().slice(0, 8)}`;
        const pruned = reviewFlow(saver, name);
        const twin = reviewFlow(saver, name);
        const configOf = (id: string): RunnableConfig => ({ configurable: { thread_id: id } });
        const [a, b] = [threadId("pruned"), threadId("twin")];
        for (const [flow, id] of [
          [pruned, a],
          [twin, b],
        ] as const) {
          for (const n of [1, 2]) {
            expect(isPaused(await flow.workflow.invoke(n, configOf(id)))).toBe(true);
            await flow.workflow.invoke(new Command({ resume: true }), configOf(id));
          }
          expect(isPaused(await flow.workflow.invoke(3, configOf(id)))).toBe(true);
        }
        const history = await ids(saver, a);
        const result = await saver.prune([a], { keep: "latest" });
        expect(result.threads).toBe(1);
        expect(result.checkpoints).toBeGreaterThan(0);
        expect((await ids(saver, a)).length).toBe(history.length - result.checkpoints);
        expect(await orphansOf(db, a)).toEqual({ values: 0, writes: 0 });
        // What getState shows now is what the twin shows.
        const stateA = await pruned.workflow.getState(configOf(a));
        const stateB = await twin.workflow.getState(configOf(b));
        expect(stateA.values).toEqual(stateB.values);
        // (Interrupt ids differ: they name their thread.)
        const waitsOn = (state: typeof stateA) =>
          state.tasks.map((t) => t.interrupts.map((i) => i.value));
        expect(waitsOn(stateA)).toEqual(waitsOn(stateB));
        expect(waitsOn(stateA)).toEqual([["send draft 3, polished?"]]);
        const runsBefore = [{ ...pruned.runs }, { ...twin.runs }];
        const [doneA, doneB] = [
          await pruned.workflow.invoke(new Command({ resume: true }), configOf(a)),
          await twin.workflow.invoke(new Command({ resume: true }), configOf(b)),
        ];
        expect(doneA).toEqual("sent: draft 3, polished");
        expect(doneA).toEqual(doneB);
        expect(pruned.runs).toEqual({ ...runsBefore[0]!, send: runsBefore[0]!.send + 1 });
        expect(twin.runs).toEqual({ ...runsBefore[1]!, send: runsBefore[1]!.send + 1 });
        // Time travel to a checkpoint that was pruned says so.
        const err = await pruned.workflow
          .invoke(4, { configurable: { thread_id: a, checkpoint_id: history.at(-1)! } })
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(CheckpointNotFoundError);
        expect((err as CheckpointNotFoundError).pruned).toBe(true);
      } finally {
        await db.destroy();
      }
    });

    it("never removes a checkpoint put while it prunes, and leaves the record's time alone", async () => {
      const db = await ctx.isolated();
      try {
        const saver = db.make();
        const other = db.make();
        const thread = threadId("race");
        const configs = await history(saver, thread, 6);
        await saver.put(
          configs.at(-1)!,
          checkpoint({ last: true }, configs.at(-1)!.configurable!.checkpoint_id),
          meta(),
          {},
          { thread: { entrypoint: "race", status: "done" } },
        );
        const [record] = await db.raw(
          `SELECT updated_at::float8 AS t FROM ${db.schema}.threads WHERE thread_key = $1`,
          [keyOf(thread)],
        );
        let parent = (await saver.getTuple({ configurable: { thread_id: thread } }))!.config;
        const puts: string[] = [];
        const racing = (async () => {
          for (let i = 0; i < 10; i++) {
            const next = checkpoint({ racing: i }, parent.configurable!.checkpoint_id);
            parent = await other.put(parent, next, meta(), {});
            puts.push(next.id);
          }
        })();
        const pruning = (async () => {
          for (let i = 0; i < 5; i++) await saver.prune([thread], { keep: "latest" });
        })();
        await Promise.all([racing, pruning]);
        // Every racing put after the last prune's read is there; the newest always.
        const left = await ids(saver, thread);
        expect(left[0]).toBe(puts.at(-1));
        await saver.prune([thread], { keep: "latest" });
        expect(await ids(saver, thread)).toEqual([puts.at(-1)]);
        const [after] = await db.raw(
          `SELECT updated_at::float8 AS t FROM ${db.schema}.threads WHERE thread_key = $1`,
          [keyOf(thread)],
        );
        expect(after).toEqual(record);
      } finally {
        await db.destroy();
      }
    });
  });

  describe(`${label}: copyThread and deleteThread`, () => {
    it("copies every row under the new id, then the two diverge; a running copy lists as stalled", async () => {
      const db = await ctx.isolated();
      try {
        const saver = db.make();
        const [from, to] = [threadId("from"), threadId("to")];
        const root = await history(saver, from, 3);
        await history(saver, from, 2, "child:1");
        await saver.putWrites(root.at(-1)!, [["out", { deep: [1] }]], "task");
        const head = checkpoint({ i: 3 }, root.at(-1)!.configurable!.checkpoint_id);
        const lease = { owner: "run-1", ms: 600_000 };
        await saver.put(root.at(-1)!, head, meta(), head.channel_versions, {
          thread: { entrypoint: "copies", status: "running", lease, metadata: { team: "a" } },
        });
        await saver.copyThread(from, to);
        expect(await rowsOf(db, to)).toEqual(await rowsOf(db, from));
        for (const ns of ["", "child:1"])
          expect(await ids(saver, to, ns)).toEqual(await ids(saver, from, ns));
        const copied = await saver.getTuple({ configurable: { thread_id: to } });
        expect(copied?.config.configurable?.thread_id).toBe(to);
        expect(copied?.checkpoint).toEqual(
          (await saver.getTuple({ configurable: { thread_id: from } }))?.checkpoint,
        );
        const listed = await saver.listThreads({ entrypoint: "copies", limit: 10 });
        expect(Object.fromEntries(listed.map((t) => [t.threadId, t.status]))).toEqual({
          [from]: "running",
          [to]: "stalled",
        });
        expect(listed.find((t) => t.threadId === to)?.metadata).toEqual({ team: "a" });
        // Diverge: a write to the copy never shows in the original.
        await saver.put(copied!.config, checkpoint({ copy: true }, head.id), meta(), {});
        await saver.putWrites(copied!.config, [["only", "copy"]], "t2");
        expect(await ids(saver, to, "")).toHaveLength(5);
        expect(await ids(saver, from, "")).toHaveLength(4);
        expect(
          (await saver.getTuple({ configurable: { thread_id: from } }))?.pendingWrites,
        ).toEqual([]);
        expect(await collect(saver.list({}))).toEqual(
          expect.arrayContaining([
            expect.objectContaining({
              config: expect.objectContaining({
                configurable: expect.objectContaining({ thread_id: to }),
              }),
            }),
          ]),
        );
        await saver.deleteThread(to);
        expect(await rowsOf(db, to)).toEqual({
          checkpoints: 0,
          writes: 0,
          channel_values: 0,
          heads: 0,
          threads: 0,
        });
        expect((await rowsOf(db, from)).checkpoints).toBe(6);
      } finally {
        await db.destroy();
      }
    });

    it("refuses an empty source and a taken target with InvalidArgumentError naming them, writing nothing", async () => {
      const db = await ctx.isolated();
      try {
        const saver = db.make();
        const [from, taken, missing] = [threadId("from"), threadId("taken"), threadId("missing")];
        await history(saver, from, 2);
        await history(saver, taken, 1);
        const fromEmpty = await saver.copyThread(missing, threadId()).catch((e: unknown) => e);
        expect(fromEmpty).toBeInstanceOf(InvalidArgumentError);
        expect((fromEmpty as Error).message).toContain(missing);
        expect((fromEmpty as Error).message).toContain("has no checkpoints to copy");
        for (const target of [taken, from]) {
          const err = await saver.copyThread(from, target).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(InvalidArgumentError);
          expect((err as Error).message).toContain(target);
          expect((err as Error).message).toContain("delete it first or choose a new id");
        }
        expect(await rowsOf(db, taken)).toMatchObject({ checkpoints: 1, heads: 1 });
        await expect(saver.copyThread("", taken)).rejects.toBeInstanceOf(InvalidIdentifierError);
        await expect(saver.copyThread(from, "a\u0000b")).rejects.toBeInstanceOf(
          InvalidIdentifierError,
        );
        // Two copies onto one new id at once: one copies, the other is refused.
        const target = threadId("twice");
        const results = await Promise.allSettled([
          saver.copyThread(from, target),
          db.make().copyThread(from, target),
        ]);
        expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
        expect((await rowsOf(db, target)).checkpoints).toBe(2);
      } finally {
        await db.destroy();
      }
    });

    it("prune refuses bad ids and keeps with typed errors", async () => {
      const db = await ctx.isolated();
      try {
        const saver = db.make();
        for (const keep of [0, -1, 1.5, "all", null, undefined, Number.NaN]) {
          await expect(saver.prune(["t"], { keep } as never)).rejects.toBeInstanceOf(
            InvalidArgumentError,
          );
        }
        await expect(saver.prune(undefined as never, { keep: 1 })).rejects.toBeInstanceOf(
          InvalidArgumentError,
        );
        await expect(saver.prune(["t", 5] as never, { keep: 1 })).rejects.toBeInstanceOf(
          InvalidArgumentError,
        );
        await expect(saver.prune([""], { keep: 1 })).rejects.toBeInstanceOf(InvalidIdentifierError);
        expect(await saver.prune([], { keep: "latest" })).toEqual({ threads: 0, checkpoints: 0 });
      } finally {
        await db.destroy();
      }
    });
  });
}
