import { randomUUID } from "node:crypto";
import {
  CheckpointConflictError,
  InvalidIdentifierError,
  newCheckpointId,
  type SerializerProtocol,
} from "@savepoint/core";
import type { Cluster, Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisSaver, threadIndexKey, threadKeys } from "../src/index.js";
import {
  cfg,
  collect,
  countPrefix,
  deletePrefix,
  HOSTILE_IDS,
  makeCheckpoint,
  makeMetadata,
  randomPrefix,
} from "./helpers.js";

/** What a behaviour run needs: a client on the storage under test, and how to release it. */
export interface BehaviourTarget {
  label: string;
  client(): Redis | Cluster | Promise<Redis | Cluster>;
  release(client: Redis | Cluster): Promise<void> | void;
}

// Commands one saver call sends, by name, counted at ioredis' sendCommand.
function recordCommands(client: Redis | Cluster): { names: string[]; stop(): void } {
  const names: string[] = [];
  const target = client as unknown as { sendCommand: (cmd: { name: string }) => unknown };
  const original = target.sendCommand;
  target.sendCommand = function (this: unknown, cmd: { name: string }, ...rest: unknown[]) {
    names.push(cmd.name.toLowerCase());
    return (original as (...a: unknown[]) => unknown).call(this, cmd, ...rest);
  } as typeof original;
  return {
    names,
    stop() {
      target.sendCommand = original;
    },
  };
}

/**
 * The saver's behaviour, checked directly (beside the shared conformance
 * suite), against one storage target: single Redis or a Cluster.
 */
