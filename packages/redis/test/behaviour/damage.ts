import {
  Command,
  CorruptValueError,
  defaultSerializer,
  entrypoint,
  interrupt,
  quote,
  task,
} from "@savepoint/core";
import { beforeAll, describe, expect, it } from "vitest";
import type { RedisSaver } from "../../src/index.js";
import { cfg, collect, makeCheckpoint, makeMetadata } from "../helpers.js";
import type { BehaviourContext } from "./context.js";
import { memberOf, ThreadSurgery } from "./surgery.js";

// Damaged records, made with raw commands: every read of the thread (getTuple,
// list, and a workflow's getState and resume) fails with CorruptValueError
// naming the thread, namespace and checkpoint (and the task and channel of a
// write), never a TypeError or SyntaxError, never a thread that looks finished.

interface Damage {
  name: string;
  /** Which record: the checkpoint, its metadata, or the `0:a` task's return write. */
  part: "checkpoint" | "metadata" | "write";
  /** The new record body (after the header line), or with `whole`, the whole record. */
  body: (checkpoint: Record<string, unknown>) => string;
  whole?: boolean;
  /** A write whose header is broken still names its task (from the field), not its channel. */
  namesChannel?: boolean;
}

const DAMAGES: Damage[] = [
  { name: "a checkpoint record whose value is null", part: "checkpoint", body: () => "null" },
  { name: "a checkpoint record holding a JSON string", part: "checkpoint", body: () => '"cp"' },
  {
    name: "a checkpoint whose channel_values is a number",
    part: "checkpoint",
    body: (cp) => defaultSerializer.encode({ ...cp, channel_values: 5 }),
  },
  {
    name: "a checkpoint holding a malformed tagged value",
    part: "checkpoint",
    body: () => '{"$sp":"map","v":5}',
  },
  { name: "a checkpoint body that is not JSON", part: "checkpoint", body: () => "{not json" },
  {
    name: "a checkpoint record whose header is not JSON",
    part: "checkpoint",
    whole: true,
    body: () => "[1,\n{}",
  },
  {
    name: "a checkpoint record without a header line",
    part: "checkpoint",
    whole: true,
    body: () => "no header",
  },
  {
    name: "a checkpoint record of another format version",
    part: "checkpoint",
    whole: true,
    body: () => '[9,null,"savepoint-json"]\n{}',
  },
  { name: "a metadata record holding a number", part: "metadata", body: () => "5" },
  {
    name: "a metadata record holding a malformed tagged value",
    part: "metadata",
    body: () => '{"$sp":"set","v":"x"}',
  },
  {
    name: "a write holding a malformed tagged value",
    part: "write",
    body: () => '{"$sp":"map","v":5}',
    namesChannel: true,
  },
  { name: "a write body that is not JSON", part: "write", body: () => "{{", namesChannel: true },
  {
    name: "a write record whose header is broken",
    part: "write",
    whole: true,
    body: () => '[1,5]\n"A"',
  },
];

