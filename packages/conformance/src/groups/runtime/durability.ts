import {
  type CheckpointSaver,
  Command,
  entrypoint,
  getConfig,
  interrupt,
  isPaused,
  isSavepointSerializer,
  task,
} from "@savepoint/core";
import { describe, expect, it } from "vitest";
import type { RuntimeContext } from "./context.js";

/** The "sync", "async" and "exit" durability modes. */
export function durabilityTests({ h, config }: RuntimeContext): void {
  describe("durability", () => {
    for (const durability of ["sync", "async", "exit"] as const) {
      it(`"${durability}": a finished run is fully saved before invoke returns`, async () => {
        const saver = h.saver();
        const step = task("step", async (n: number) => n + 1);
        const workflow = entrypoint({ name: "durable", checkpointer: saver }, async (n: number) => {
          const a = await step(n);
          return interrupt<number, number>(await step(a));
        });
        const cfg = { ...config(`durability-${durability}`), durability };
        const paused = await workflow.invoke(1, cfg);
        expect(isPaused(paused) && paused.__interrupt__[0]!.value).toBe(3);
        const tuple = await saver.getTuple(cfg);
        const results = (tuple?.pendingWrites ?? []).filter(
          ([, channel]) => channel === "__return__",
        );
        expect(results.map(([taskId, , value]) => [taskId, value])).toStrictEqual([
          ["0:step", 2],
          ["1:step", 3],
        ]);
        expect(await workflow.invoke(new Command({ resume: 10 }), cfg)).toBe(10);
      });
    }

    it('"sync" saves each task before the next one starts', async () => {
      const saver = h.saver();
      const seenBySecond: unknown[] = [];
      const first = task("first", async () => "saved");
      const second = task("second", async () => {
        const tuple = await saver.getTuple(getConfig());
        seenBySecond.push(...(tuple?.pendingWrites ?? []).map(([taskId]) => taskId));
        return "ok";
      });
      const workflow = entrypoint({ name: "syncMode", checkpointer: saver }, async () => [
        await first(),
        await second(),
      ]);
      await workflow.invoke("go", { ...config("sync"), durability: "sync" });
      expect(seenBySecond).toContain("0:first");
    });

    it('"async": the task writes of one turn go together, and a pause stores them with its interrupts', async () => {
      const { saver, calls } = countingWrites(h.saver());
      const step = task("step", async (n: number) => n + 1);
      const workflow = entrypoint({ name: "batched", checkpointer: saver }, async (n: number) => {
        const sums = await Promise.all([step(n), step(n + 10), step(n + 20)]);
        return interrupt<number[], number>(sums);
      });
      const cfg = config("batched");
      const paused = await workflow.invoke(1, cfg);
      expect(isPaused(paused) && paused.__interrupt__[0]!.value).toStrictEqual([2, 12, 22]);
      const sent = [...calls.batches.flat(), ...calls.single];
      expect(sent.sort()).toStrictEqual(["0:step", "1:step", "2:step", ":batched"]);
      if (typeof saver.putWritesBatch !== "function") expect(calls.batches).toStrictEqual([]);
      else if (isSavepointSerializer(saver.serde)) {
        // One step: the three results and the interrupts. (Another serializer
        // copies each result in a promise of its own, so they settle in
        // different turns and may go in several batches.)
        expect(calls.batches).toStrictEqual([["0:step", "1:step", "2:step", ":batched"]]);
        expect(calls.single).toStrictEqual([]);
      }
      const tuple = await saver.getTuple(cfg);
      const channels = (tuple?.pendingWrites ?? []).map(
        ([taskId, channel]) => `${taskId} ${channel}`,
      );
      expect(channels.sort()).toStrictEqual([
        "0:step __return__",
        "1:step __return__",
        "2:step __return__",
        ":batched __interrupt__",
      ]);
      expect(await workflow.invoke(new Command({ resume: 5 }), cfg)).toBe(5);
    });

    it('"async": sequential tasks that settle in one turn are one batch before the run returns', async () => {
      const { saver, calls } = countingWrites(h.saver());
      const step = task("step", async (n: number) => n + 1);
      const workflow = entrypoint(
        { name: "sequential", checkpointer: saver },
        async (n: number) => {
          let total = n;
          for (let i = 0; i < 5; i++) total = await step(total);
          return total;
        },
      );
      const cfg = config("sequential");
      expect(await workflow.invoke(0, cfg)).toBe(5);
      const sent = [...calls.batches.flat(), ...calls.single];
      expect(sent.sort()).toStrictEqual(["0:step", "1:step", "2:step", "3:step", "4:step"]);
      // In one turn only when each result is copied synchronously (Savepoint's serializer).
      if (typeof saver.putWritesBatch === "function" && isSavepointSerializer(saver.serde))
        expect(calls.batches).toHaveLength(1);
      // Every result is attached to the claim, the final checkpoint's parent.
      const final = await saver.getTuple(cfg);
      const claim = final?.parentConfig && (await saver.getTuple(final.parentConfig));
      const results = (claim?.pendingWrites ?? []).map(([taskId, , value]) => [taskId, value]);
      expect(results).toStrictEqual([
        ["0:step", 1],
        ["1:step", 2],
        ["2:step", 3],
        ["3:step", 4],
        ["4:step", 5],
      ]);
    });
  });
}

/**
 * `saver` behind a proxy that records the task ids of every `putWrites`
 * carrying writes (`single`) and of every `putWritesBatch` (`batches`, one
 * list per call); lease renewals (no writes) are left out.
 */
function countingWrites(saver: CheckpointSaver) {
  const calls = { single: [] as string[], batches: [] as string[][] };
  const proxy = new Proxy(saver, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (prop === "putWrites")
        return (...args: Parameters<CheckpointSaver["putWrites"]>) => {
          if (args[1].length > 0) calls.single.push(args[2]);
          return value.apply(target, args);
        };
      if (prop === "putWritesBatch")
        return (...args: Parameters<NonNullable<CheckpointSaver["putWritesBatch"]>>) => {
          calls.batches.push(args[1].map((entry) => entry.taskId));
          return value.apply(target, args);
        };
      return value.bind(target);
    },
  });
  return { saver: proxy, calls };
}
