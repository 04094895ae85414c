import {
  Command,
  entrypoint,
  interrupt,
  isSavepointSerializer,
  ReplayDivergenceError,
  TaskTimeoutError,
  task,
  UnserializableValueError,
} from "@savepoint/core";
import { describe, expect, it } from "vitest";
import { sleep } from "../../fixtures/workflows.js";
import type { RuntimeContext } from "./context.js";

/** Tasks: parallel and nested calls, values on replay, failures, retries, timeouts, divergence. */
export function taskTests({ h, config }: RuntimeContext): void {
  describe("tasks", () => {
    it("parallel tasks all run once and their results come back in call order", async () => {
      let calls = 0;
      const square = task("square", async (n: number) => {
        calls++;
        await sleep(5 - n);
        return n * n;
      });
      const workflow = entrypoint(
        { name: "parallel", checkpointer: h.saver() },
        async (ns: number[]) => {
          const squares = await Promise.all(ns.map((n) => square(n)));
          interrupt("check");
          return squares;
        },
      );
      const cfg = config("parallel");
      await workflow.invoke([1, 2, 3, 4], cfg);
      expect(await workflow.invoke(new Command({ resume: "ok" }), cfg)).toStrictEqual([
        1, 4, 9, 16,
      ]);
      expect(calls).toBe(4);
    });

    it("a task called inside a task is saved and replayed too", async () => {
      const counts = { inner: 0, outer: 0 };
      const inner = task("inner", async (x: number) => {
        counts.inner++;
        return x + 1;
      });
      const outer = task("outer", async (x: number) => {
        counts.outer++;
        return (await inner(x)) * 10;
      });
      const workflow = entrypoint(
        { name: "nested", checkpointer: h.saver() },
        async (x: number) => {
          const value = await outer(x);
          return { value, answer: interrupt("go?") };
        },
      );
      const cfg = config("nested");
      await workflow.invoke(1, cfg);
      expect(await workflow.invoke(new Command({ resume: "yes" }), cfg)).toStrictEqual({
        value: 20,
        answer: "yes",
      });
      expect(counts).toStrictEqual({ inner: 1, outer: 1 });
    });

    it("a task's value is identical on first run and on replay, for every supported type", async () => {
      const rich = task("rich", async () => ({
        date: new Date("2026-01-02T03:04:05.678Z"),
        map: new Map<unknown, unknown>([
          [1, "one"],
          ["k", { nested: new Set([1n]) }],
        ]),
        set: new Set(["a", "b"]),
        big: 12345678901234567890n,
        bytes: new Uint8Array([0, 1, 254, 255]),
        missing: undefined,
        list: [undefined, Number.NaN, -0, Number.POSITIVE_INFINITY],
        error: new TypeError("bad", { cause: new Error("root") }),
        pattern: /a+b/gi,
        url: new URL("https://example.com/a?b=c"),
      }));
      const seen: unknown[] = [];
      const workflow = entrypoint({ name: "rich", checkpointer: h.saver() }, async () => {
        const value = await rich();
        seen.push(value);
        interrupt("pause");
        return "done";
      });
      const cfg = config("rich");
      await workflow.invoke("go", cfg);
      await workflow.invoke(new Command({ resume: 1 }), cfg);
      expect(seen).toHaveLength(2);
      const [first, replay] = seen as Record<string, any>[];
      expect(replay).toStrictEqual(first);
      expect(replay!.date).toBeInstanceOf(Date);
      expect(replay!.map.get(1)).toBe("one");
      expect(replay!.map.get("k").nested.has(1n)).toBe(true);
      expect(replay!.bytes).toBeInstanceOf(Uint8Array);
      expect(Object.hasOwn(replay!, "missing")).toBe(true);
      expect(Object.is(replay!.list[2], -0)).toBe(true);
      expect(Number.isNaN(replay!.list[1])).toBe(true);
      expect(replay!.error).toBeInstanceOf(TypeError);
      expect(replay!.error.cause.message).toBe("root");
      expect(replay!.pattern.flags).toBe("gi");
      expect(replay!.url.href).toBe("https://example.com/a?b=c");
    });

    it("a task value that cannot be saved is rejected, naming the task and the path", async () => {
      const bad = task("makeBad", async () => ({ ok: 1, nested: { callback: () => 1 } }));
      const saver = h.saver();
      const workflow = entrypoint({ name: "bad", checkpointer: saver }, async () => bad());
      const error = await workflow.invoke("x", config("bad")).catch((e) => e);
      // Another serializer refuses in its own words: the run fails with its error.
      expect(error).toBeInstanceOf(Error);
      if (!isSavepointSerializer(saver.serde)) return;
      expect(error).toBeInstanceOf(UnserializableValueError);
      expect(error.message).toContain('task "makeBad"');
      expect(error.path).toBe("$.nested.callback");
    });

    it("a caught task error is saved: a replay rethrows the same error without re-running the task", async () => {
      let runs = 0;
      const fails = task("fails", async () => {
        runs++;
        throw new RangeError("out of range");
      });
      const seen: unknown[] = [];
      const workflow = entrypoint({ name: "caught", checkpointer: h.saver() }, async () => {
        try {
          await fails();
        } catch (error) {
          seen.push(error);
        }
        return interrupt("after the error");
      });
      const cfg = config("caught");
      await workflow.invoke("go", cfg);
      expect(await workflow.invoke(new Command({ resume: "fine" }), cfg)).toBe("fine");
      expect(runs).toBe(1);
      expect(seen).toHaveLength(2);
      expect(seen[1]).toBeInstanceOf(RangeError);
      expect((seen[1] as Error).message).toBe("out of range");
    });

    it("invoke(null) continues a run that failed, re-running only the task that failed", async () => {
      const counts = { first: 0, flaky: 0 };
      const first = task("first", async () => {
        counts.first++;
        return "one";
      });
      const flaky = task("flaky", async () => {
        counts.flaky++;
        if (counts.flaky === 1) throw new Error("transient outage");
        return "two";
      });
      const workflow = entrypoint(
        { name: "resumeAfterFailure", checkpointer: h.saver() },
        async () => {
          return [await first(), await flaky()];
        },
      );
      const cfg = config("failure");
      await expect(workflow.invoke("go", cfg)).rejects.toThrow("transient outage");
      const failed = await workflow.getState(cfg);
      expect(failed.next).toStrictEqual(["resumeAfterFailure"]);
      expect(
        failed.tasks.some((t) => (t.error as Error | undefined)?.message === "transient outage"),
      ).toBe(true);
      expect(await workflow.invoke(null, cfg)).toStrictEqual(["one", "two"]);
      expect(counts).toStrictEqual({ first: 1, flaky: 2 });
    });

    it("a retry policy re-runs a failing task up to maxAttempts, only for errors retryOn accepts", async () => {
      let attempts = 0;
      const flaky = task(
        { name: "flaky", retry: { maxAttempts: 3, initialInterval: 1, jitter: false } },
        async () => {
          attempts++;
          if (attempts < 3) throw new Error(`attempt ${attempts}`);
          return attempts;
        },
      );
      const workflow = entrypoint({ name: "retry", checkpointer: h.saver() }, async () => flaky());
      expect(await workflow.invoke("go", config("retry"))).toBe(3);

      let picky = 0;
      const notRetried = task(
        {
          name: "picky",
          retry: {
            maxAttempts: 5,
            initialInterval: 1,
            retryOn: (e) => !(e instanceof TypeError),
          },
        },
        async () => {
          picky++;
          throw new TypeError("not worth retrying");
        },
      );
      const second = entrypoint({ name: "retry2", checkpointer: h.saver() }, async () =>
        notRetried(),
      );
      await expect(second.invoke("go", config("retry2"))).rejects.toThrow("not worth retrying");
      expect(picky).toBe(1);
    });

    it("a task that outlives its timeout fails with TaskTimeoutError", async () => {
      const slow = task({ name: "slow", timeout: 20 }, () => sleep(500).then(() => "late"));
      const workflow = entrypoint({ name: "timeout", checkpointer: h.saver() }, async () => slow());
      const error = await workflow.invoke("go", config("timeout")).catch((e) => e);
      expect(error).toBeInstanceOf(TaskTimeoutError);
      expect(error.message).toContain('"slow"');
    });

    it("replay stops with ReplayDivergenceError when the code calls a different task at a recorded position", async () => {
      let useOther = false;
      let otherRan = false;
      const a = task("chargeCard", async () => "charged");
      const b = task("sendEmail", async () => {
        otherRan = true;
        return "sent";
      });
      const workflow = entrypoint({ name: "diverge", checkpointer: h.saver() }, async () => {
        const first = useOther ? await b() : await a();
        return [first, interrupt("confirm")];
      });
      const cfg = config("diverge");
      await workflow.invoke("go", cfg);
      useOther = true;
      const error = await workflow.invoke(new Command({ resume: true }), cfg).catch((e) => e);
      expect(error).toBeInstanceOf(ReplayDivergenceError);
      expect(error.message).toContain('"chargeCard"');
      expect(error.message).toContain('"sendEmail"');
      expect(error.position).toBe("0");
      expect(otherRan).toBe(false);
    });
  });
}
