// Damage done to the stored rows behind the saver's back (raw SQL), as an
// operator, a bad restore or a buggy migration would do it. Registered once
// per driver, like saver-cases.ts. What is checked: damage reads as a typed
// error that says where it is, never as a raw TypeError, never as a finished
// thread, and never as another run holding the thread.
import {
  BrokenHistoryError,
  Command,
  CorruptValueError,
  entrypoint,
  interrupt,
  quote,
  type SavepointError,
  task,
} from "@savepoint/core";
import { describe, expect, it } from "vitest";
import type { PostgresSaver } from "../src/index.js";
import { type CaseContext, collect, threadId, wholePuts } from "./saver-cases.js";

/** A workflow that runs a task, pauses, runs another, pauses again, and runs a third. */
export function twoPauseWorkflow(saver: PostgresSaver, name = "damage") {
  const executions: string[] = [];
  const step = task("step", async (label: string) => {
    executions.push(label);
    return `${label}!`;
  });
  const workflow = entrypoint({ name, checkpointer: saver }, async (topic: string) => {
    const a = await step(`${topic}-a`);
    const first = interrupt({ ask: "first?", a });
    const b = await step(`${topic}-b`);
    const second = interrupt({ ask: "second?", b });
    const c = await step(`${topic}-c`);
    return { a, b, c, first, second };
  });
  return { workflow, executions };
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return undefined;
}

/** Asserts `error` is a CorruptValueError whose message names every part of `where`. */
function expectNamed(
  error: unknown,
  where: { threadId: string; ns: string; checkpointId: string; taskId?: string; channel?: string },
): void {
  expect(error).toBeInstanceOf(CorruptValueError);
  const e = error as CorruptValueError;
  expect(e.code).toBe("CORRUPT_VALUE");
  expect(e.where).toMatchObject(where);
  expect(e.message).toContain(`thread ${quote(where.threadId)}`);
  expect(e.message).toContain(`namespace ${quote(where.ns)}`);
  expect(e.message).toContain(`checkpoint ${quote(where.checkpointId)}`);
  if (where.taskId !== undefined) expect(e.message).toContain(`task ${quote(where.taskId)}`);
  if (where.channel !== undefined) expect(e.message).toContain(`channel ${quote(where.channel)}`);
}

