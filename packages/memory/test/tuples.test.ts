import { makeCheckpoint } from "@savepoint/conformance";
import { entrypoint, interrupt } from "@savepoint/core";
import { describe, expect, it } from "vitest";
import { MemorySaver } from "../src/index.js";

const metadata = { source: "input", step: -1, parents: {} } as const;
const config = (thread_id: string) => ({ configurable: { thread_id, checkpoint_ns: "" } });

describe("MemorySaver channel values", () => {
  it("rebuilds channels named like Object.prototype's keys as own data properties", async () => {
    const saver = new MemorySaver();
    // Built from JSON so "__proto__" is an own key of each map, as a checkpoint read back has it.
    const values = JSON.parse('{"__proto__":{"polluted":true},"toString":1,"constructor":2,"a":3}');
    const newVersions = JSON.parse('{"__proto__":1,"toString":1,"constructor":1,"a":1}');
    const checkpoint = {
      ...makeCheckpoint().checkpoint,
      channel_values: values,
      channel_versions: newVersions,
    };
    await saver.put(config("proto"), checkpoint, metadata, newVersions);
    const got = (await saver.getTuple(config("proto")))!.checkpoint.channel_values;
    expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
    expect(Object.keys(got)).toEqual(["__proto__", "toString", "constructor", "a"]);
    for (const key of Object.keys(got)) {
      expect(Object.getOwnPropertyDescriptor(got, key)).toEqual({
        value: values[key],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("stores one object held by two channels as two equal values", async () => {
    const saver = new MemorySaver();
    const shared = { x: [1, 2], at: new Date(0) };
    const { checkpoint, newVersions } = makeCheckpoint({ a: shared, b: shared, c: { ...shared } });
    await saver.put(config("shared"), checkpoint, metadata, newVersions);
    const got = (await saver.getTuple(config("shared")))!.checkpoint.channel_values;
    expect(got).toStrictEqual({ a: shared, b: shared, c: shared });
    expect(got.a).not.toBe(got.b);
  });

  it("keeps a pause's interrupts in its write and its thread record alike", async () => {
    const saver = new MemorySaver();
    const flow = entrypoint({ name: "review", checkpointer: saver }, async (t: string) => ({
      ok: interrupt({ t, at: new Date(0) }),
    }));
    await flow.invoke("cat", config("paused"));
    const tuple = (await saver.getTuple(config("paused")))!;
    const [, channel, written] = tuple.pendingWrites![0]!;
    expect(channel).toBe("__interrupt__");
    const [row] = await saver.listThreads({ entrypoint: "review", limit: 10 });
    expect(row!.status).toBe("interrupted");
    expect(row!.interrupts).toStrictEqual(written);
    expect(row!.interrupts).toMatchObject([{ value: { t: "cat", at: new Date(0) } }]);
  });
});
