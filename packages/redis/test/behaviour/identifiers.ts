import { randomUUID } from "node:crypto";
import { InvalidIdentifierError } from "@savepoint/core";
import type { Cluster, Redis } from "ioredis";
import { beforeAll, describe, expect, it } from "vitest";
import { RedisSaver, threadKeys } from "../../src/index.js";
import {
  cfg,
  collect,
  countPrefix,
  HOSTILE_IDS,
  makeCheckpoint,
  makeMetadata,
  newVersionsOf,
  randomPrefix,
} from "../helpers.js";
import type { BehaviourContext } from "./context.js";

/** The saver's behaviour: identifiers and deleteThread. */
export function describeIdentifiers(ctx: BehaviourContext): void {
  let client: Redis | Cluster;
  let saver: RedisSaver;
  const { thread } = ctx;
  beforeAll(() => {
    ({ client, saver } = ctx);
  });

  describe("identifiers", () => {
    it("rejects a missing, empty or non-string thread_id (getTuple: only when there is one)", async () => {
      for (const bad of [undefined, "", 42, null, {}]) {
        const config = { configurable: { thread_id: bad as string } };
        // LangGraph's contract: a config without thread_id names no checkpoint.
        if (bad === undefined) expect(await saver.getTuple(config)).toBeUndefined();
        else await expect(saver.getTuple(config)).rejects.toBeInstanceOf(InvalidIdentifierError);
        await expect(
          saver.put(config, makeCheckpoint(), makeMetadata(), {}),
        ).rejects.toBeInstanceOf(InvalidIdentifierError);
        await expect(
          saver.putWrites(
            { configurable: { ...config.configurable, checkpoint_id: "c" } },
            [],
            "t",
          ),
        ).rejects.toBeInstanceOf(InvalidIdentifierError);
        await expect(saver.deleteThread(bad as string)).rejects.toBeInstanceOf(
          InvalidIdentifierError,
        );
      }
      expect(await saver.getTuple({})).toBeUndefined();
    });

    it("round-trips hostile thread ids, namespaces and checkpoint ids, each isolated", async () => {
      const run = randomUUID();
      const written = new Map<string, string>();
      for (const id of HOSTILE_IDS) {
        const t = `${id}`;
        const c = makeCheckpoint({ id });
        const config = await saver.put(
          cfg(t, undefined, id),
          c,
          makeMetadata({ run }),
          newVersionsOf(c),
        );
        await saver.putWrites(config, [[id, id]], id, id);
        written.set(t, c.id);
      }
      for (const id of HOSTILE_IDS) {
        const got = await saver.getTuple(cfg(id, undefined, id));
        expect(got?.config.configurable).toEqual({
          thread_id: id,
          checkpoint_ns: id,
          checkpoint_id: written.get(id),
        });
        expect(got?.checkpoint.channel_values).toEqual({ id });
        expect(got?.pendingWrites).toEqual([[id, id, id]]);
        expect(await collect(saver.list({ configurable: { thread_id: id } }))).toHaveLength(1);
      }
      const listed = await collect(saver.list({}, { filter: { run } }));
      expect(listed.map((x) => x.config.configurable?.thread_id).sort()).toEqual(
        [...HOSTILE_IDS].sort(),
      );
      // Deleting one thread never touches another, even one its id is a prefix of.
      for (const [i, id] of HOSTILE_IDS.entries()) {
        await saver.deleteThread(id);
        expect(await saver.getTuple(cfg(id, undefined, id))).toBeUndefined();
        for (const other of HOSTILE_IDS.slice(i + 1)) {
          expect((await saver.getTuple(cfg(other, undefined, other)))?.checkpoint.id).toBe(
            written.get(other),
          );
        }
      }
    });

    it("accepts hostile checkpoint ids", async () => {
      const t = thread();
      for (const id of ["a!b", 'a"b', "{x}", "ab", "a"]) {
        await saver.put(cfg(t), { ...makeCheckpoint(), id }, makeMetadata(), {});
        await saver.putWrites(cfg(t, id), [["w", id]], "task");
      }
      expect((await collect(saver.list(cfg(t)))).map((x) => x.checkpoint.id)).toEqual(
        ["{x}", "ab", "a!b", 'a"b', "a"].sort().reverse(),
      );
      for (const id of ["a!b", 'a"b', "{x}", "ab", "a"]) {
        expect((await saver.getTuple(cfg(t, id)))?.pendingWrites).toEqual([["task", "w", id]]);
      }
      expect(
        (await collect(saver.list(cfg(t), { before: cfg(t, "ab") }))).map((x) => x.checkpoint.id),
      ).toEqual(['a"b', "a!b", "a"]);
    });
  });

  describe("deleteThread", () => {
    it("removes every key of the thread (channel values too), in every namespace, and nothing else", async () => {
      const own = randomPrefix("delete");
      const s = new RedisSaver(client, { prefix: own });
      const keep = "a";
      const gone = "a:b*{c}";
      for (const t of [keep, gone, "ab"]) {
        const values = makeCheckpoint({ t });
        // With a thread record: the eighth key, and entries in the listing sets.
        const thread = { entrypoint: "wf", status: "running" as const };
        const c = await s.put(cfg(t), values, makeMetadata(), newVersionsOf(values), { thread });
        await s.putWrites(c, [["x", 1]], "task");
        await s.put(cfg(t, undefined, "ns"), makeCheckpoint(), makeMetadata(), {});
      }
      const before = await countPrefix(client, own);
      await s.deleteThread(gone);
      const after = await countPrefix(client, own);
      const goneKeys = threadKeys(own, gone).all;
      expect(before.filter((k) => !after.includes(k)).sort()).toEqual([...goneKeys].sort());
      expect(await s.getTuple(cfg(gone))).toBeUndefined();
      expect(await s.getTuple(cfg(keep))).toBeDefined();
      expect(await s.getTuple(cfg("ab", undefined, "ns"))).toBeDefined();
      await s.deleteThread(keep);
      await s.deleteThread("ab");
      expect(await countPrefix(client, own)).toEqual([]);
    });
  });
}
