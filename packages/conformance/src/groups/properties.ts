import {
  type CheckpointSaver,
  defaultSerializer,
  InvalidIdentifierError,
  type PendingWrite,
} from "@savepoint/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loneSurrogateString, pollutingShape, storableValue } from "../fixtures/arbitraries.js";
import { listAll, makeCheckpoint, makeMetadata, threadConfig } from "../fixtures/checkpoints.js";
import { differenceBetween } from "../fixtures/equality.js";
import { useHarness } from "../harness.js";
import type { SaverInitializer } from "../initializer.js";

/**
 * The seed of every property in the group, so a run is reproducible; on a
 * failure fast-check prints it with the path of the shrunk counterexample.
 *
 * @example
 * ```ts
 * fc.assert(property, { seed: PROPERTY_SEED, numRuns: 20 });
 * ```
 */
export const PROPERTY_SEED = 20_261_124;

const BATCHES = 20;
const BATCH_SIZE = 500;

/**
 * `fc.assert` on the group's seed, with the property's own error on the
 * first line of a failure, then fast-check's report (seed, path, the shrunk
 * counterexample) to replay it. The retention group's properties use it too.
 */
export async function assertProperty<T>(
  property: fc.IAsyncProperty<T>,
  numRuns: number,
): Promise<void> {
  try {
    await fc.assert(property, { seed: PROPERTY_SEED, numRuns, includeErrorInReport: true });
  } catch (error) {
    const report = error instanceof Error ? error.message : String(error);
    const got = /Got error: (?:Error: )?(.*)/.exec(report)?.[1] ?? "a property failed";
    throw new Error(`${got} (fast-check seed ${PROPERTY_SEED})\n${report}`, { cause: error });
  }
}

// What own keys the built-in prototypes have, to see that nothing was added.
function prototypeKeys(): string[] {
  return [Object.prototype, Array.prototype, Map.prototype, Function.prototype].flatMap((p) =>
    Reflect.ownKeys(p).map(String),
  );
}

/**
 * The "properties" group: property-based checks with fast-check, on a fixed
 * seed. 10,000 generated values of every kind the default serializer
 * supports (JSON, Date, Map, Set, BigInt, Uint8Array, undefined,
 * NaN/±Infinity/-0, sparse arrays, null-prototype objects, keys such as
 * `"__proto__"` and `"$sp"`, astral strings) come back from `putWrites` +
 * `getTuple` exactly, and equal to what `canonicalize` gives; thread ids
 * with a lone surrogate are always refused; and no stored shape pollutes a
 * prototype.
 *
 * @example
 * ```ts
 * import { propertiesGroup } from "@savepoint/conformance";
 * propertiesGroup({ name: "MySaver", create: () => new MySaver() });
 * ```
 */
