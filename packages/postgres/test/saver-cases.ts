import { randomBytes, randomUUID } from "node:crypto";
import { makeCheckpoint, makeMetadata } from "@savepoint/conformance";
import {
  type Checkpoint,
  CheckpointConflictError,
  type CheckpointMetadata,
  type CheckpointTuple,
  defaultSerializer,
  InvalidIdentifierError,
  newCheckpointId,
  nextUniqueVersion,
  type RunnableConfig,
  type SerializerProtocol,
} from "@savepoint/core";
import { describe, expect, it } from "vitest";
import type { PostgresSaver, PostgresSaverOptions } from "../src/index.js";

/** What each driver's test file hands the shared cases. */
export interface CaseContext {
  /** The file's saver; its statements are counted by {@link CaseContext.queries}. */
  saver(): PostgresSaver;
  /** Statements sent to the database by the counted saver so far. */
  queries(): number;
  /** Another saver on the same database and schema (a restarted process). Caller closes it. */
  make(options?: PostgresSaverOptions): PostgresSaver;
  /** A raw probe that reads what was really persisted, not through the saver. */
  raw(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** The quoted schema the savers use. */
  schema(): string;
}

export function threadId(label = "t"): string {
  return `pg-test-${label}-${randomUUID()}`;
}

/**
 * A checkpoint with `values` as channel values, its id after `after` (the
 * suite's factory), each channel at a version of its own: channel values are
 * stored once per (channel, version), the first stored wins.
 */
export function checkpoint(values: Record<string, unknown> = {}, after?: string): Checkpoint {
  const made = makeCheckpoint(values, undefined, newCheckpointId(after)).checkpoint;
  for (const channel of Object.keys(made.channel_versions))
    made.channel_versions[channel] = nextUniqueVersion(undefined);
  return made;
}

/**
 * These cases put whole checkpoints: a put whose `newVersions` is empty
 * stores every channel the checkpoint lists, as a put with all of them new.
 */
export function wholePuts(ctx: CaseContext): CaseContext {
  const patched = new WeakSet<PostgresSaver>();
  const whole = (saver: PostgresSaver) => {
    if (patched.has(saver)) return saver;
    patched.add(saver);
    const put = saver.put.bind(saver);
    saver.put = (config, cp, metadata, newVersions, options) =>
      put(
        config,
        cp,
        metadata,
        Object.keys(newVersions ?? {}).length > 0 ? newVersions : (cp?.channel_versions ?? {}),
        options,
      );
    return saver;
  };
  return { ...ctx, saver: () => whole(ctx.saver()), make: (o) => whole(ctx.make(o)) };
}

export const meta = (extra: Record<string, unknown> = {}) => makeMetadata(extra);

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Builds a chain of `n` checkpoints on one thread/namespace; returns their configs oldest first. */
export async function chain(
  saver: PostgresSaver,
  thread: string,
  n: number,
  ns = "",
  metadata: (i: number) => CheckpointMetadata = (i) => meta({ step: i }),
  /** Store each checkpoint's values too (`newVersions` = all of them), not only the checkpoint. */
  storeValues = false,
): Promise<RunnableConfig[]> {
  const configs: RunnableConfig[] = [];
  let config: RunnableConfig = { configurable: { thread_id: thread, checkpoint_ns: ns } };
  let last: string | undefined;
  for (let i = 0; i < n; i++) {
    const cp = checkpoint({ i }, last);
    config = await saver.put(config, cp, metadata(i), storeValues ? cp.channel_versions : {});
    last = cp.id;
    configs.push(config);
  }
  return configs;
}

// A 4 KB id made of random code points that matter to SQL, LIKE, globs,
// JSON and shells, so it neither compresses nor survives string splicing.
export function hostileId(length = 4096): string {
  const parts = [
    "'",
    '"',
    ";",
    "--",
    "%",
    "_",
    "*",
    "?",
    "[",
    "]",
    "{",
    "}",
    ":",
    " ",
    "\n",
    "\\",
    "😀",
    "é",
    "$1",
  ];
  let out = "";
  const bytes = randomBytes(length);
  for (let i = 0; out.length < length; i++) {
    out += parts[bytes[i % length]! % parts.length]! + bytes[(i * 7) % length]!.toString(36);
  }
  return out;
}

/** Every kind of value the default serializer promises to keep. */
export function everyType(): Record<string, unknown> {
  const err = new TypeError("bad", { cause: new Error("root") });
  return {
    str: "a\u0000b 😀 \ud83d",
    num: 1.5,
    neg0: -0,
    nan: Number.NaN,
    inf: Number.POSITIVE_INFINITY,
    big: 2n ** 70n,
    undef: undefined,
    nul: null,
    date: new Date(1_700_000_000_123),
    map: new Map<unknown, unknown>([
      [1, "one"],
      ["k", { deep: [1, 2] }],
    ]),
    set: new Set([1, "two", 3n]),
    bytes: new Uint8Array([0, 1, 254, 255]),
    err,
    re: /a+b/gi,
    url: new URL("https://example.com/a?b=c#d"),
    nested: { arr: [undefined, null, { $sp: "not a tag" }], __proto__x: 1 },
  };
}

/** A serializer that is not Savepoint's: only the LangGraph method pair. */
export class ForeignSerializer implements SerializerProtocol {
  async dumpsTyped(data: unknown): Promise<[string, Uint8Array]> {
    return ["foreign-json", new TextEncoder().encode(JSON.stringify({ wrapped: data ?? null }))];
  }
  async loadsTyped(type: string, data: Uint8Array | string): Promise<unknown> {
    if (type !== "foreign-json") throw new Error(`unexpected type ${type}`);
    const text = typeof data === "string" ? data : new TextDecoder().decode(data);
    return (JSON.parse(text) as { wrapped: unknown }).wrapped;
  }
}

/** The shared direct tests of PostgresSaver, registered once per driver. */
export function describeSaverCases(label: string, given: CaseContext): void {
  const ctx = wholePuts(given);
  describe(`${label}: checkpoints`, () => {
    it("stores a checkpoint and reads it back, latest and by id", async () => {
      const saver = ctx.saver();
      const thread = threadId();
      const first = checkpoint({ topic: "cats", at: new Date(0) });
      const c1 = await saver.put(
        { configurable: { thread_id: thread } },
        first,
        meta({ step: -1, source: "input" }),
        first.channel_versions,
      );
      expect(c1).toEqual({
        configurable: { thread_id: thread, checkpoint_ns: "", checkpoint_id: first.id },
      });
      const second = checkpoint({ topic: "dogs" }, first.id);
      const c2 = await saver.put(
        c1,
        second,
        meta({ step: 0, when: new Date(5) }),
        second.channel_versions,
      );

      const latest = await saver.getTuple({ configurable: { thread_id: thread } });
      expect(latest?.checkpoint).toEqual(second);
      expect(latest?.metadata).toEqual(meta({ step: 0, when: new Date(5) }));
      expect(latest?.config).toEqual(c2);
      expect(latest?.parentConfig).toEqual(c1);
      expect(latest?.pendingWrites).toEqual([]);

      const byId = await saver.getTuple(c1);
      expect(byId?.checkpoint).toEqual(first);
      expect(byId?.checkpoint.channel_values.at).toEqual(new Date(0));
      expect(byId && "parentConfig" in byId).toBe(false);
    });

    it("returns undefined for an unknown thread, namespace or checkpoint", async () => {
      const saver = ctx.saver();
      const thread = threadId();
      expect(await saver.getTuple({ configurable: { thread_id: thread } })).toBeUndefined();
      const [c] = await chain(saver, thread, 1);
      expect(
        await saver.getTuple({ configurable: { thread_id: thread, checkpoint_ns: "other" } }),
      ).toBeUndefined();
      expect(
        await saver.getTuple({
          configurable: { thread_id: thread, checkpoint_id: newCheckpointId() },
        }),
      ).toBeUndefined();
      expect(await saver.getTuple(c!)).toBeDefined();
    });

    it("replaces a checkpoint put again with the same id", async () => {
      const saver = ctx.saver();
      const thread = threadId();
      const cp = checkpoint({ v: 1 });
      await saver.put({ configurable: { thread_id: thread } }, cp, meta({ step: 1 }), {});
      await saver.put(
        { configurable: { thread_id: thread } },
        { ...cp, channel_values: { v: 2 }, channel_versions: { v: nextUniqueVersion(undefined) } },
        meta({ step: 2 }),
        {},
      );
      const tuple = await saver.getTuple({ configurable: { thread_id: thread } });
      expect(tuple?.checkpoint.channel_values).toEqual({ v: 2 });
      expect(tuple?.metadata?.step).toBe(2);
      const rows = await ctx.raw(
        `SELECT count(*)::int AS n FROM ${ctx.schema()}.checkpoints WHERE thread_id = $1`,
        [thread],
      );
      expect(rows[0]?.n).toBe(1);
    });

    it("keeps namespaces apart", async () => {
      const saver = ctx.saver();
      const thread = threadId();
      const [a] = await chain(saver, thread, 1, "");
      const [b] = await chain(saver, thread, 1, "child:1");
      expect((await saver.getTuple({ configurable: { thread_id: thread } }))?.config).toEqual(a);
      expect(
        (await saver.getTuple({ configurable: { thread_id: thread, checkpoint_ns: "child:1" } }))
          ?.config,
      ).toEqual(b);
    });

    it("orders ids as bytes, so LangGraph's UUIDv6 and our UUIDv7 both sort by time", async () => {
      const saver = ctx.saver();
      const thread = threadId();
      // "a" < "b" < "ä" in byte order; a locale collation would put "ä" first.
      for (const id of ["b", "ä", "a"]) {
        await saver.put(
          { configurable: { thread_id: thread } },
          { ...checkpoint(), id },
          meta(),
          {},
        );
      }
      expect((await saver.getTuple({ configurable: { thread_id: thread } }))?.checkpoint.id).toBe(
        "ä",
      );
      const ids = (await collect(saver.list({ configurable: { thread_id: thread } }))).map(
        (t) => t.checkpoint.id,
      );
      expect(ids).toEqual(["ä", "b", "a"]);
    });

    it("gives unique, text-sortable versions and names itself in JSON", () => {
      const saver = ctx.saver();
      const first = saver.getNextVersion(undefined);
      expect(first).toMatch(/^0{15}1\./);
      expect(saver.getNextVersion(3)).toMatch(/^0{15}4\./);
      expect(saver.getNextVersion(first)).toMatch(/^0{15}2\./);
      expect(saver.getNextVersion(undefined)).not.toBe(first);
      expect(JSON.stringify({ saver })).toBe('{"saver":"[PostgresSaver]"}');
      expect(saver.capabilities.conditionalPut).toBe(true);
    });
  });

  describe(`${label}: conditional put`, () => {
    it("commits only on the expected head and stores nothing otherwise", async () => {
      const saver = ctx.saver();
      const thread = threadId();
      const base = { configurable: { thread_id: thread } };
      const first = checkpoint();
      const c1 = await saver.put(base, first, meta(), {}, { ifHead: null });

      const stray = checkpoint({}, first.id);
      const err = await saver
        .put(base, stray, meta(), {}, { ifHead: null })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CheckpointConflictError);
      expect(err).toMatchObject({ threadId: thread, expectedHead: null, actualHead: first.id });

      const wrong = await saver
        .put(c1, stray, meta(), {}, { ifHead: "not-the-head" })
        .catch((e: unknown) => e);
      expect(wrong).toMatchObject({
        code: "CHECKPOINT_CONFLICT",
        expectedHead: "not-the-head",
        actualHead: first.id,
      });
      expect(
        await saver.getTuple({ configurable: { thread_id: thread, checkpoint_id: stray.id } }),
      ).toBeUndefined();

      const second = checkpoint({}, first.id);
      await saver.put(c1, second, meta(), {}, { ifHead: first.id });
      expect((await saver.getTuple(base))?.checkpoint.id).toBe(second.id);
      // A fork from the old head is refused when asked to be conditional...
      const fork = checkpoint({}, second.id);
      await expect(saver.put(c1, fork, meta(), {}, { ifHead: first.id })).rejects.toBeInstanceOf(
        CheckpointConflictError,
      );
      // ...and allowed when unconditional (LangGraph's behaviour).
      await saver.put(c1, fork, meta(), {});
      expect((await saver.getTuple(base))?.parentConfig).toEqual(c1);
    });

    it("lets exactly one of 16 racing puts with the same ifHead commit", async () => {
      const saver = ctx.saver();
      const others = Array.from({ length: 3 }, () => ctx.make());
      try {
        for (const head of [null, "existing"] as const) {
          const thread = threadId("race");
          const base = { configurable: { thread_id: thread } };
          let expected: string | null = null;
          if (head) {
            const cp = checkpoint();
            await saver.put(base, cp, meta(), {});
            expected = cp.id;
          }
          const savers = [saver, ...others];
          const results = await Promise.allSettled(
            Array.from({ length: 16 }, (_, i) =>
              savers[i % savers.length]!.put(
                base,
                checkpoint({ i }),
                meta({ i }),
                {},
                { ifHead: expected },
              ),
            ),
          );
          const won = results.filter((r) => r.status === "fulfilled");
          const lost = results.filter((r) => r.status === "rejected");
          expect(won).toHaveLength(1);
          for (const r of lost)
            expect((r as PromiseRejectedResult).reason).toBeInstanceOf(CheckpointConflictError);
          const stored = await collect(saver.list(base));
          expect(stored).toHaveLength(head ? 2 : 1);
        }
      } finally {
        for (const s of others) await s.close();
      }
    });
  });

