import { putChain, threadConfig } from "@savepoint/conformance";
import {
  type Checkpoint,
  CheckpointNotFoundError,
  Command,
  InvalidArgumentError,
  type Keep,
  newCheckpointId,
  type RunnableConfig,
} from "@savepoint/core";
import { describe, expect, it } from "vitest";
import type { RedisSaver } from "../../src/index.js";
import { blobField, SEP, toHex } from "../../src/keys.js";
import { cfg, collect, makeCheckpoint, makeMetadata } from "../helpers.js";
import { interview, on, type RetentionContext } from "./context.js";

/** prune: what it leaves, read back through raw keys; a pruned paused run resumes; its typed errors. */
export function describePrune(ctx: RetentionContext): void {
  describe("prune", () => {
    it('keep: "latest" leaves the head with its writes and values; the rest goes, keys and all', async () => {
      const { saver: open, keys } = ctx.storage();
      const saver = open();
      const t = ctx.thread("latest");
      // Each checkpoint writes channel "step"; "profile" is written once, by the first.
      const chain = await putInherited(saver, t, 5);
      for (const [i, c] of chain.entries())
        await saver.putWrites(c.config, [["w", i]], `task-${i}`);
      const head = chain.at(-1)!;
      const before = await saver.getTuple(threadConfig(t));
      const k = keys(t);
      expect(await saver.prune([t], { keep: "latest" })).toEqual({ threads: 1, checkpoints: 4 });
      const headMember = `${SEP}${toHex(head.checkpoint.id)}`;
      expect(await ctx.client.zrange(k.byNamespace, 0, -1)).toEqual([headMember]);
      expect(await ctx.client.zrange(k.byId, 0, -1)).toEqual([
        `${toHex(head.checkpoint.id)}${SEP}`,
      ]);
      expect(await ctx.client.hkeys(k.checkpoints)).toEqual([headMember]);
      expect(await ctx.client.hkeys(k.metadata)).toEqual([headMember]);
      const writeFields = await ctx.client.hkeys(k.writes);
      expect(writeFields).toHaveLength(1);
      expect(writeFields[0]!.startsWith(`${headMember}${SEP}`)).toBe(true);
      expect(await ctx.client.zrange(k.writeIndex, 0, -1)).toEqual(writeFields);
      // Values the head lists stay (the profile written by the first checkpoint
      // included); every other step's value is gone.
      const versions = head.checkpoint.channel_versions;
      const listed = Object.entries(versions).map(([ch, v]) => `${SEP}${blobField(ch, v)}`);
      expect((await ctx.client.hkeys(k.channelValues)).sort()).toEqual(listed.sort());
      expect(await saver.getTuple(threadConfig(t))).toEqual(before);
      expect(before?.checkpoint.channel_values).toMatchObject({ step: 4, profile: "Ada" });
    });

    it("keep: N keeps the newest N of each namespace, and the record as it was", async () => {
      const { saver: open, keys } = ctx.storage();
      const saver = open();
      const t = ctx.thread("keep-n");
      const root = await putChain(saver, t, 6);
      const child = await putChain(saver, t, 4, { ns: "child:1" });
      const recordBefore = await ctx.client.hgetall(keys(t).record);
      expect(await saver.prune([t], { keep: 3 })).toEqual({ threads: 1, checkpoints: 4 });
      const ids = (ns: string) =>
        collect(saver.list(threadConfig(t, ns))).then((l) => l.map((x) => x.checkpoint.id));
      expect(await ids("")).toEqual(
        root
          .slice(-3)
          .map((c) => c.checkpoint.id)
          .reverse(),
      );
      expect(await ids("child:1")).toEqual(
        child
          .slice(-3)
          .map((c) => c.checkpoint.id)
          .reverse(),
      );
      expect(await ctx.client.hgetall(keys(t).record)).toEqual(recordBefore);
      expect(await saver.prune([t], { keep: 3 })).toEqual({ threads: 1, checkpoints: 0 });
    });

    it("a paused run pruned and resumed returns what its unpruned twin returns, re-running no task", async () => {
      const saver = ctx.storage().saver();
      const pruned = interview(saver);
      const twin = interview(saver, pruned.name);
      const questions = ["name", "team", "role"];
      const start = async (w: typeof pruned, t: string) => {
        await w.workflow.invoke({ questions: ["warm-up"] }, on(t));
        await w.workflow.invoke(new Command({ resume: "ok" }), on(t));
        await w.workflow.invoke({ questions }, on(t));
        await w.workflow.invoke(new Command({ resume: "Ada" }), on(t));
      };
      const [a, b] = [ctx.thread("pruned"), ctx.thread("twin")];
      await start(pruned, a);
      await start(twin, b);
      const all = await collect(saver.list(on(a)));
      const state = await pruned.workflow.getState(on(a));
      const result = await saver.prune([a], { keep: "latest" });
      expect(result.checkpoints).toBeGreaterThan(0);
      // The paused run's checkpoints stay: more than the head.
      expect((await collect(saver.list(on(a)))).length).toBeGreaterThan(1);
      expect((await collect(saver.list(on(a)))).length).toBe(all.length - result.checkpoints);
      expect(await pruned.workflow.getState(on(a))).toEqual(state);
      const finish = async (w: typeof pruned, t: string) => {
        await w.workflow.invoke(new Command({ resume: "compilers" }), on(t));
        return w.workflow.invoke(new Command({ resume: "engineer" }), on(t));
      };
      expect(await finish(pruned, a)).toEqual(await finish(twin, b));
      expect(pruned.runs).toEqual(twin.runs);
      // Each question's task ran once: none replayed by running again.
      expect(pruned.runs).toEqual({ "warm-up": 1, name: 1, team: 1, role: 1 });
    });

    it("time travel to a pruned checkpoint is CheckpointNotFoundError with pruned === true", async () => {
      const saver = ctx.storage().saver();
      const { workflow } = interview(saver);
      const t = ctx.thread("travel");
      await workflow.invoke({ questions: ["a"] }, on(t));
      await workflow.invoke(new Command({ resume: "x" }), on(t));
      await workflow.invoke({ questions: ["b"] }, on(t));
      await workflow.invoke(new Command({ resume: "y" }), on(t));
      const history = await collect(saver.list(on(t)));
      const oldest = history.at(-1)!.checkpoint.id;
      await saver.prune([t], { keep: "latest" });
      const travel = workflow.invoke(new Command({ resume: "z" }), {
        configurable: { thread_id: t, checkpoint_id: oldest },
      });
      await expect(travel).rejects.toBeInstanceOf(CheckpointNotFoundError);
      await expect(travel).rejects.toMatchObject({ pruned: true });
      // An id newer than the head was never there: not "pruned".
      const never = workflow.invoke(new Command({ resume: "z" }), {
        configurable: { thread_id: t, checkpoint_id: newCheckpointId() },
      });
      await expect(never).rejects.toMatchObject({ pruned: false });
    });

    it("a prune racing puts never removes a checkpoint newer than the head it read", async () => {
      const { saver: open, keys } = ctx.storage();
      const saver = open();
      const t = ctx.thread("retry");
      const chain = await putChain(saver, t, 4);
      // One prune racing a stream of puts: whatever interleaving, the last
      // put is the head and every checkpoint newer than what it read stays.
      const [result, more] = await Promise.all([
        saver.prune([t], { keep: "latest" }),
        putChain(saver, t, 5, { parent: chain.at(-1)! }),
      ]);
      expect(result.threads).toBe(1);
      const last = more.at(-1)!.checkpoint.id;
      expect((await saver.getTuple(threadConfig(t)))?.checkpoint.id).toBe(last);
      const left = await ctx.client.zcard(keys(t).byNamespace);
      expect(left).toBe(9 - result.checkpoints);
    });

    it("bad keep values and ids are typed errors, and remove nothing", async () => {
      const { saver: open, keys } = ctx.storage();
      const saver = open();
      const t = ctx.thread("bad");
      await putChain(saver, t, 3);
      for (const keep of [0, -2, 2.5, "all", undefined, null]) {
        await expect(saver.prune([t], { keep: keep as Keep })).rejects.toThrow(
          InvalidArgumentError,
        );
      }
      await expect(saver.prune("t" as never, { keep: 1 })).rejects.toThrow(InvalidArgumentError);
      await expect(saver.prune([""], { keep: 1 })).rejects.toThrow(/thread_id/);
      expect(await ctx.client.zcard(keys(t).byNamespace)).toBe(3);
    });
  });
}

// `count` checkpoints of one chain as the runtime puts them: the first
// stores "step" and "profile", each later one only a new "step", inheriting
// the profile's version. Returns each one's checkpoint and config.
async function putInherited(saver: RedisSaver, threadId: string, count: number) {
  const out: { checkpoint: Checkpoint; config: RunnableConfig }[] = [];
  for (let i = 0; i < count; i++) {
    const parent = out[i - 1]?.checkpoint;
    const checkpoint = makeCheckpoint(
      i === 0 ? { step: i, profile: "Ada" } : { step: i },
      parent?.id,
    );
    if (parent) {
      checkpoint.channel_values = { ...parent.channel_values, step: i };
      checkpoint.channel_versions = { ...parent.channel_versions, ...checkpoint.channel_versions };
    }
    const newVersions =
      i === 0 ? { ...checkpoint.channel_versions } : { step: checkpoint.channel_versions.step! };
    const config = await saver.put(
      cfg(threadId, parent?.id),
      checkpoint,
      makeMetadata(),
      newVersions,
    );
    out.push({ checkpoint, config });
  }
  return out;
}