export function propertiesGroup(init: SaverInitializer): void {
  describe("properties", () => {
    const h = useHarness(init);

    // Puts `values` as one task's writes (and `channels` as checkpoint
    // values), reads the checkpoint back, deletes the thread.
    async function throughSaver(
      saver: CheckpointSaver,
      values: readonly unknown[],
      channels: Record<string, unknown> = { x: 1 },
      metadata: Record<string, unknown> = {},
    ) {
      const threadId = h.threadId("property");
      const { checkpoint, newVersions } = makeCheckpoint(channels);
      const config = await saver.put(
        threadConfig(threadId),
        checkpoint,
        makeMetadata(metadata),
        newVersions,
      );
      const writes: PendingWrite[] = values.map((v, i) => [`v${i}`, v]);
      await saver.putWrites(config, writes, "task-property");
      const tuple = await saver.getTuple(threadConfig(threadId, "", checkpoint.id));
      await saver.deleteThread(threadId);
      const back = tuple?.pendingWrites ?? [];
      if (back.length !== values.length) {
        throw new Error(`wrote ${values.length} values, read back ${back.length} writes`);
      }
      back.forEach(([taskId, channel], i) => {
        if (taskId !== "task-property" || channel !== `v${i}`)
          throw new Error(`write ${i} came back as [${taskId}, ${channel}]`);
      });
      return { writes: back.map((w) => w[2]), tuple };
    }

    it(`${BATCHES * BATCH_SIZE} generated values round-trip exactly through putWrites and getTuple, equal to canonicalize`, async () => {
      const saver = h.saver();
      let checked = 0;
      await assertProperty(
        fc.asyncProperty(
          fc.array(storableValue, { minLength: BATCH_SIZE, maxLength: BATCH_SIZE }),
          async (values) => {
            const canonical = values.map((v) => defaultSerializer.canonicalize(v));
            const { writes } = await throughSaver(saver, values);
            for (let i = 0; i < values.length; i++) {
              const diff =
                differenceBetween(writes[i], values[i]) ??
                differenceBetween(writes[i], canonical[i]);
              if (diff) throw new Error(`value ${i} of the batch did not round-trip: ${diff}`);
              checked++;
            }
          },
        ),
        BATCHES,
      );
      expect(checked, "values checked").toBeGreaterThanOrEqual(BATCHES * BATCH_SIZE);
    });

    it("thread ids with a lone surrogate are always refused with InvalidIdentifierError", async () => {
      const saver = h.saver();
      const { checkpoint, newVersions } = makeCheckpoint({ x: 1 });
      await assertProperty(
        fc.asyncProperty(loneSurrogateString, async (threadId) => {
          const ops: [string, () => Promise<unknown>][] = [
            [
              "put",
              () => saver.put(threadConfig(threadId), checkpoint, makeMetadata(), newVersions),
            ],
            ["getTuple", () => saver.getTuple(threadConfig(threadId))],
            ["list", () => listAll(saver, threadConfig(threadId))],
            [
              "putWrites",
              () => saver.putWrites(threadConfig(threadId, "", checkpoint.id), [["x", 1]], "t"),
            ],
            ["deleteThread", () => saver.deleteThread(threadId)],
          ];
          for (const [method, op] of ops) {
            const error = await op().then(
              () => undefined,
              (e: unknown) => e,
            );
            if (!(error instanceof InvalidIdentifierError))
              throw new Error(`${method} did not refuse the thread id: got ${String(error)}`);
          }
        }),
        200,
      );
    });

    it("no stored shape pollutes a prototype: __proto__ and constructor.prototype keys come back as own data", async () => {
      const saver = h.saver();
      const before = prototypeKeys();
      await assertProperty(
        fc.asyncProperty(
          fc.array(pollutingShape, { minLength: 50, maxLength: 50 }),
          async (shapes) => {
            const channels = Object.fromEntries(shapes.slice(0, 5).map((s, i) => [`c${i}`, s]));
            const { writes, tuple } = await throughSaver(saver, shapes, channels, {
              poison: shapes[0],
            });
            const probe = {} as Record<string, unknown>;
            if (probe.polluted !== undefined || probe.isAdmin !== undefined)
              throw new Error("Object.prototype was polluted");
            const after = prototypeKeys();
            if (after.join("\n") !== before.join("\n"))
              throw new Error(
                `a built-in prototype has new keys: ${after.filter((k) => !before.includes(k)).join(", ")}`,
              );
            for (let i = 0; i < shapes.length; i++) {
              const diff = differenceBetween(writes[i], shapes[i]);
              if (diff) throw new Error(`shape ${i} as a write did not round-trip: ${diff}`);
            }
            for (const [channel, value] of Object.entries(channels)) {
              const diff = differenceBetween(tuple?.checkpoint.channel_values[channel], value);
              if (diff) throw new Error(`channel ${channel} did not round-trip: ${diff}`);
            }
            const diff = differenceBetween(tuple?.metadata?.poison, shapes[0]);
            if (diff) throw new Error(`the metadata did not round-trip: ${diff}`);
          },
        ),
        20,
      );
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(prototypeKeys()).toStrictEqual(before);
    });
  });
}