  describe(`${label}: writes`, () => {
    it("keeps the first normal write, replaces special ones, and orders by path, task, index", async () => {
      const saver = ctx.saver();
      const thread = threadId();
      const [config] = await chain(saver, thread, 1);
      await saver.putWrites(
        config!,
        [
          ["out", "first"],
          ["__error__", "e1"],
        ],
        "task-b",
      );
      await saver.putWrites(
        config!,
        [
          ["out", "second"],
          ["__error__", "e2"],
        ],
        "task-b",
      );
      await saver.putWrites(
        config!,
        [
          ["z", 1],
          ["y", 2],
        ],
        "task-a",
      );
      await saver.putWrites(config!, [["p", "in-path"]], "task-0", "~path");
      await saver.putWrites(
        config!,
        [
          ["__interrupt__", "i1"],
          ["__interrupt__", "i2"],
        ],
        "task-c",
      );
      const tuple = await saver.getTuple(config!);
      expect(tuple?.pendingWrites).toEqual([
        ["task-a", "z", 1],
        ["task-a", "y", 2],
        ["task-b", "__error__", "e2"],
        ["task-b", "out", "first"],
        ["task-c", "__interrupt__", "i2"],
        ["task-0", "p", "in-path"],
      ]);
    });

    it("orders task ids by code point, not UTF-16 unit", async () => {
      const saver = ctx.saver();
      const [config] = await chain(saver, threadId(), 1);
      await saver.putWrites(config!, [["c", 1]], "\u{1F600}");
      await saver.putWrites(config!, [["c", 2]], "\uFFFF");
      const tuple = await saver.getTuple(config!);
      expect(tuple?.pendingWrites?.map((w) => w[0])).toEqual(["\uFFFF", "\u{1F600}"]);
    });

    it("is idempotent when retried (one row per task and index)", async () => {
      const saver = ctx.saver();
      const thread = threadId();
      const [config] = await chain(saver, thread, 1);
      for (let i = 0; i < 3; i++)
        await saver.putWrites(
          config!,
          [
            ["a", i],
            ["b", i],
          ],
          "task",
        );
      const rows = await ctx.raw(
        `SELECT idx, channel, value FROM ${ctx.schema()}.writes WHERE checkpoint_id = $1 ORDER BY idx`,
        [config!.configurable!.checkpoint_id],
      );
      expect(rows.map((r) => [r.idx, r.channel, r.value])).toEqual([
        [0, "a", "0"],
        [1, "b", "0"],
      ]);
    });

    it("stores 10,000 writes of one task in one statement", async () => {
      const saver = ctx.saver();
      const [config] = await chain(saver, threadId(), 1);
      const writes: [string, unknown][] = Array.from({ length: 10_000 }, (_, i) => [
        `ch${i}`,
        { i },
      ]);
      const before = ctx.queries();
      await saver.putWrites(config!, writes, "many");
      expect(ctx.queries() - before).toBe(1);
      const tuple = await saver.getTuple(config!);
      expect(tuple?.pendingWrites).toHaveLength(10_000);
      expect(tuple?.pendingWrites?.[9_999]).toEqual(["many", "ch9999", { i: 9_999 }]);
    });

    it("is one statement per task write and one query per getTuple", async () => {
      const saver = ctx.saver();
      const [config] = await chain(saver, threadId(), 1);
      await saver.getTuple(config!); // prepares
      let before = ctx.queries();
      await saver.putWrites(config!, [["__return__", "essay"]], "t1");
      expect(ctx.queries() - before).toBe(1);
      before = ctx.queries();
      await saver.putWrites(
        config!,
        [
          ["a", 1],
          ["__error__", new Error("x")],
          ["b", 2],
        ],
        "t2",
      );
      expect(ctx.queries() - before).toBe(1);
      before = ctx.queries();
      const tuple = await saver.getTuple({
        configurable: { thread_id: config!.configurable!.thread_id },
      });
      expect(ctx.queries() - before).toBe(1);
      expect(tuple?.pendingWrites).toHaveLength(4);
      before = ctx.queries();
      await saver.put(
        config!,
        checkpoint(),
        meta(),
        {},
        { ifHead: config!.configurable!.checkpoint_id! },
      );
      expect(ctx.queries() - before).toBe(1);
    });

    it("reads a thread with 1,000 finished tasks in one query", async () => {
      const saver = ctx.saver();
      const [config] = await chain(saver, threadId(), 1);
      for (let i = 0; i < 1000; i++)
        await saver.putWrites(config!, [["__return__", i]], `task-${String(i).padStart(4, "0")}`);
      const before = ctx.queries();
      const tuple = await saver.getTuple({
        configurable: { thread_id: config!.configurable!.thread_id },
      });
      expect(ctx.queries() - before).toBe(1);
      expect(tuple?.pendingWrites).toHaveLength(1000);
      expect(tuple?.pendingWrites?.[999]).toEqual(["task-0999", "__return__", 999]);
    });
  });