export function describeDamageCases(label: string, given: CaseContext): void {
  const ctx = wholePuts(given);
  const s = () => ctx.schema();
  const threadKey = async (thread: string) =>
    (
      await ctx.raw(`SELECT DISTINCT thread_key FROM ${s()}.checkpoints WHERE thread_id = $1`, [
        thread,
      ])
    )[0]!.thread_key;

  describe(`${label}: damaged checkpoints are named`, () => {
    const damages: [string, string][] = [
      ["holding null", `checkpoint = 'null'`],
      ["holding a JSON string", `checkpoint = '"a checkpoint"'`],
      [
        "whose channel_values is a number",
        `checkpoint = jsonb_set(checkpoint::jsonb, '{channel_values}', '5')::text`,
      ],
      [
        "whose channel_values is an array",
        `checkpoint = jsonb_set(checkpoint::jsonb, '{channel_values}', '[1]')::text`,
      ],
      [
        "holding a malformed tagged value",
        `checkpoint = jsonb_set(checkpoint::jsonb, '{channel_values}', '{"$sp":"map","v":5}')::text`,
      ],
      ["that is not JSON", `checkpoint = '{"v": 4, "id": '`],
    ];

    for (const [what, set] of damages) {
      it(`reads a checkpoint ${what} as CorruptValueError naming thread, namespace and checkpoint`, async () => {
        const saver = ctx.saver();
        const { workflow } = twoPauseWorkflow(saver);
        const thread = threadId("damaged");
        const healthy = threadId("healthy");
        const config = { configurable: { thread_id: thread } };
        await workflow.invoke("x", config);
        await workflow.invoke("y", { configurable: { thread_id: healthy } });
        const [row] = await ctx.raw(
          `UPDATE ${s()}.checkpoints SET ${set} WHERE thread_id = $1 RETURNING checkpoint_id`,
          [thread],
        );
        const where = { threadId: thread, ns: "", checkpointId: row!.checkpoint_id as string };

        expectNamed(await caught(saver.getTuple(config)), where);
        expectNamed(await caught(collect(saver.list(config))), where);
        expectNamed(await caught(workflow.getState(config)), where);
        expectNamed(await caught(workflow.invoke(new Command({ resume: true }), config)), where);
        // A fresh saver (a restarted process) reads the same damage the same way.
        const restarted = ctx.make();
        try {
          expectNamed(await caught(restarted.getTuple(config)), where);
        } finally {
          await restarted.close();
        }

        // Other threads keep working.
        const other = { configurable: { thread_id: healthy } };
        expect((await workflow.getState(other)).next).toEqual(["damage"]);
        await workflow.invoke(new Command({ resume: 1 }), other);
        expect(await workflow.invoke(new Command({ resume: 2 }), other)).toMatchObject({
          c: "y-c!",
          first: 1,
          second: 2,
        });
      });
    }

    it("reads a corrupted write as CorruptValueError naming the task and channel too", async () => {
      const saver = ctx.saver();
      const { workflow, executions } = twoPauseWorkflow(saver);
      const thread = threadId("damaged-write");
      const config = { configurable: { thread_id: thread } };
      await workflow.invoke("x", config);
      const [row] = await ctx.raw(
        `UPDATE ${s()}.writes SET value = '{"$sp":"map","v":5}'
         WHERE thread_key = $1 AND channel = '__return__' RETURNING checkpoint_id, task_id, channel`,
        [await threadKey(thread)],
      );
      const where = {
        threadId: thread,
        ns: "",
        checkpointId: row!.checkpoint_id as string,
        taskId: row!.task_id as string,
        channel: "__return__",
      };
      expectNamed(await caught(saver.getTuple(config)), where);
      expectNamed(await caught(collect(saver.list(config))), where);
      expectNamed(await caught(workflow.getState(config)), where);
      expectNamed(await caught(workflow.invoke(new Command({ resume: true }), config)), where);
      expect(executions).toEqual(["x-a"]);

      // A write value that is not JSON at all is named the same way.
      await ctx.raw(`UPDATE ${s()}.writes SET value = '{"unclosed' WHERE thread_key = $1`, [
        await threadKey(thread),
      ]);
      const err = await caught(saver.getTuple(config));
      expect(err).toBeInstanceOf(CorruptValueError);
      expect((err as CorruptValueError).where).toMatchObject({ threadId: thread, part: "write" });
    });

    it("reads damaged metadata as CorruptValueError naming the checkpoint", async () => {
      const saver = ctx.saver();
      const { workflow } = twoPauseWorkflow(saver);
      const thread = threadId("damaged-meta");
      const config = { configurable: { thread_id: thread } };
      await workflow.invoke("x", config);
      for (const metadata of [`'{"step": {"$sp":"map","v":5}}'`, `'"a string"'`, `'null'`]) {
        const [row] = await ctx.raw(
          `UPDATE ${s()}.checkpoints SET metadata = ${metadata}::jsonb WHERE thread_id = $1 RETURNING checkpoint_id`,
          [thread],
        );
        const err = await caught(saver.getTuple(config));
        expect(err).toBeInstanceOf(CorruptValueError);
        expect((err as CorruptValueError).where).toMatchObject({
          threadId: thread,
          ns: "",
          checkpointId: row!.checkpoint_id,
          part: "metadata",
        });
      }
    });
  });

  describe(`${label}: a deleted head row`, () => {
    it("is healed from the latest checkpoint: a resume and a new run go on, nothing re-runs", async () => {
      const saver = ctx.saver();
      const { workflow, executions } = twoPauseWorkflow(saver);
      const thread = threadId("headless");
      const config = { configurable: { thread_id: thread } };
      await workflow.invoke("x", config);
      const key = await threadKey(thread);
      await ctx.raw(`DELETE FROM ${s()}.heads WHERE thread_key = $1`, [key]);

      await workflow.invoke(new Command({ resume: 1 }), config);
      await ctx.raw(`DELETE FROM ${s()}.heads WHERE thread_key = $1`, [key]);
      expect(await workflow.invoke(new Command({ resume: 2 }), config)).toEqual({
        a: "x-a!",
        b: "x-b!",
        c: "x-c!",
        first: 1,
        second: 2,
      });
      expect(executions).toEqual(["x-a", "x-b", "x-c"]);

      // A new run on the finished thread, after the head row is gone again.
      await ctx.raw(`DELETE FROM ${s()}.heads WHERE thread_key = $1`, [key]);
      expect(await workflow.invoke("y", config)).toHaveProperty("__interrupt__");
      expect(executions).toEqual(["x-a", "x-b", "x-c", "y-a"]);
      // The head row is back, pointing at the latest checkpoint.
      const latest = await saver.getTuple(config);
      const heads = await ctx.raw(`SELECT checkpoint_id FROM ${s()}.heads WHERE thread_key = $1`, [
        key,
      ]);
      expect(heads).toEqual([{ checkpoint_id: latest?.checkpoint.id }]);
    });

    it("still lets exactly one of two racing resumes commit", async () => {
      // Both resumes read the thread before either claims it: each saver's
      // getTuple waits until the other's has returned too.
      const savers = [ctx.make(), ctx.make()];
      let arrived = 0;
      let release!: () => void;
      const bothRead = new Promise<void>((resolve) => {
        release = resolve;
      });
      try {
        const thread = threadId("headless-race");
        const config = { configurable: { thread_id: thread } };
        const runs = savers.map((saver) => twoPauseWorkflow(saver, "race"));
        await runs[0]!.workflow.invoke("x", config);
        await ctx.raw(`DELETE FROM ${s()}.heads WHERE thread_key = $1`, [await threadKey(thread)]);
        for (const saver of savers) {
          const getTuple = saver.getTuple.bind(saver);
          saver.getTuple = async (c) => {
            const tuple = await getTuple(c);
            if (++arrived === savers.length) release();
            await bothRead;
            return tuple;
          };
        }
        const results = await Promise.allSettled(
          runs.map((run, i) => run.workflow.invoke(new Command({ resume: i }), config)),
        );
        const lost = results.filter((r) => r.status === "rejected");
        expect(lost).toHaveLength(1);
        expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({ code: "THREAD_BUSY" });
        expect(runs.flatMap((run) => run.executions)).toEqual(["x-a", "x-b"]);
      } finally {
        for (const saver of savers) await saver.close();
      }
    });

    it("makes a conditional put compare with the latest checkpoint", async () => {
      const saver = ctx.saver();
      const { workflow } = twoPauseWorkflow(saver);
      const thread = threadId("headless-put");
      const config = { configurable: { thread_id: thread } };
      await workflow.invoke("x", config);
      await workflow.invoke(new Command({ resume: 1 }), config);
      const [latest, older] = await collect(saver.list(config));
      await ctx.raw(`DELETE FROM ${s()}.heads WHERE thread_key = $1`, [await threadKey(thread)]);
      const cp = { ...latest!.checkpoint, id: `${latest!.checkpoint.id}z` };
      const stale = await caught(
        saver.put(latest!.config, cp, latest!.metadata!, {}, { ifHead: older!.checkpoint.id }),
      );
      expect(stale).toMatchObject({
        code: "CHECKPOINT_CONFLICT",
        expectedHead: older!.checkpoint.id,
        actualHead: latest!.checkpoint.id,
      });
      const none = await caught(
        saver.put(latest!.config, cp, latest!.metadata!, {}, { ifHead: null }),
      );
      expect(none).toMatchObject({
        code: "CHECKPOINT_CONFLICT",
        actualHead: latest!.checkpoint.id,
      });
      expect((await saver.getTuple(config))?.checkpoint.id).toBe(latest!.checkpoint.id);
      await saver.put(latest!.config, cp, latest!.metadata!, {}, { ifHead: latest!.checkpoint.id });
      expect((await saver.getTuple(config))?.checkpoint.id).toBe(cp.id);
    });
  });

  describe(`${label}: a deleted checkpoint of a paused run`, () => {
    for (const which of ["first", "latest"] as const) {
      it(`fails the resume with BrokenHistoryError before any task runs (the ${which} one deleted)`, async () => {
        const saver = ctx.saver();
        const { workflow, executions } = twoPauseWorkflow(saver);
        const thread = threadId(`broken-${which}`);
        const config = { configurable: { thread_id: thread } };
        await workflow.invoke("x", config);
        await workflow.invoke(new Command({ resume: 1 }), config);
        expect(executions).toEqual(["x-a", "x-b"]);
        const ids = (await collect(saver.list(config))).map((t) => t.checkpoint.id).reverse();
        expect(ids).toHaveLength(2);
        const victim = which === "first" ? ids[0]! : ids[ids.length - 1]!;
        await ctx.raw(
          `DELETE FROM ${s()}.checkpoints WHERE thread_key = $1 AND checkpoint_id = $2`,
          [await threadKey(thread), victim],
        );

        const err = await caught(workflow.invoke(new Command({ resume: 2 }), config));
        expect(err).toBeInstanceOf(BrokenHistoryError);
        expect((err as SavepointError).code).toBe("BROKEN_HISTORY");
        expect((err as Error).message).toContain(quote(thread));
        expect((err as Error).message).toContain(quote(victim));
        expect(executions).toEqual(["x-a", "x-b"]);
        // Retrying changes nothing, and runs nothing.
        await expect(workflow.invoke(new Command({ resume: 2 }), config)).rejects.toBeInstanceOf(
          BrokenHistoryError,
        );
        await expect(workflow.invoke(null, config)).rejects.toBeInstanceOf(BrokenHistoryError);
        expect(executions).toEqual(["x-a", "x-b"]);
      });
    }

    it("lets a new input start the thread over, as the error advises", async () => {
      const saver = ctx.saver();
      const { workflow, executions } = twoPauseWorkflow(saver);
      const thread = threadId("broken-restart");
      const config = { configurable: { thread_id: thread } };
      await workflow.invoke("x", config);
      await workflow.invoke(new Command({ resume: 1 }), config);
      const [latest] = await collect(saver.list(config, { limit: 1 }));
      await ctx.raw(`DELETE FROM ${s()}.checkpoints WHERE thread_key = $1 AND checkpoint_id = $2`, [
        await threadKey(thread),
        latest!.checkpoint.id,
      ]);
      await expect(workflow.invoke(new Command({ resume: 2 }), config)).rejects.toBeInstanceOf(
        BrokenHistoryError,
      );
      expect(await workflow.invoke("y", config)).toHaveProperty("__interrupt__");
      await workflow.invoke(new Command({ resume: 1 }), config);
      expect(await workflow.invoke(new Command({ resume: 2 }), config)).toMatchObject({
        c: "y-c!",
      });
      expect(executions).toEqual(["x-a", "x-b", "y-a", "y-b", "y-c"]);
    });
  });
}