/** The saver's behaviour on damaged records (see the top of this file). */
export function describeDamage(ctx: BehaviourContext): void {
  let saver: RedisSaver;
  const { prefix, thread } = ctx;
  let ran = 0;
  const a = task("a", async () => {
    ran++;
    return "A";
  });
  const workflow = () =>
    entrypoint({ name: "damaged", checkpointer: saver }, async (topic: string) => {
      const first = await a();
      const answer = interrupt("ok?");
      return [topic, first, answer];
    });
  beforeAll(() => {
    ({ saver } = ctx);
  });

  // A thread paused on its interrupt: one checkpoint, with the task's return and the interrupt.
  async function pausedThread(): Promise<{ threadId: string; checkpointId: string }> {
    const threadId = thread("damaged");
    await workflow().invoke("cats", cfg(threadId));
    const tuple = await saver.getTuple(cfg(threadId));
    return { threadId, checkpointId: tuple!.checkpoint.id };
  }

  async function damage(d: Damage, threadId: string, checkpointId: string): Promise<void> {
    const surgery = new ThreadSurgery(ctx.client, prefix, threadId);
    const { keys } = surgery;
    const hash =
      d.part === "checkpoint"
        ? keys.checkpoints
        : d.part === "metadata"
          ? keys.metadata
          : keys.writes;
    const field =
      d.part === "write"
        ? await surgery.writeField("", checkpointId, "0:a", "__return__")
        : memberOf("", checkpointId);
    const checkpoint = (await saver.getTuple(cfg(threadId)))!.checkpoint;
    const body = d.body(checkpoint as unknown as Record<string, unknown>);
    if (d.whole) await surgery.replaceRecord(hash, field, body);
    else await surgery.replaceBody(hash, field, body);
  }

  function expectNamed(error: unknown, d: Damage, threadId: string, checkpointId: string): void {
    expect(error, d.name).toBeInstanceOf(CorruptValueError);
    const message = (error as Error).message;
    expect(message).toContain(`thread ${quote(threadId)}`);
    expect(message).toContain(`namespace ${quote("")}`);
    expect(message).toContain(`checkpoint ${quote(checkpointId)}`);
    expect(message).toContain(d.part);
    if (d.part === "write") {
      expect(message).toContain(`task ${quote("0:a")}`);
      if (d.namesChannel) expect(message).toContain(`channel ${quote("__return__")}`);
    }
  }

  describe("damaged records", () => {
    it.each(DAMAGES)("$name reads as CorruptValueError naming where it is", async (d) => {
      const { threadId, checkpointId } = await pausedThread();
      const sibling = await pausedThread();
      await damage(d, threadId, checkpointId);
      const reads: [string, () => Promise<unknown>][] = [
        ["getTuple", () => saver.getTuple(cfg(threadId))],
        ["getTuple by id", () => saver.getTuple(cfg(threadId, checkpointId))],
        ["list", () => collect(saver.list(cfg(threadId)))],
        ["list with a filter", () => collect(saver.list(cfg(threadId), { filter: { step: -1 } }))],
        [
          "list across namespaces",
          () => collect(saver.list({ configurable: { thread_id: threadId } })),
        ],
        ["getState", () => workflow().getState(cfg(threadId))],
        ["resume", () => workflow().invoke(new Command({ resume: "yes" }), cfg(threadId))],
        ["continue", () => workflow().invoke(null, cfg(threadId))],
      ];
      ran = 0;
      for (const [what, read] of reads) {
        const error = await read().then(
          (value) => new Error(`${what} returned ${JSON.stringify(value)?.slice(0, 200)}`),
          (err: unknown) => err,
        );
        expect(error, `${d.name}: ${what}`).toBeInstanceOf(CorruptValueError);
        expectNamed(error, d, threadId, checkpointId);
      }
      expect(ran).toBe(0);
      // Another thread of the same saver is untouched.
      expect(
        await workflow().invoke(new Command({ resume: "yes" }), cfg(sibling.threadId)),
      ).toEqual(["cats", "A", "yes"]);
    });

    it("names the namespace of a damaged checkpoint outside the root namespace", async () => {
      const threadId = thread("damaged-ns");
      const checkpoint = makeCheckpoint({ n: 1 });
      await saver.put(cfg(threadId, undefined, "sub:1"), checkpoint, makeMetadata(), {});
      const surgery = new ThreadSurgery(ctx.client, prefix, threadId);
      await surgery.replaceBody(surgery.keys.checkpoints, memberOf("sub:1", checkpoint.id), "[]");
      const error = await saver.getTuple(cfg(threadId, undefined, "sub:1")).catch((e) => e);
      expect(error).toBeInstanceOf(CorruptValueError);
      expect(error.message).toContain(`namespace ${quote("sub:1")}`);
      expect(error.message).toContain(`checkpoint ${quote(checkpoint.id)}`);
      expect(error.where).toMatchObject({ threadId, ns: "sub:1", checkpointId: checkpoint.id });
      expect(await saver.getTuple(cfg(threadId))).toBeUndefined();
    });
  });
}