  describe(`${label}: list`, () => {
    it("lists newest first with limit, before and exact metadata filters", async () => {
      const saver = ctx.saver();
      const thread = threadId();
      const tag = randomUUID();
      const configs = await chain(saver, thread, 5, "", (i) =>
        meta({ step: i, tag, odd: i % 2 === 1, obj: { a: 1, b: [i] }, when: new Date(i) }),
      );
      const ids = configs.map((c) => c.configurable!.checkpoint_id);
      const all = await collect(saver.list({ configurable: { thread_id: thread } }));
      expect(all.map((t) => t.checkpoint.id)).toEqual([...ids].reverse());
      expect(all[0]?.parentConfig).toEqual(configs[3]);

      const limited = await collect(
        saver.list({ configurable: { thread_id: thread } }, { limit: 2 }),
      );
      expect(limited.map((t) => t.checkpoint.id)).toEqual([ids[4], ids[3]]);
      const before = await collect(
        saver.list({ configurable: { thread_id: thread } }, { before: configs[2] }),
      );
      expect(before.map((t) => t.checkpoint.id)).toEqual([ids[1], ids[0]]);

      const odd = await collect(
        saver.list({ configurable: { thread_id: thread } }, { filter: { odd: true } }),
      );
      expect(odd.map((t) => t.metadata?.step)).toEqual([3, 1]);
      const exact = await collect(saver.list({}, { filter: { tag, obj: { a: 1, b: [2] } } }));
      expect(exact.map((t) => t.metadata?.step)).toEqual([2]);
      // Containment is not equality: a sub-object must not match.
      expect(await collect(saver.list({}, { filter: { tag, obj: { a: 1 } } }))).toEqual([]);
      expect(await collect(saver.list({}, { filter: { tag, when: new Date(4) } }))).toHaveLength(1);
      expect(await collect(saver.list({}, { filter: { tag, missing: null } }))).toEqual([]);
      // Metadata jsonb cannot hold NUL or unpaired surrogates; they are escaped, and still filter exactly.
      const strange = threadId();
      await chain(saver, strange, 2, "", (i) =>
        meta({ tag, weird: i ? "a\u0000\ud800" : "a\u0001\u0002" }),
      );
      const weird = await collect(saver.list({}, { filter: { tag, weird: "a\u0000\ud800" } }));
      expect(weird.map((t) => t.metadata?.weird)).toEqual(["a\u0000\ud800"]);
      expect(
        await collect(saver.list({ configurable: { thread_id: thread } }, { limit: 0 })),
      ).toEqual([]);
    });

    it("lists every namespace when none is given, one when it is", async () => {
      const saver = ctx.saver();
      const thread = threadId();
      await chain(saver, thread, 2, "");
      await chain(saver, thread, 3, "sub");
      expect(await collect(saver.list({ configurable: { thread_id: thread } }))).toHaveLength(5);
      expect(
        await collect(saver.list({ configurable: { thread_id: thread, checkpoint_ns: "" } })),
      ).toHaveLength(2);
      expect(
        await collect(saver.list({ configurable: { thread_id: thread, checkpoint_ns: "sub" } })),
      ).toHaveLength(3);
      const ids = (await collect(saver.list({ configurable: { thread_id: thread } }))).map(
        (t) => t.checkpoint.id,
      );
      expect(ids).toEqual([...ids].sort().reverse());
    });

    it("pages through more than one query without skipping or repeating", async () => {
      const saver = ctx.saver();
      const thread = threadId();
      const configs = await chain(saver, thread, 230);
      const before = ctx.queries();
      const listed = await collect(saver.list({ configurable: { thread_id: thread } }));
      expect(ctx.queries() - before).toBe(3);
      expect(listed.map((t) => t.checkpoint.id)).toEqual(
        configs.map((c) => c.configurable!.checkpoint_id).reverse(),
      );
      const page = ctx.queries();
      await collect(saver.list({ configurable: { thread_id: thread } }, { limit: 50 }));
      expect(ctx.queries() - page).toBe(1);
    });

    it("lists across threads when the config has no thread_id, with writes", async () => {
      const saver = ctx.saver();
      const tag = randomUUID();
      const [a] = await chain(saver, threadId("a"), 1, "", () => meta({ tag }));
      const [b] = await chain(saver, threadId("b"), 1, "", () => meta({ tag }));
      await saver.putWrites(a!, [["x", 1]], "t");
      const listed = await collect(saver.list({}, { filter: { tag } }));
      expect(listed.map((t) => t.config)).toEqual([b, a]);
      expect(listed[1]?.pendingWrites).toEqual([["t", "x", 1]]);
    });
  });