export function describeRedisSaverBehaviour(target: BehaviourTarget): void {
  describe(`RedisSaver on ${target.label}`, () => {
    let client: Redis | Cluster;
    let saver: RedisSaver;
    const prefix = randomPrefix("behaviour");

    beforeAll(async () => {
      client = await target.client();
      saver = new RedisSaver(client, { prefix });
    });
    afterAll(async () => {
      if (!client) return;
      await deletePrefix(client, prefix);
      await target.release(client);
    });

    const thread = (label = "t") => `${label}-${randomUUID()}`;

    describe("put and getTuple", () => {
      it("round-trips a checkpoint, its metadata and its parent", async () => {
        const t = thread();
        const first = makeCheckpoint({ topic: "cats" });
        const c1 = await saver.put(cfg(t), first, makeMetadata({ source: "input", step: -1 }), {});
        expect(c1).toEqual({
          configurable: { thread_id: t, checkpoint_ns: "", checkpoint_id: first.id },
        });
        const second = makeCheckpoint({ essay: "An essay about cats" }, first.id);
        const c2 = await saver.put(c1, second, makeMetadata({ step: 1 }), { essay: 1 });

        const latest = await saver.getTuple(cfg(t));
        expect(latest?.config).toEqual(c2);
        expect(latest?.checkpoint).toEqual(second);
        expect(latest?.metadata).toEqual(makeMetadata({ step: 1 }));
        expect(latest?.parentConfig).toEqual(c1);
        expect(latest?.pendingWrites).toEqual([]);

        const root = await saver.getTuple(cfg(t, first.id));
        expect(root?.checkpoint).toEqual(first);
        expect(root?.metadata).toEqual(makeMetadata({ source: "input", step: -1 }));
        expect(root).not.toHaveProperty("parentConfig");
      });

      it("returns undefined for an unknown thread, checkpoint or namespace", async () => {
        const t = thread();
        expect(await saver.getTuple(cfg(t))).toBeUndefined();
        const c = makeCheckpoint();
        await saver.put(cfg(t), c, makeMetadata(), {});
        expect(await saver.getTuple(cfg(t, newCheckpointId()))).toBeUndefined();
        expect(await saver.getTuple(cfg(t, undefined, "other"))).toBeUndefined();
      });

      it("takes the greatest id as latest, whatever the order of the puts", async () => {
        const t = thread();
        const ids = [newCheckpointId(), newCheckpointId(), newCheckpointId()];
        for (const id of [ids[1]!, ids[2]!, ids[0]!]) {
          await saver.put(cfg(t), { ...makeCheckpoint(), id }, makeMetadata(), {});
        }
        expect((await saver.getTuple(cfg(t)))?.checkpoint.id).toBe(ids[2]);
      });

      it("replaces a checkpoint put again with the same id", async () => {
        const t = thread();
        const c = makeCheckpoint({ n: 1 });
        await saver.put(cfg(t), c, makeMetadata({ n: 1 }), {});
        await saver.put(cfg(t), { ...c, channel_values: { n: 2 } }, makeMetadata({ n: 2 }), {});
        const got = await saver.getTuple(cfg(t));
        expect(got?.checkpoint.channel_values).toEqual({ n: 2 });
        expect(got?.metadata?.n).toBe(2);
        expect(await collect(saver.list(cfg(t)))).toHaveLength(1);
      });

      it("keeps namespaces apart", async () => {
        const t = thread();
        const a = makeCheckpoint({ ns: "root" });
        const b = makeCheckpoint({ ns: "child" });
        await saver.put(cfg(t), a, makeMetadata(), {});
        await saver.put(cfg(t, undefined, "child:1"), b, makeMetadata(), {});
        expect((await saver.getTuple(cfg(t)))?.checkpoint.id).toBe(a.id);
        const child = await saver.getTuple(cfg(t, undefined, "child:1"));
        expect(child?.checkpoint.id).toBe(b.id);
        expect(child?.config.configurable?.checkpoint_ns).toBe("child:1");
      });

      it("uses the integer versions of core", () => {
        expect(saver.getNextVersion(undefined)).toBe(1);
        expect(saver.getNextVersion(4)).toBe(5);
        expect(saver.capabilities.conditionalPut).toBe(true);
      });
    });

    describe("ifHead", () => {
      it("null commits only on an empty (thread, namespace)", async () => {
        const t = thread();
        const first = makeCheckpoint();
        await saver.put(cfg(t), first, makeMetadata(), {}, { ifHead: null });
        const other = makeCheckpoint();
        const err = await saver
          .put(cfg(t), other, makeMetadata(), {}, { ifHead: null })
          .catch((e) => e);
        expect(err).toBeInstanceOf(CheckpointConflictError);
        expect(err).toMatchObject({
          code: "CHECKPOINT_CONFLICT",
          threadId: t,
          expectedHead: null,
          actualHead: first.id,
        });
        expect(await saver.getTuple(cfg(t, other.id))).toBeUndefined();
        // Another namespace of the same thread is still empty.
        await saver.put(
          cfg(t, undefined, "sub"),
          makeCheckpoint(),
          makeMetadata(),
          {},
          { ifHead: null },
        );
      });

      it("an id commits only while it is the head, and stores nothing otherwise", async () => {
        const t = thread();
        const a = makeCheckpoint();
        const ca = await saver.put(cfg(t), a, makeMetadata(), {});
        const b = makeCheckpoint(undefined, a.id);
        await saver.put(ca, b, makeMetadata(), {}, { ifHead: a.id });
        const stale = makeCheckpoint(undefined, b.id);
        const err = await saver
          .put(ca, stale, makeMetadata(), {}, { ifHead: a.id })
          .catch((e) => e);
        expect(err).toBeInstanceOf(CheckpointConflictError);
        expect(err).toMatchObject({ expectedHead: a.id, actualHead: b.id });
        expect(await saver.getTuple(cfg(t, stale.id))).toBeUndefined();
        expect((await collect(saver.list(cfg(t)))).map((x) => x.checkpoint.id)).toEqual([
          b.id,
          a.id,
        ]);
        const none = await saver
          .put(cfg(thread()), makeCheckpoint(), makeMetadata(), {}, { ifHead: a.id })
          .catch((e) => e);
        expect(none).toMatchObject({ expectedHead: a.id, actualHead: null });
      });

      it("lets exactly one of 16 concurrent puts with the same head commit", async () => {
        const t = thread();
        const head = makeCheckpoint();
        const ch = await saver.put(cfg(t), head, makeMetadata(), {});
        const others = [1, 2, 3].map(() => new RedisSaver(client, { prefix }));
        const results = await Promise.allSettled(
          Array.from({ length: 16 }, (_, i) =>
            (i % 4 === 0 ? saver : others[i % 3]!).put(
              ch,
              makeCheckpoint({ i }, head.id),
              makeMetadata(),
              {},
              {
                ifHead: head.id,
              },
            ),
          ),
        );
        expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
        const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
        expect(rejected).toHaveLength(15);
        for (const r of rejected) expect(r.reason).toBeInstanceOf(CheckpointConflictError);
        expect(await collect(saver.list(cfg(t)))).toHaveLength(2);
      });
    });

    describe("putWrites", () => {
      it("stores writes by (checkpoint, task, idx): first wins, special channels replace", async () => {
        const t = thread();
        const c = await saver.put(cfg(t), makeCheckpoint(), makeMetadata(), {});
        await saver.putWrites(
          c,
          [
            ["a", 1],
            ["b", 2],
            ["__error__", new Error("first")],
          ],
          "task-1",
        );
        await saver.putWrites(
          c,
          [
            ["a", 10],
            ["b", 20],
            ["__error__", new TypeError("second")],
          ],
          "task-1",
        );
        await saver.putWrites(c, [["__interrupt__", { ask: "ok?" }]], "task-2", "path-b");
        await saver.putWrites(c, [["x", "first"]], "task-0", "path-z");
        const writes = (await saver.getTuple(c))?.pendingWrites ?? [];
        const shown = writes.map(([task, channel, value]) => [
          task,
          channel,
          value instanceof Error ? `${value.name}: ${value.message}` : value,
        ]);
        // (task_path, task_id, idx): "" < "path-b" < "path-z"; __error__ is idx -1.
        expect(shown).toEqual([
          ["task-1", "__error__", "TypeError: second"],
          ["task-1", "a", 1],
          ["task-1", "b", 2],
          ["task-2", "__interrupt__", { ask: "ok?" }],
          ["task-0", "x", "first"],
        ]);
      });

      it("orders writes by task path, task id (code points) and idx (numerically)", async () => {
        const t = thread();
        const c = await saver.put(cfg(t), makeCheckpoint(), makeMetadata(), {});
        const many = Array.from({ length: 12 }, (_, i): [string, unknown] => [`c${i}`, i]);
        await saver.putWrites(c, many, "b", "p");
        await saver.putWrites(c, [["z", "emoji"]], "\u{1F680}", "p");
        await saver.putWrites(c, [["z", "bmp"]], "\uFFFF", "p");
        await saver.putWrites(c, [["z", "a"]], "a", "p");
        const writes = (await saver.getTuple(c))?.pendingWrites ?? [];
        expect(writes.map(([task]) => task)).toEqual([
          "a",
          ...many.map(() => "b"),
          "\uFFFF",
          "\u{1F680}",
        ]);
        expect(writes.filter(([task]) => task === "b").map(([, , v]) => v)).toEqual(
          many.map(([, v]) => v),
        );
      });

      it("attaches writes to their checkpoint only", async () => {
        const t = thread();
        const c1 = await saver.put(cfg(t), makeCheckpoint(), makeMetadata(), {});
        const c2 = await saver.put(c1, makeCheckpoint(), makeMetadata(), {});
        await saver.putWrites(c1, [["one", 1]], "t");
        await saver.putWrites(c2, [["two", 2]], "t");
        expect((await saver.getTuple(c1))?.pendingWrites).toEqual([["t", "one", 1]]);
        expect((await saver.getTuple(c2))?.pendingWrites).toEqual([["t", "two", 2]]);
      });

      it("needs the checkpoint id", async () => {
        await expect(saver.putWrites(cfg(thread()), [["a", 1]], "t")).rejects.toBeInstanceOf(
          InvalidIdentifierError,
        );
      });

      it("stores 10,000 writes in one round trip", async () => {
        const t = thread();
        const c = await saver.put(cfg(t), makeCheckpoint(), makeMetadata(), {});
        const writes = Array.from({ length: 10_000 }, (_, i): [string, unknown] => [
          `ch${i}`,
          { i },
        ]);
        // Loads the script on this thread's node first (a Cluster node has its own script cache).
        await saver.putWrites(c, [["warm", 0]], "warm-up");
        const rec = recordCommands(client);
        try {
          await saver.putWrites(c, writes, "bulk");
        } finally {
          rec.stop();
        }
        expect(rec.names).toEqual(["evalsha"]);
        const got = ((await saver.getTuple(c))?.pendingWrites ?? []).filter(
          ([task]) => task === "bulk",
        );
        expect(got).toHaveLength(10_000);
        expect(got[9_999]).toEqual(["bulk", "ch9999", { i: 9_999 }]);
      });
    });

    describe("round trips and commands", () => {
      it("puts, writes and reads in one round trip each, never with KEYS or SCAN", async () => {
        const t = thread();
        const c1 = await saver.put(cfg(t), makeCheckpoint(), makeMetadata(), {});
        // Loads every script on this thread's node (a Cluster node has its own script cache).
        await saver.putWrites(c1, [["warm", 0]], "warm-up");
        await saver.getTuple(c1);
        const rec = recordCommands(client);
        try {
          const c2 = await saver.put(
            c1,
            makeCheckpoint(),
            makeMetadata(),
            {},
            { ifHead: c1.configurable?.checkpoint_id as string },
          );
          expect(rec.names).toEqual(["evalsha"]);
          await saver.putWrites(
            c2,
            [
              ["a", 1],
              ["__interrupt__", 2],
            ],
            "task",
          );
          expect(rec.names).toEqual(["evalsha", "evalsha"]);
          await saver.getTuple(cfg(t));
          expect(rec.names).toEqual(["evalsha", "evalsha", "evalsha"]);
          await collect(saver.list(cfg(t), { limit: 1 }));
          await collect(saver.list(cfg(t), { filter: { step: 0 } }));
          await collect(saver.list({}, { limit: 3 }));
          await saver.deleteThread(t);
        } finally {
          rec.stop();
        }
        expect(rec.names.filter((n) => n === "keys" || n === "scan")).toEqual([]);
      });
    });

    describe("list", () => {
      it("lists newest first, with limit, before and filter", async () => {
        const t = thread();
        let parent: string | undefined;
        const ids: string[] = [];
        for (let i = 0; i < 7; i++) {
          const c = makeCheckpoint({ i }, parent);
          await saver.put(
            cfg(t, parent),
            c,
            makeMetadata({ step: i, parity: i % 2 ? "odd" : "even", tags: { i: [i % 3] } }),
            {},
          );
          ids.push(c.id);
          parent = c.id;
        }
        const newest = [...ids].reverse();
        expect((await collect(saver.list(cfg(t)))).map((x) => x.checkpoint.id)).toEqual(newest);
        expect(
          (await collect(saver.list(cfg(t), { limit: 2 }))).map((x) => x.checkpoint.id),
        ).toEqual(newest.slice(0, 2));
        expect(
          (await collect(saver.list(cfg(t), { before: cfg(t, ids[3]) }))).map(
            (x) => x.checkpoint.id,
          ),
        ).toEqual(newest.slice(4));
        expect(
          (await collect(saver.list(cfg(t), { filter: { parity: "odd" } }))).map(
            (x) => x.metadata?.step,
          ),
        ).toEqual([5, 3, 1]);
        expect(
          (await collect(saver.list(cfg(t), { filter: { parity: "even", tags: { i: [0] } } }))).map(
            (x) => x.metadata?.step,
          ),
        ).toEqual([6, 0]);
        expect(await collect(saver.list(cfg(t), { filter: { tags: { i: 0 } } }))).toEqual([]);
        expect(await collect(saver.list(cfg(t), { limit: 0 }))).toEqual([]);
        const one = await collect(saver.list(cfg(t, ids[2])));
        expect(one.map((x) => x.checkpoint.id)).toEqual([ids[2]]);
        expect(one[0]?.parentConfig?.configurable?.checkpoint_id).toBe(ids[1]);
      });

      it("includes pending writes in each tuple", async () => {
        const t = thread();
        const c = await saver.put(cfg(t), makeCheckpoint(), makeMetadata(), {});
        await saver.putWrites(c, [["a", 1]], "task");
        const [tuple] = await collect(saver.list(cfg(t)));
        expect(tuple?.pendingWrites).toEqual([["task", "a", 1]]);
      });

      it("pages through long threads, honouring limit with a filter", async () => {
        const t = thread();
        let parent: string | undefined;
        for (let i = 0; i < 250; i++) {
          const c = makeCheckpoint({}, parent);
          await saver.put(cfg(t, parent), c, makeMetadata({ step: i, mod: i % 10 }), {});
          parent = c.id;
        }
        expect(await collect(saver.list(cfg(t)))).toHaveLength(250);
        const steps = (await collect(saver.list(cfg(t), { filter: { mod: 3 }, limit: 20 }))).map(
          (x) => x.metadata?.step,
        );
        expect(steps).toEqual(Array.from({ length: 20 }, (_, i) => 243 - 10 * i));
        const all = (await collect(saver.list(cfg(t), { filter: { mod: 0 } }))).map(
          (x) => x.metadata?.step,
        );
        expect(all).toHaveLength(25);
      });

      it("lists every namespace of a thread when checkpoint_ns is left out", async () => {
        const t = thread();
        const a = makeCheckpoint();
        const b = makeCheckpoint();
        const c = makeCheckpoint();
        await saver.put(cfg(t), a, makeMetadata(), {});
        await saver.put(cfg(t, undefined, "sub"), b, makeMetadata(), {});
        await saver.put(cfg(t), c, makeMetadata(), {});
        const all = await collect(saver.list({ configurable: { thread_id: t } }));
        expect(all.map((x) => [x.checkpoint.id, x.config.configurable?.checkpoint_ns])).toEqual([
          [c.id, ""],
          [b.id, "sub"],
          [a.id, ""],
        ]);
        expect(
          (await collect(saver.list(cfg(t, undefined, "")))).map((x) => x.checkpoint.id),
        ).toEqual([c.id, a.id]);
        expect(
          (
            await collect(saver.list({ configurable: { thread_id: t } }, { before: cfg(t, c.id) }))
          ).map((x) => x.checkpoint.id),
        ).toEqual([b.id, a.id]);
      });

      it("lists across threads without a thread id, newest first over all threads", async () => {
        const mark = randomUUID();
        const threads = [thread("x"), thread("y"), thread("z")];
        const ids: string[] = [];
        // Interleaved, so a per-thread order would differ from the global one.
        for (let round = 0; round < 3; round++) {
          for (const t of threads) {
            const c = makeCheckpoint();
            await saver.put(cfg(t), c, makeMetadata({ mark, round }), {});
            ids.push(c.id);
          }
        }
        const newest = [...ids].reverse();
        const found = await collect(saver.list({}, { filter: { mark } }));
        expect(found.map((x) => x.checkpoint.id)).toEqual(newest);
        expect(new Set(found.map((x) => x.config.configurable?.thread_id))).toEqual(
          new Set(threads),
        );
        const limited = await collect(
          saver.list({ configurable: {} }, { filter: { mark }, limit: 4 }),
        );
        expect(limited.map((x) => x.checkpoint.id)).toEqual(newest.slice(0, 4));
        const older = await collect(
          saver.list({}, { filter: { mark, round: 1 }, before: cfg(threads[0]!, ids[5]) }),
        );
        expect(older.map((x) => x.checkpoint.id)).toEqual([ids[4], ids[3]]);
        await saver.deleteThread(threads[0]!);
        expect(await collect(saver.list({}, { filter: { mark } }))).toHaveLength(6);
      });

      it("drops expired or removed threads from the thread index when listing", async () => {
        const t = thread();
        await saver.put(cfg(t), makeCheckpoint(), makeMetadata(), {});
        const keys = threadKeys(prefix, t);
        expect(await client.zscore(threadIndexKey(prefix), keys.threadHex)).toBe("0");
        await client.del(...keys.all); // as if the thread's TTL ran out
        await collect(saver.list({}));
        expect(await client.zscore(threadIndexKey(prefix), keys.threadHex)).toBeNull();
        // The same saver (which remembers it indexed the thread) re-creates it.
        await saver.put(cfg(t), makeCheckpoint(), makeMetadata(), {});
        expect(await client.zscore(threadIndexKey(prefix), keys.threadHex)).toBe("0");
      });
    });

    describe("identifiers", () => {
      it("rejects a missing, empty or non-string thread_id", async () => {
        for (const bad of [undefined, "", 42, null, {}]) {
          const config = { configurable: { thread_id: bad as string } };
          await expect(saver.getTuple(config)).rejects.toBeInstanceOf(InvalidIdentifierError);
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
        await expect(saver.getTuple({})).rejects.toBeInstanceOf(InvalidIdentifierError);
      });

      it("round-trips hostile thread ids, namespaces and checkpoint ids, each isolated", async () => {
        const run = randomUUID();
        const written = new Map<string, string>();
        for (const id of HOSTILE_IDS) {
          const t = `${id}`;
          const c = makeCheckpoint({ id });
          const config = await saver.put(cfg(t, undefined, id), c, makeMetadata({ run }), {});
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
      it("removes every key of the thread, in every namespace, and nothing else", async () => {
        const own = randomPrefix("delete");
        const s = new RedisSaver(client, { prefix: own });
        const keep = "a";
        const gone = "a:b*{c}";
        for (const t of [keep, gone, "ab"]) {
          const c = await s.put(cfg(t), makeCheckpoint(), makeMetadata(), {});
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

    describe("values", () => {
      it("round-trips every type the default serializer supports", async () => {
        const t = thread();
        const values = {
          str: "héllo 🚀",
          num: 1.5,
          neg0: -0,
          nan: Number.NaN,
          inf: Number.POSITIVE_INFINITY,
          big: 12345678901234567890n,
          undef: undefined,
          nil: null,
          date: new Date("2024-01-02T03:04:05.006Z"),
          map: new Map<unknown, unknown>([
            ["a", 1],
            [2, { b: new Set([1, "x"]) }],
          ]),
          set: new Set([1, 2, 3]),
          bytes: new Uint8Array([0, 1, 2, 255]),
          err: Object.assign(new RangeError("bad", { cause: new Error("root") }), { code: 42 }),
          re: /a+b/gi,
          url: new URL("https://example.com/x?y=1"),
          nested: { arr: [1, [2, [3]]], $sp: "user key", __proto__x: 1 },
          newline: "a\nb\r\n",
        };
        const c = makeCheckpoint(values);
        const config = await saver.put(cfg(t), c, makeMetadata({ at: new Date(0) }), {});
        await saver.putWrites(config, [["v", values]], "task");
        const got = (await saver.getTuple(cfg(t)))!;
        // Errors are compared by their parts: vitest's toEqual on a revived
        // Error with a cause is stricter than what a round trip can promise.
        const { err, ...rest } = got.checkpoint.channel_values as typeof values;
        const { err: writtenErr, ...written } = got.pendingWrites![0]![2] as typeof values;
        const { err: _, ...expected } = values;
        expect({ ...got.checkpoint, channel_values: rest }).toEqual({
          ...c,
          channel_values: expected,
        });
        expect(written).toEqual(expected);
        expect(Object.is(rest.neg0, -0)).toBe(true);
        expect(got.metadata?.at).toEqual(new Date(0));
        for (const e of [err, writtenErr]) {
          expect(e).toBeInstanceOf(RangeError);
          expect(e.message).toBe("bad");
          expect((e as RangeError & { code: number }).code).toBe(42);
          expect(e.cause).toBeInstanceOf(Error);
          expect((e.cause as Error).message).toBe("root");
        }
      });

      it("round-trips a 10 MB value", async () => {
        const t = thread();
        const big = "x".repeat(10 * 1024 * 1024);
        const bytes = new Uint8Array(10 * 1024 * 1024).map((_, i) => i % 251);
        const config = await saver.put(cfg(t), makeCheckpoint({ big }), makeMetadata(), {});
        await saver.putWrites(config, [["bytes", bytes]], "task");
        const got = await saver.getTuple(cfg(t));
        expect((got!.checkpoint.channel_values.big as string).length).toBe(big.length);
        expect(got?.checkpoint.channel_values.big === big).toBe(true);
        expect(
          Buffer.from(got!.pendingWrites![0]![2] as Uint8Array).equals(Buffer.from(bytes)),
        ).toBe(true);
      });

      it("uses another serializer's dumpsTyped/loadsTyped and stores its type", async () => {
        const calls: string[] = [];
        const serde: SerializerProtocol = {
          async dumpsTyped(data) {
            calls.push("dump");
            return ["custom", new TextEncoder().encode(JSON.stringify(data))];
          },
          async loadsTyped(type, data) {
            calls.push(`load:${type}`);
            return JSON.parse(typeof data === "string" ? data : new TextDecoder().decode(data));
          },
        };
        const s = new RedisSaver(client, { prefix, serde });
        const t = thread();
        const c = makeCheckpoint({ a: [1, 2] });
        const config = await s.put(cfg(t), c, makeMetadata(), {});
        await s.putWrites(config, [["w", { ok: true }]], "task");
        const got = await s.getTuple(cfg(t));
        expect(got?.checkpoint).toEqual(c);
        expect(got?.pendingWrites).toEqual([["task", "w", { ok: true }]]);
        expect(calls.filter((x) => x === "load:custom")).toHaveLength(3);
        expect(s.serde).toBe(serde);
      });
    });
  });
}
