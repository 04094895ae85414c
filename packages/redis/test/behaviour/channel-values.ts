import { CorruptValueError, quote } from "@savepoint/core";
import { beforeAll, describe, expect, it } from "vitest";
import type { RedisSaver } from "../../src/index.js";
import { blobField, toHex } from "../../src/keys.js";
import { cfg, collect, makeCheckpoint, makeMetadata, newVersionsOf } from "../helpers.js";
import { type BehaviourContext, recordCommands } from "./context.js";
import { ThreadSurgery } from "./surgery.js";

/** The saver's behaviour: channel values stored once per (channel, version). */
export function describeChannelValues(ctx: BehaviourContext): void {
  let saver: RedisSaver;
  const { prefix, thread } = ctx;
  beforeAll(() => {
    ({ saver } = ctx);
  });
  const surgery = (threadId: string) => new ThreadSurgery(ctx.client, prefix, threadId);

  describe("channel values", () => {
    it("stores only the channels newVersions names, and rebuilds every checkpoint's values", async () => {
      const t = thread();
      const profile = { bio: "x".repeat(1000) };
      const messages: string[] = [];
      const checkpoints = [];
      let parent: string | undefined;
      let versions: Record<string, string> = {};
      for (let step = 0; step < 4; step++) {
        messages.push(`m${step}`);
        const c = makeCheckpoint({ profile, messages: [...messages] }, parent);
        const fresh = { messages: c.channel_versions.messages as string };
        if (step === 0) Object.assign(fresh, { profile: c.channel_versions.profile as string });
        versions = { ...versions, ...fresh };
        c.channel_versions = { ...versions };
        await saver.put(cfg(t, parent), c, makeMetadata({ step }), fresh);
        checkpoints.push(c);
        parent = c.id;
      }
      // One profile, four message lists.
      expect(await surgery(t).channelValueFields()).toHaveLength(5);
      for (const c of checkpoints) {
        expect((await saver.getTuple(cfg(t, c.id)))?.checkpoint).toEqual(c);
      }
      const listed = await collect(saver.list(cfg(t)));
      expect(listed.map((x) => x.checkpoint)).toEqual([...checkpoints].reverse());
      const filtered = await collect(saver.list(cfg(t), { filter: { step: 1 } }));
      expect(filtered.map((x) => x.checkpoint)).toEqual([checkpoints[1]]);
    });

    it("reads an emptied channel as absent, and keeps its earlier version's value", async () => {
      const t = thread();
      const first = makeCheckpoint({ a: 1, b: 2 });
      const c1 = await saver.put(cfg(t), first, makeMetadata(), newVersionsOf(first));
      const emptied = makeCheckpoint({ b: 2 }, first.id);
      const version = `${first.channel_versions.a}-emptied`;
      emptied.channel_versions = { a: version, b: first.channel_versions.b! };
      await saver.put(c1, emptied, makeMetadata(), { a: version });
      expect((await saver.getTuple(cfg(t)))?.checkpoint.channel_values).toEqual({ b: 2 });
      expect((await saver.getTuple(c1))?.checkpoint.channel_values).toEqual({ a: 1, b: 2 });
      const field = `${toHex("")}!${blobField("a", version)}`;
      expect(await surgery(t).channelValueFields()).toContain(field);
    });

    it("stores no channel value for a put that loses its ifHead check", async () => {
      const t = thread();
      const first = makeCheckpoint({ a: 1 });
      const c1 = await saver.put(cfg(t), first, makeMetadata(), newVersionsOf(first));
      const winner = makeCheckpoint({ a: 2 }, first.id);
      await saver.put(c1, winner, makeMetadata(), newVersionsOf(winner), { ifHead: first.id });
      const before = await surgery(t).channelValueFields();
      const loser = makeCheckpoint({ a: 3 }, first.id);
      await expect(
        saver.put(c1, loser, makeMetadata(), newVersionsOf(loser), { ifHead: first.id }),
      ).rejects.toMatchObject({ code: "CHECKPOINT_CONFLICT" });
      expect(await surgery(t).channelValueFields()).toEqual(before);
    });

    it("reads checkpoints written before channel values were stored apart, and continues them", async () => {
      const t = thread();
      const legacy = makeCheckpoint({ topic: "cats", n: 1 });
      await surgery(t).writeLegacyCheckpoint("", legacy, makeMetadata({ step: 0 }), null);
      expect((await saver.getTuple(cfg(t)))?.checkpoint).toEqual(legacy);
      expect((await collect(saver.list(cfg(t))))[0]?.checkpoint).toEqual(legacy);
      // A child that changes only `n`: `topic` is carried over from a record
      // that holds its value inline, so the put sends it too (a second call).
      const child = makeCheckpoint({ topic: "cats", n: 2 }, legacy.id);
      child.channel_versions.topic = legacy.channel_versions.topic!;
      const rec = recordCommands(ctx.client);
      try {
        await saver.put(cfg(t, legacy.id), child, makeMetadata({ step: 1 }), {
          n: child.channel_versions.n!,
        });
      } finally {
        rec.stop();
      }
      expect(rec.names.filter((n) => n === "evalsha")).toHaveLength(2);
      expect((await saver.getTuple(cfg(t)))?.checkpoint).toEqual(child);
      expect((await saver.getTuple(cfg(t, legacy.id)))?.checkpoint).toEqual(legacy);
      // Its grandchild has a parent of the new layout: one call, as always.
      const grandchild = makeCheckpoint({ topic: "cats", n: 3 }, child.id);
      grandchild.channel_versions.topic = legacy.channel_versions.topic!;
      await saver.put(cfg(t, child.id), grandchild, makeMetadata({ step: 2 }), {
        n: grandchild.channel_versions.n!,
      });
      expect((await saver.getTuple(cfg(t)))?.checkpoint).toEqual(grandchild);
    });

    it("reads a damaged channel value as CorruptValueError naming its channel", async () => {
      const t = thread();
      const c = makeCheckpoint({ topic: "cats" });
      await saver.put(cfg(t), c, makeMetadata(), newVersionsOf(c));
      const s = surgery(t);
      const field = `${toHex("")}!${blobField("topic", c.channel_versions.topic!)}`;
      await s.replaceBody(s.keys.channelValues, field, "{not json");
      for (const read of [
        () => saver.getTuple(cfg(t)),
        () => collect(saver.list(cfg(t))),
        () => collect(saver.list(cfg(t), { filter: { step: 0 } })),
      ]) {
        const error = await read().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(CorruptValueError);
        expect((error as Error).message).toContain(`checkpoint ${quote(c.id)}`);
        expect((error as Error).message).toContain(`channel ${quote("topic")}`);
        expect((error as CorruptValueError).where).toMatchObject({
          threadId: t,
          ns: "",
          part: "channel value",
        });
      }
      await s.replaceRecord(s.keys.channelValues, field, '[1,5]\n"x"');
      await expect(saver.getTuple(cfg(t))).rejects.toBeInstanceOf(CorruptValueError);
    });
  });
}