  describe(`${label}: identifiers`, () => {
    it("round-trips hostile ids of 4 KB as thread, namespace, task and channel", async () => {
      const saver = ctx.saver();
      const thread = hostileId();
      const ns = hostileId(1000);
      const task = hostileId(4096);
      const base = { configurable: { thread_id: thread, checkpoint_ns: ns } };
      const cp = checkpoint();
      const config = await saver.put(base, cp, meta(), {});
      await saver.putWrites(config, [["chan'; --", 1]], task, hostileId(200));
      const tuple = await saver.getTuple(base);
      expect(tuple?.config).toEqual({
        configurable: { thread_id: thread, checkpoint_ns: ns, checkpoint_id: cp.id },
      });
      expect(tuple?.pendingWrites).toEqual([[task, "chan'; --", 1]]);
      const listed = await collect(saver.list({ configurable: { thread_id: thread } }));
      expect(listed).toHaveLength(1);
      await saver.deleteThread(thread);
      expect(await saver.getTuple(base)).toBeUndefined();
    });

    it("treats LIKE and glob characters literally", async () => {
      const saver = ctx.saver();
      const stem = threadId();
      const [wild] = await chain(saver, `${stem}%`, 1);
      const [plain] = await chain(saver, `${stem}abc`, 1);
      await chain(saver, `${stem}_`, 1);
      expect((await saver.getTuple({ configurable: { thread_id: `${stem}%` } }))?.config).toEqual(
        wild,
      );
      expect(await collect(saver.list({ configurable: { thread_id: `${stem}%` } }))).toHaveLength(
        1,
      );
      await saver.deleteThread(`${stem}%`);
      await saver.deleteThread(`${stem}_`);
      expect(await saver.getTuple({ configurable: { thread_id: `${stem}%` } })).toBeUndefined();
      expect((await saver.getTuple({ configurable: { thread_id: `${stem}abc` } }))?.config).toEqual(
        plain,
      );
    });

    it("refuses missing, empty, non-string and NUL ids with InvalidIdentifierError", async () => {
      const saver = ctx.saver();
      const cp = checkpoint();
      const bad: unknown[] = [undefined, "", 42, null, "a\u0000b"];
      for (const id of bad) {
        const config = { configurable: { thread_id: id as string, checkpoint_id: "x" } };
        // LangGraph's contract: getTuple without a thread_id is undefined.
        if (id === undefined) expect(await saver.getTuple(config)).toBeUndefined();
        else await expect(saver.getTuple(config)).rejects.toBeInstanceOf(InvalidIdentifierError);
        await expect(saver.put(config, cp, meta(), {})).rejects.toBeInstanceOf(
          InvalidIdentifierError,
        );
        await expect(saver.putWrites(config, [["a", 1]], "t")).rejects.toBeInstanceOf(
          InvalidIdentifierError,
        );
      }
      await expect(saver.deleteThread("")).rejects.toBeInstanceOf(InvalidIdentifierError);
      await expect(saver.deleteThread("a\u0000")).rejects.toBeInstanceOf(InvalidIdentifierError);
      const ok = { configurable: { thread_id: threadId() } };
      await expect(saver.putWrites(ok, [["a", 1]], "t")).rejects.toBeInstanceOf(
        InvalidIdentifierError,
      );
      await expect(
        saver.getTuple({ configurable: { thread_id: "t", checkpoint_ns: "a\u0000" } }),
      ).rejects.toBeInstanceOf(InvalidIdentifierError);
      await expect(
        saver.putWrites(
          { configurable: { thread_id: "t", checkpoint_id: "c" } },
          [["a", 1]],
          "t\u0000",
        ),
      ).rejects.toBeInstanceOf(InvalidIdentifierError);
    });

    it("refuses a lone-surrogate thread id or namespace in every method with INVALID_IDENTIFIER", async () => {
      const saver = ctx.saver();
      const cp = checkpoint();
      const refused = { name: "InvalidIdentifierError", code: "INVALID_IDENTIFIER" };
      const stem = threadId();
      const configs: RunnableConfig[] = [
        { configurable: { thread_id: `${stem}X\ud800`, checkpoint_id: cp.id } },
        { configurable: { thread_id: stem, checkpoint_ns: "X\ud800", checkpoint_id: cp.id } },
        { configurable: { thread_id: stem, checkpoint_ns: "\udc00X", checkpoint_id: cp.id } },
      ];
      for (const config of configs) {
        await expect(saver.getTuple(config)).rejects.toBeInstanceOf(InvalidIdentifierError);
        await expect(saver.getTuple(config)).rejects.toMatchObject(refused);
        await expect(saver.put(config, cp, meta(), {})).rejects.toMatchObject(refused);
        await expect(saver.putWrites(config, [["a", 1]], "t")).rejects.toMatchObject(refused);
        await expect(collect(saver.list(config))).rejects.toMatchObject(refused);
      }
      await expect(saver.deleteThread(`${stem}X\ud800`)).rejects.toBeInstanceOf(
        InvalidIdentifierError,
      );
      await expect(saver.deleteThread(`${stem}X\ud800`)).rejects.toMatchObject(refused);
      // Nothing was stored under the refused ids, nor under the well-formed stem.
      expect(await collect(saver.list({ configurable: { thread_id: stem } }))).toEqual([]);
      // A surrogate pair is well formed and stays accepted.
      const paired = { configurable: { thread_id: `${stem}\ud83d\ude00` } };
      expect((await saver.put(paired, cp, meta(), {})).configurable?.thread_id).toBe(`${stem}😀`);
    });

    it("can no longer collide X\\ud800 with X\\ufffd: the first is refused, the second works", async () => {
      const saver = ctx.saver();
      const stem = threadId();
      const lone = `${stem}X\ud800`;
      const replacement = `${stem}X\ufffd`;
      const [config] = await chain(saver, replacement, 1, "X\ufffd");
      await saver.putWrites(config!, [["x", 1]], "t");
      const tuple = await saver.getTuple({
        configurable: { thread_id: replacement, checkpoint_ns: "X\ufffd" },
      });
      expect(tuple?.config).toEqual(config);
      expect(tuple?.pendingWrites).toEqual([["t", "x", 1]]);
      // Before, UTF-8 turned the lone surrogate into U+FFFD and this read the run above.
      const refused = { code: "INVALID_IDENTIFIER" };
      await expect(
        saver.getTuple({ configurable: { thread_id: lone, checkpoint_ns: "X\ufffd" } }),
      ).rejects.toMatchObject(refused);
      await expect(
        saver.getTuple({ configurable: { thread_id: replacement, checkpoint_ns: "X\ud800" } }),
      ).rejects.toMatchObject(refused);
      await expect(
        collect(saver.list({ configurable: { thread_id: lone } })),
      ).rejects.toMatchObject(refused);
      await expect(saver.deleteThread(lone)).rejects.toMatchObject(refused);
      expect(await collect(saver.list({ configurable: { thread_id: replacement } }))).toHaveLength(
        1,
      );
      await saver.deleteThread(replacement);
      expect(await saver.getTuple({ configurable: { thread_id: replacement } })).toBeUndefined();
    });

    it("deletes one thread in every namespace and nothing else", async () => {
      const saver = ctx.saver();
      const thread = threadId();
      const other = `${thread}-other`;
      const [a] = await chain(saver, thread, 2, "");
      await chain(saver, thread, 2, "ns");
      const [o] = await chain(saver, other, 1);
      await saver.putWrites(a!, [["x", 1]], "t");
      await saver.putWrites(o!, [["x", 1]], "t");
      await saver.deleteThread(thread);
      expect(await collect(saver.list({ configurable: { thread_id: thread } }))).toEqual([]);
      const left = await ctx.raw(
        `SELECT (SELECT count(*)::int FROM ${ctx.schema()}.writes WHERE checkpoint_id = $1) AS w,
                (SELECT count(*)::int FROM ${ctx.schema()}.heads h JOIN ${ctx.schema()}.checkpoints c USING (thread_key) WHERE c.thread_id = $2) AS h`,
        [a!.configurable!.checkpoint_id, thread],
      );
      expect(left[0]).toEqual({ w: 0, h: 0 });
      expect((await saver.getTuple({ configurable: { thread_id: other } }))?.pendingWrites).toEqual(
        [["t", "x", 1]],
      );
      // A deleted thread starts again from nothing.
      await saver.put(
        { configurable: { thread_id: thread } },
        checkpoint(),
        meta(),
        {},
        { ifHead: null },
      );
    });
  });

