import type { CheckpointSaver, PendingWrite } from "@savepoint/core";
import { describe, expect, it } from "vitest";
import { makeCheckpoint, makeMetadata, threadConfig } from "../fixtures/checkpoints.js";
import { differenceBetween, expectSameValue } from "../fixtures/equality.js";
import { SERIALIZER_SAMPLES } from "../fixtures/values.js";
import { useHarness } from "../harness.js";
import type { SaverInitializer } from "../initializer.js";

const MB = 1024 * 1024;

function bigString(bytes: number): string {
  // Varied text, so a saver that compresses or dedupes still moves real data.
  const unit = "0123456789abcdefghijklmnopqrstuvwxyz-ÅßЖ€🙂\n";
  return unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);
}

function bigBytes(bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let x = 2463534242;
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function nested(depth: number): Record<string, unknown> {
  let node: Record<string, unknown> = { leaf: [depth, "bottom"] };
  for (let i = depth - 1; i >= 0; i--) node = { level: i, child: node };
  return node;
}

/**
 * The "payloads" group: large values (1 MB and 10 MB strings and bytes), ten
 * thousand writes on one checkpoint, deep nesting, and every kind of value
 * the default serializer supports, each back unchanged as a channel value and
 * as a write.
 *
 * @example
 * ```ts
 * import { payloadsGroup } from "@savepoint/conformance";
 * payloadsGroup({ name: "MySaver", create: () => new MySaver() });
 * ```
 */
export function payloadsGroup(init: SaverInitializer): void {
  describe("payloads", () => {
    const h = useHarness(init);

    // Puts `value` as a channel value and as a write, reads both back.
    async function roundTrip(saver: CheckpointSaver, value: unknown) {
      const threadId = h.threadId("payload");
      const { checkpoint, newVersions } = makeCheckpoint({ payload: value });
      const config = await saver.put(
        threadConfig(threadId),
        checkpoint,
        makeMetadata(),
        newVersions,
      );
      await saver.putWrites(config, [["payload", value]], "task-1");
      const tuple = await saver.getTuple(threadConfig(threadId));
      await saver.deleteThread(threadId);
      return {
        channel: tuple?.checkpoint.channel_values.payload,
        write: tuple?.pendingWrites?.[0]?.[2],
        writes: tuple?.pendingWrites,
      };
    }

    async function expectRoundTrip(value: unknown, what: string) {
      const back = await roundTrip(h.saver(), value);
      expect(back.writes, `${what}: the write`).toHaveLength(1);
      expectSameValue(back.channel, value, `${what} as a channel value`);
      expectSameValue(back.write, value, `${what} as a write`);
    }

    describe("size", () => {
      it("a 1 MB string", async () => {
        await expectRoundTrip(bigString(MB), "1 MB string");
      });

      it("a 10 MB string", async () => {
        await expectRoundTrip(bigString(10 * MB), "10 MB string");
      });

      it("1 MB of binary (Uint8Array)", async () => {
        await expectRoundTrip(bigBytes(MB), "1 MB Uint8Array");
      });

      it("10 MB of binary (Uint8Array)", async () => {
        await expectRoundTrip(bigBytes(10 * MB), "10 MB Uint8Array");
      });

      it("10,000 writes in one putWrites call, all returned in order", async () => {
        const saver = h.saver();
        const threadId = h.threadId();
        const { checkpoint, newVersions } = makeCheckpoint({ x: 1 });
        const config = await saver.put(
          threadConfig(threadId),
          checkpoint,
          makeMetadata(),
          newVersions,
        );
        const writes: PendingWrite[] = Array.from({ length: 10_000 }, (_, i) => [
          `ch-${i % 7}`,
          { i },
        ]);
        await saver.putWrites(config, writes, "task-1");
        const back = (await saver.getTuple(threadConfig(threadId)))?.pendingWrites ?? [];
        expect(back).toHaveLength(10_000);
        for (let i = 0; i < back.length; i++) {
          const [taskId, channel, value] = back[i]!;
          if (
            taskId !== "task-1" ||
            channel !== `ch-${i % 7}` ||
            (value as { i: number }).i !== i
          ) {
            expect(back[i], `write ${i}`).toEqual(["task-1", `ch-${i % 7}`, { i }]);
          }
        }
        await saver.deleteThread(threadId);
      });

      it("an object nested 500 levels deep", async () => {
        await expectRoundTrip(nested(500), "a 500-level object");
      });

      it("an array nested 500 levels deep", async () => {
        let value: unknown = ["bottom"];
        for (let i = 0; i < 500; i++) value = [i, value];
        await expectRoundTrip(value, "a 500-level array");
      });

      it("an object with 10,000 keys", async () => {
        const value = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`key-${i}`, i]));
        await expectRoundTrip(value, "a 10,000-key object");
      });
    });

    describe("serializer types", () => {
      const cases: [name: string, kind: keyof typeof SERIALIZER_SAMPLES & string][] = [
        ["plain JSON (strings, numbers, booleans, null, arrays)", "json"],
        ["Date, including an invalid Date", "dates"],
        ["Map with non-string keys", "maps"],
        ["Set", "sets"],
        ["BigInt, including huge and negative", "bigints"],
        ["Uint8Array, including empty", "bytes"],
        ["undefined as a property value and in arrays", "undefinedValues"],
        ["NaN, Infinity, -Infinity and -0", "specialNumbers"],
        ["Error with name, message, cause and custom fields", "errors"],
        ["TypeError", "typeError"],
        ["Error whose cause is a plain value", "errorWithValueCause"],
        ["RegExp with flags", "regexps"],
        ["URL", "urls"],
        ["unicode strings (emoji, RTL, combining marks, NUL, lone surrogates)", "unicode"],
        ["keys shaped like the serializer's tag ($sp, $$sp)", "tagKeys"],
        ["Maps, Sets, BigInts, Errors and more nested in each other", "nestedCombo"],
        ["empty containers", "emptyContainers"],
      ];
      for (const [name, kind] of cases) {
        it(name, async () => {
          await expectRoundTrip(SERIALIZER_SAMPLES[kind]!(), name);
        });
      }

      it("undefined as a write's whole value", async () => {
        const saver = h.saver();
        const threadId = h.threadId();
        const { checkpoint, newVersions } = makeCheckpoint({ x: 1 });
        const config = await saver.put(
          threadConfig(threadId),
          checkpoint,
          makeMetadata(),
          newVersions,
        );
        await saver.putWrites(
          config,
          [
            ["nothing", undefined],
            ["after", 1],
          ],
          "task-1",
        );
        const writes = (await saver.getTuple(threadConfig(threadId)))?.pendingWrites;
        expect(writes).toHaveLength(2);
        expect(writes?.[0]).toHaveLength(3);
        expect(writes?.[0]?.[2]).toBeUndefined();
        expect(Object.hasOwn(writes![0]!, 2)).toBe(true);
        expect(writes?.[1]).toEqual(["task-1", "after", 1]);
      });

      it("__proto__ comes back as an own key and pollutes no prototype", async () => {
        const value = SERIALIZER_SAMPLES.protoKey!() as Record<string, unknown>;
        expect(Object.hasOwn(value, "__proto__")).toBe(true);
        const back = await roundTrip(h.saver(), value);
        for (const got of [back.channel, back.write] as Record<string, unknown>[]) {
          expect(Object.hasOwn(got, "__proto__")).toBe(true);
          expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
          expect(Object.getOwnPropertyDescriptor(got, "__proto__")?.value).toEqual({
            polluted: true,
          });
          expect(differenceBetween(got, value)).toBeUndefined();
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(({} as Record<string, unknown>).x).toBeUndefined();
      });

      it("metadata with rich values comes back unchanged", async () => {
        const saver = h.saver();
        const threadId = h.threadId();
        const metadata = makeMetadata({
          note: 'unicode 👩‍💻 and "quotes" \\ backslash',
          when: "2024-01-01T00:00:00.000Z",
          nested: { list: [1, { deep: [true, null] }], empty: {} },
        });
        const { checkpoint, newVersions } = makeCheckpoint({ x: 1 });
        await saver.put(threadConfig(threadId), checkpoint, metadata, newVersions);
        expectSameValue(
          (await saver.getTuple(threadConfig(threadId)))?.metadata,
          metadata,
          "metadata",
        );
      });
    });
  });
}
