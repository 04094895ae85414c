import {
  BrokenHistoryError,
  Command,
  CorruptValueError,
  entrypoint,
  interrupt,
  quote,
  task,
} from "@savepoint/core";
import { beforeAll, describe, expect, it } from "vitest";
import type { RedisSaver } from "../../src/index.js";
import { cfg, collect, makeCheckpoint, makeMetadata } from "../helpers.js";
import type { BehaviourContext } from "./context.js";
import { ThreadSurgery } from "./surgery.js";

// A run that paused twice has two checkpoints: C1, its start (task a, the
// first interrupt), and C2, claimed by the first resume (task b, the second
// interrupt), whose parent is C1. Removing one of them by hand must stop the
// next resume before any task body runs, never pass for a busy thread, and
// never quietly replay from an older checkpoint.

/** The saver's behaviour when a checkpoint of a paused run is removed by hand. */
export function describeHistory(ctx: BehaviourContext): void {
  let saver: RedisSaver;
  const { prefix, thread } = ctx;
  const ran: string[] = [];
  const step = (name: string) =>
    task(name, async () => {
      ran.push(name);
      return name.toUpperCase();
    });
  const [a, b, c] = [step("a"), step("b"), step("c")];
  const workflow = () =>
    entrypoint({ name: "twice", checkpointer: saver }, async (topic: string) => {
      const first = await a();
      const one = interrupt("first?");
      const second = await b();
      const two = interrupt("second?");
      return [topic, first, one, second, two, await c()];
    });
  beforeAll(() => {
    ({ saver } = ctx);
  });

  // A thread paused on its second interrupt; its two checkpoints, oldest first.
  async function pausedTwice(): Promise<{ threadId: string; c1: string; c2: string }> {
    const threadId = thread("twice");
    await workflow().invoke("cats", cfg(threadId));
    await workflow().invoke(new Command({ resume: 1 }), cfg(threadId));
    const ids = (await collect(saver.list(cfg(threadId)))).map((t) => t.checkpoint.id);
    expect(ids).toHaveLength(2);
    return { threadId, c1: ids[1]!, c2: ids[0]! };
  }

  const resume = (threadId: string) =>
    workflow()
      .invoke(new Command({ resume: 2 }), cfg(threadId))
      .catch((e: unknown) => e);

  describe("a checkpoint of a paused run removed by hand", () => {
    for (const index of [true, false]) {
      const how = index ? "with its index entries" : "leaving its index entries";
      it(`the run's first checkpoint removed ${how}: the resume is BrokenHistoryError before any task runs`, async () => {
        const { threadId, c1, c2 } = await pausedTwice();
        await new ThreadSurgery(ctx.client, prefix, threadId).removeCheckpoint("", c1, index);
        ran.length = 0;
        const error = await resume(threadId);
        expect(error).toBeInstanceOf(BrokenHistoryError);
        expect((error as Error).message).toContain(`checkpoint ${quote(c1)}`);
        expect(ran).toEqual([]);
        // Nothing was written: the paused checkpoint is still the head.
        expect((await collect(saver.list(cfg(threadId)))).map((t) => t.checkpoint.id)).toEqual([
          c2,
        ]);
      });
    }

    it("the head's records removed, its index entries left: a typed error naming it, never THREAD_BUSY", async () => {
      const { threadId, c2 } = await pausedTwice();
      await new ThreadSurgery(ctx.client, prefix, threadId).removeCheckpoint("", c2, false);
      ran.length = 0;
      const attempts: [string, () => Promise<unknown>][] = [
        ["getTuple", () => saver.getTuple(cfg(threadId))],
        ["getState", () => workflow().getState(cfg(threadId))],
        ["resume", () => resume(threadId).then((e) => Promise.reject(e))],
        ["continue", () => workflow().invoke(null, cfg(threadId))],
        ["a new input", () => workflow().invoke("dogs", cfg(threadId))],
        [
          "a conditional put on the head",
          () => saver.put(cfg(threadId), makeCheckpoint(), makeMetadata(), {}, { ifHead: c2 }),
        ],
      ];
      for (const [what, attempt] of attempts) {
        const error = await attempt().then(
          (value) => new Error(`${what} returned ${JSON.stringify(value)?.slice(0, 200)}`),
          (err: unknown) => err,
        );
        expect(error, what).toBeInstanceOf(CorruptValueError);
        expect((error as CorruptValueError).code, what).not.toBe("THREAD_BUSY");
        expect((error as Error).message, what).toContain(`thread ${quote(threadId)}`);
        expect((error as Error).message, what).toContain(`checkpoint ${quote(c2)}`);
        expect((error as Error).message, what).toMatch(/record is missing/);
      }
      expect(ran).toEqual([]);
    });

    it("the head's index entries removed, its records left: the index is rebuilt and the resume goes on from the head", async () => {
      const { threadId, c2 } = await pausedTwice();
      const surgery = new ThreadSurgery(ctx.client, prefix, threadId);
      await surgery.unindex("", c2);
      ran.length = 0;
      expect((await saver.getTuple(cfg(threadId)))?.checkpoint.id).toBe(c2);
      expect(await surgery.indexed("", c2)).toBe(true);
      expect(await resume(threadId)).toEqual(["cats", "A", 1, "B", 2, "C"]);
      expect(ran).toEqual(["c"]);
    });

    it("an index entry removed by hand is rebuilt by the next conditional put", async () => {
      const threadId = thread("reindex");
      const first = makeCheckpoint();
      const config = await saver.put(cfg(threadId), first, makeMetadata(), {});
      await new ThreadSurgery(ctx.client, prefix, threadId).unindex("", first.id);
      const next = makeCheckpoint(undefined, first.id);
      await saver.put(config, next, makeMetadata(), {}, { ifHead: first.id });
      expect((await collect(saver.list(cfg(threadId)))).map((t) => t.checkpoint.id)).toEqual([
        next.id,
        first.id,
      ]);
    });
  });
}
