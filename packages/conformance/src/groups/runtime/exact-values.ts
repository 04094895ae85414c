import {
  Command,
  entrypoint,
  interrupt,
  isSavepointSerializer,
  type SavepointError,
  task,
  UnserializableValueError,
} from "@savepoint/core";
import { describe, expect, it } from "vitest";
import type { RuntimeContext } from "./context.js";

function nestedDeep(depth: number): Record<string, unknown> {
  let node: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < depth; i++) node = { child: node };
  return node;
}

/**
 * Values the default serializer would change are refused, naming the task
 * and the path, or kept exactly, the same on the first run and on replay:
 * built-in subclasses, sparse arrays, null-prototype objects, values nested
 * too deep, Buffers.
 */
export function exactValueTests({ h, config }: RuntimeContext): void {
  describe("values kept exactly", () => {
    // Runs `make` as a task, pauses, resumes: what the entrypoint saw on the first run and on replay.
    async function firstRunAndReplay(label: string, make: () => unknown): Promise<unknown[]> {
      let runs = 0;
      const produce = task(`produce_${label}`, async () => {
        runs++;
        return make();
      });
      const seen: unknown[] = [];
      const workflow = entrypoint({ name: `exact_${label}`, checkpointer: h.saver() }, async () => {
        seen.push(await produce());
        interrupt("pause");
        return "done";
      });
      const cfg = config(label);
      await workflow.invoke("go", cfg);
      expect(await workflow.invoke(new Command({ resume: 1 }), cfg)).toBe("done");
      expect(runs, `task "produce_${label}" runs`).toBe(1);
      expect(seen).toHaveLength(2);
      return seen;
    }

    it("a Map subclass returned by a task is refused with UnserializableValueError naming the task and the path", async () => {
      class Registry extends Map<string, number> {}
      const makeRegistry = task("makeRegistry", async () => ({
        ok: 1,
        registry: new Registry([["a", 1]]),
      }));
      const saver = h.saver();
      const workflow = entrypoint({ name: "mapSubclass", checkpointer: saver }, () =>
        makeRegistry(),
      );
      const error = await workflow.invoke("go", config("map-subclass")).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      if (!isSavepointSerializer(saver.serde)) return; // refused in that serializer's own words
      expect(error).toBeInstanceOf(UnserializableValueError);
      expect((error as SavepointError).code).toBe("UNSERIALIZABLE_VALUE");
      expect((error as Error).message).toContain('task "makeRegistry"');
      expect((error as UnserializableValueError).path).toBe("$.registry");
    });

    it("a sparse array keeps its holes, and a null-prototype object no prototype, on the first run and on replay", async () => {
      const seen = (await firstRunAndReplay("sparse", () => {
        const bare = Object.create(null) as Record<string, unknown>;
        bare.x = 1;
        // biome-ignore lint/suspicious/noSparseArray: the hole is the point
        return { arr: [1, , 3], bare };
      })) as { arr: unknown[]; bare: Record<string, unknown> }[];
      for (const [i, value] of seen.entries()) {
        const when = i === 0 ? "first run" : "replay";
        expect(value.arr.length, when).toBe(3);
        expect(1 in value.arr, `${when}: the hole is still a hole`).toBe(false);
        expect([value.arr[0], value.arr[2]], when).toStrictEqual([1, 3]);
        expect(Object.getPrototypeOf(value.bare), `${when}: no prototype`).toBeNull();
        expect(Object.keys(value.bare), when).toStrictEqual(["x"]);
        expect(value.bare.x, when).toBe(1);
      }
    });

    it("a value nested 3000 levels deep returned by a task is an UnserializableValueError naming the task, also in getState", async () => {
      const deep = task("deepValue", async () => nestedDeep(3000));
      const saver = h.saver();
      const workflow = entrypoint({ name: "deepWorkflow", checkpointer: saver }, () => deep());
      const cfg = config("deep-value");
      const error = await workflow.invoke("go", cfg).catch((e: unknown) => e);
      // The messages below are Savepoint's serializer's; another one refuses in its own words.
      const ours = isSavepointSerializer(saver.serde);
      expect(error).toBeInstanceOf(Error);
      if (ours) {
        expect(error).not.toBeInstanceOf(RangeError);
        expect(error).toBeInstanceOf(UnserializableValueError);
        expect((error as Error).message).toContain('task "deepValue"');
      }
      const state = await workflow.getState(cfg);
      const failed = state.tasks.filter((t) => t.error !== undefined);
      expect(failed.length, "tasks with an error in getState").toBeGreaterThan(0);
      for (const t of failed) {
        expect(t.error, `the error of ${t.id} in getState`).toBeInstanceOf(Error);
        if (ours) expect((t.error as Error).message, t.id).toContain('task "deepValue"');
      }
      expect(failed.some((t) => t.name === "deepValue")).toBe(true);
    });

    it("a Buffer comes back a Buffer, on the first run and on replay", async () => {
      const seen = await firstRunAndReplay("buffer", () => ({
        buf: Buffer.from("bytes \u0000\u00ff"),
      }));
      for (const [i, value] of (seen as { buf: Buffer }[]).entries()) {
        const when = i === 0 ? "first run" : "replay";
        expect(Buffer.isBuffer(value.buf), `${when}: a Buffer`).toBe(true);
        expect(value.buf.toString(), when).toBe("bytes \u0000\u00ff");
      }
    });
  });
}
