import type { SerializerProtocol } from "@savepoint/core";
import type { Cluster, Redis } from "ioredis";
import { beforeAll, describe, expect, it } from "vitest";
import { RedisSaver } from "../../src/index.js";
import { cfg, makeCheckpoint, makeMetadata, newVersionsOf } from "../helpers.js";
import type { BehaviourContext } from "./context.js";

/** The saver's behaviour: values and serializers. */
export function describeValues(ctx: BehaviourContext): void {
  let client: Redis | Cluster;
  let saver: RedisSaver;
  const { prefix, thread } = ctx;
  beforeAll(() => {
    ({ client, saver } = ctx);
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
      const config = await saver.put(
        cfg(t),
        c,
        makeMetadata({ at: new Date(0) }),
        newVersionsOf(c),
      );
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
      const c = makeCheckpoint({ big });
      const config = await saver.put(cfg(t), c, makeMetadata(), newVersionsOf(c));
      await saver.putWrites(config, [["bytes", bytes]], "task");
      const got = await saver.getTuple(cfg(t));
      expect((got!.checkpoint.channel_values.big as string).length).toBe(big.length);
      expect(got?.checkpoint.channel_values.big === big).toBe(true);
      expect(Buffer.from(got!.pendingWrites![0]![2] as Uint8Array).equals(Buffer.from(bytes))).toBe(
        true,
      );
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
      const config = await s.put(cfg(t), c, makeMetadata(), newVersionsOf(c));
      await s.putWrites(config, [["w", { ok: true }]], "task");
      const got = await s.getTuple(cfg(t));
      expect(got?.checkpoint).toEqual(c);
      expect(got?.pendingWrites).toEqual([["task", "w", { ok: true }]]);
      // The checkpoint, its metadata, its one channel value and the write.
      expect(calls.filter((x) => x === "load:custom")).toHaveLength(4);
      expect(s.serde).toBe(serde);
    });
  });
}