  describe(`${label}: values`, () => {
    it("round-trips every type of the default serializer in checkpoints, writes and metadata", async () => {
      const saver = ctx.saver();
      const values = everyType();
      const cp = checkpoint(values);
      const config = await saver.put(
        { configurable: { thread_id: threadId() } },
        cp,
        meta({ values }),
        {},
      );
      await saver.putWrites(config, [["all", values]], "t");
      await saver.putWrites(
        config,
        [
          ["a", values],
          ["b", 2],
        ],
        "u",
      );
      const restarted = ctx.make();
      try {
        const tuple = (await restarted.getTuple(config)) as CheckpointTuple;
        // Compared with the serializer's own round trip: what a saver must
        // return is what the serializer gives back, nothing more or less.
        const expected = defaultSerializer.canonicalize(values);
        expect(tuple.checkpoint).toEqual({ ...cp, channel_values: expected });
        expect(tuple.pendingWrites?.[0]?.[2]).toEqual(expected);
        expect(tuple.pendingWrites?.[1]?.[2]).toEqual(expected);
        expect(tuple.metadata).toEqual(defaultSerializer.canonicalize(meta({ values })));
        const back = tuple.checkpoint.channel_values;
        expect(back.str).toBe(values.str);
        expect(Object.is(back.neg0, -0)).toBe(true);
        expect(back.err).toBeInstanceOf(TypeError);
        expect(((back.err as Error).cause as Error).message).toBe("root");
        expect(back.big).toBe(2n ** 70n);
      } finally {
        await restarted.close();
      }
    });

    it("round-trips a 10 MB value", async () => {
      const saver = ctx.saver();
      const text = randomBytes(5 * 1024 * 1024).toString("hex");
      const bytes = new Uint8Array(randomBytes(10 * 1024 * 1024));
      const cp = checkpoint({ text });
      const config = await saver.put({ configurable: { thread_id: threadId() } }, cp, meta(), {});
      await saver.putWrites(config, [["big", bytes]], "t");
      const tuple = await saver.getTuple(config);
      expect(tuple?.checkpoint.channel_values.text).toBe(text);
      expect(
        Buffer.from(tuple?.pendingWrites?.[0]?.[2] as Uint8Array).equals(Buffer.from(bytes)),
      ).toBe(true);
    });

    it("works with a serializer that is not Savepoint's", async () => {
      const saver = ctx.make({ serde: new ForeignSerializer() });
      try {
        const cp = checkpoint({ n: 1, s: "x" });
        const config = await saver.put(
          { configurable: { thread_id: threadId() } },
          cp,
          meta({ k: "v" }),
          {},
        );
        await saver.putWrites(
          config,
          [
            ["a", { deep: [1] }],
            ["b", "x"],
          ],
          "t",
        );
        await saver.putWrites(config, [["c", 3]], "u");
        const tuple = await saver.getTuple(config);
        expect(tuple?.checkpoint).toEqual(cp);
        expect(tuple?.metadata).toEqual(meta({ k: "v" }));
        expect(tuple?.pendingWrites).toEqual([
          ["t", "a", { deep: [1] }],
          ["t", "b", "x"],
          ["u", "c", 3],
        ]);
      } finally {
        await saver.close();
      }
    });
  });
}
