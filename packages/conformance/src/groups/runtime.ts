import {
  CheckpointNotFoundError,
  type CheckpointSaver,
  Command,
  entrypoint,
  getConfig,
  getPreviousState,
  getWriter,
  interrupt,
  isPaused,
  MissingThreadIdError,
  NoCheckpointerError,
  NothingToResumeError,
  ReplayDivergenceError,
  RunAbortedError,
  type StateSnapshot,
  TaskTimeoutError,
  task,
  UnknownInterruptIdError,
  UnserializableValueError,
} from "@savepoint/core";
import { describe, expect, it } from "vitest";
import { useHarness } from "../harness.js";
import type { SaverInitializer } from "../initializer.js";

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const chunk of iterable) out.push(chunk);
  return out;
}

async function history(iterable: AsyncIterable<StateSnapshot>): Promise<StateSnapshot[]> {
  return collect(iterable);
}

/** Wraps a saver to count the calls the runtime makes. */
function countingSaver(inner: CheckpointSaver) {
  const calls = { getTuple: 0, list: 0, put: 0, putWrites: 0 };
  const saver: CheckpointSaver = {
    serde: inner.serde,
    capabilities: inner.capabilities,
    getNextVersion: inner.getNextVersion?.bind(inner),
    getTuple: (config) => {
      calls.getTuple++;
      return inner.getTuple(config);
    },
    list: (config, options) => {
      calls.list++;
      return inner.list(config, options);
    },
    put: (config, checkpoint, metadata, versions, options) => {
      calls.put++;
      return inner.put(config, checkpoint, metadata, versions, options);
    },
    putWrites: (config, writes, taskId) => {
      calls.putWrites++;
      return inner.putWrites(config, writes, taskId);
    },
    deleteThread: (threadId) => inner.deleteThread(threadId),
  };
  return {
    saver,
    calls,
    reset() {
      for (const key of Object.keys(calls) as (keyof typeof calls)[]) calls[key] = 0;
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The seed's essay review, with a counter of how often the essay was written. */
function essayReview(checkpointer: CheckpointSaver) {
  const counts = { writeEssay: 0 };
  const writeEssay = task("writeEssay", async (topic: string) => {
    counts.writeEssay++;
    return `An essay about topic: ${topic}`;
  });
  const workflow = entrypoint({ name: "workflow", checkpointer }, async (topic: string) => {
    const essay = await writeEssay(topic);
    const isApproved = interrupt<{ essay: string; action: string }, boolean>({
      essay,
      action: "Please approve/reject the essay",
    });
    return { essay, isApproved };
  });
  return { workflow, counts };
}

/**
 * The "runtime" group: the runtime's end-to-end behaviour on this saver,
 * through `@savepoint/core` (the seed's examples, interrupts, failures,
 * retries, streams, state, time travel, a restart).
 *
 * @example
 * ```ts
 * runtimeGroup({ name: "MySaver", create: () => new MySaver() });
 * ```
 */
export function runtimeGroup(init: SaverInitializer): void {
  describe("runtime", () => {
    const h = useHarness(init);
    const config = (label?: string) => ({ configurable: { thread_id: h.threadId(label) } });

    describe("the seed's essay review", () => {
      it("streams the task, then the interrupt; on resume the replayed task, then the result", async () => {
        const { workflow, counts } = essayReview(h.saver());
        const cfg = config("essay");
        const first = await collect(workflow.stream("cat", cfg));
        expect(first).toHaveLength(2);
        expect(first[0]).toStrictEqual({ writeEssay: "An essay about topic: cat" });
        const paused = first[1] as { __interrupt__: { id: string; value: unknown }[] };
        expect(paused.__interrupt__).toHaveLength(1);
        expect(paused.__interrupt__[0]!.id).toMatch(/^[0-9a-f]{32}$/);
        expect(paused.__interrupt__[0]!.value).toStrictEqual({
          essay: "An essay about topic: cat",
          action: "Please approve/reject the essay",
        });
        const second = await collect(await workflow.stream(new Command({ resume: true }), cfg));
        expect(second).toStrictEqual([
          { writeEssay: "An essay about topic: cat" },
          { workflow: { essay: "An essay about topic: cat", isApproved: true } },
        ]);
        expect(counts.writeEssay).toBe(1);
      });

      it("invoke returns __interrupt__ while paused and the value when resumed", async () => {
        const { workflow, counts } = essayReview(h.saver());
        const cfg = config("essay-invoke");
        const paused = await workflow.invoke("dogs", cfg);
        expect(isPaused(paused)).toBe(true);
        const result = await workflow.invoke(new Command({ resume: false }), cfg);
        expect(result).toStrictEqual({ essay: "An essay about topic: dogs", isApproved: false });
        expect(counts.writeEssay).toBe(1);
      });

      it("a fresh saver instance (a restarted process) resumes a paused thread without re-running the task", async () => {
        const cfg = config("restart");
        const before = essayReview(h.saver());
        await before.workflow.invoke("cat", cfg);
        const after = essayReview(await h.fresh());
        const result = await after.workflow.invoke(new Command({ resume: true }), cfg);
        expect(result).toStrictEqual({ essay: "An essay about topic: cat", isApproved: true });
        expect(before.counts.writeEssay + after.counts.writeEssay).toBe(1);
      });
    });

    describe("storage round trips", () => {
      it("a resume that only replays writes one checkpoint; a run never re-reads what it wrote", async () => {
        const counted = countingSaver(h.saver());
        const { workflow } = essayReview(counted.saver);
        const cfg = config("round-trips");
        await workflow.invoke("cat", cfg);
        expect(counted.calls).toStrictEqual({ getTuple: 1, list: 0, put: 1, putWrites: 2 });
        counted.reset();
        await workflow.invoke(new Command({ resume: true }), cfg);
        expect(counted.calls).toStrictEqual({ getTuple: 1, list: 0, put: 1, putWrites: 0 });
      });

      it("resuming a run with many finished tasks costs the same number of calls as with one", async () => {
        const counts: Record<string, number>[] = [];
        for (const n of [1, 200]) {
          const counted = countingSaver(h.saver());
          const step = task("step", async (i: number) => i);
          const workflow = entrypoint({ name: "many", checkpointer: counted.saver }, async () => {
            for (let i = 0; i < n; i++) await step(i);
            const first = interrupt("first?");
            return [first, interrupt("second?")];
          });
          const cfg = config(`many-${n}`);
          await workflow.invoke("go", cfg);
          await workflow.invoke(new Command({ resume: 1 }), cfg);
          counted.reset();
          expect(await workflow.invoke(new Command({ resume: 2 }), cfg)).toStrictEqual([1, 2]);
          counts.push({ ...counted.calls });
        }
        expect(counts[1]).toStrictEqual(counts[0]);
      });
    });

    describe("two runs on one thread", () => {
      it("concurrent resumes that each need a new task: the task runs once, one run commits", async (ctx) => {
        const saver = h.saver();
        if (!saver.capabilities?.conditionalPut) {
          ctx.skip();
          return;
        }
        let charges = 0;
        const charge = task("charge", async (amount: number) => {
          charges++;
          await sleep(5);
          return `charged ${amount}`;
        });
        const workflow = entrypoint(
          { name: "checkout", checkpointer: saver },
          async (amount: number) => {
            const ok = interrupt<string, boolean>("confirm?");
            return ok ? charge(amount) : "cancelled";
          },
        );
        const cfg = config("double-submit");
        await workflow.invoke(10, cfg);
        const results = await Promise.allSettled(
          Array.from({ length: 8 }, () => workflow.invoke(new Command({ resume: true }), cfg)),
        );
        expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
        for (const r of results) {
          // Refused at its write, or too late to find the interrupt unanswered.
          if (r.status === "rejected") {
            expect(["THREAD_BUSY", "NOTHING_TO_RESUME"]).toContain(
              (r.reason as { code?: string }).code,
            );
          }
        }
        expect(charges).toBe(1);
        expect((await workflow.getState(cfg)).values).toBe("charged 10");
      });

      it("a new input while another run is under way: exactly one of them commits", async (ctx) => {
        const saver = h.saver();
        if (!saver.capabilities?.conditionalPut) {
          ctx.skip();
          return;
        }
        let release!: () => void;
        const gate = new Promise<void>((resolve) => {
          release = resolve;
        });
        const slow = task("slow", async (label: string) => {
          if (label === "first") await gate;
          return label;
        });
        const workflow = entrypoint(
          { name: "overlap", checkpointer: saver },
          async (label: string) => slow(label),
        );
        const cfg = config("overlap");
        const first = workflow.invoke("first", cfg);
        await sleep(20);
        const second = await workflow.invoke("second", cfg);
        release();
        const outcome = await first.then(
          () => "committed",
          (error: { code?: string }) => error.code,
        );
        expect(second).toBe("second");
        expect(outcome).toBe("CHECKPOINT_CONFLICT");
        expect((await workflow.getState(cfg)).values).toBe("second");
      });
    });

    describe("previous and final", () => {
      it("getPreviousState sees what the previous run returned (1, then 3)", async () => {
        const workflow = entrypoint({ name: "sum", checkpointer: h.saver() }, async (n: number) => {
          return n + (getPreviousState<number>() ?? 0);
        });
        const cfg = config("previous");
        expect(await workflow.invoke(1, cfg)).toBe(1);
        expect(await workflow.invoke(2, cfg)).toBe(3);
      });

      it("entrypoint.final returns one value and saves another (0, then 6)", async () => {
        const workflow = entrypoint(
          { name: "final", checkpointer: h.saver() },
          async (n: number) => {
            const previous = getPreviousState<number>();
            return entrypoint.final({ value: previous ?? 0, save: 2 * n });
          },
        );
        const cfg = config("final");
        expect(await workflow.invoke(3, cfg)).toBe(0);
        expect(await workflow.invoke(1, cfg)).toBe(6);
        expect((await workflow.getState(cfg)).values).toBe(6);
      });
    });

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
        const workflow = entrypoint({ name: "bad", checkpointer: h.saver() }, async () => bad());
        const error = await workflow.invoke("x", config("bad")).catch((e) => e);
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
        const workflow = entrypoint({ name: "retry", checkpointer: h.saver() }, async () =>
          flaky(),
        );
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
        const workflow = entrypoint({ name: "timeout", checkpointer: h.saver() }, async () =>
          slow(),
        );
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

    describe("interrupts", () => {
      it("two sequential interrupts are answered one resume at a time", async () => {
        let prepared = 0;
        const prepare = task("prepare", async () => ++prepared);
        const workflow = entrypoint({ name: "twoQuestions", checkpointer: h.saver() }, async () => {
          await prepare();
          const name = interrupt<string, string>("name?");
          const age = interrupt<string, number>("age?");
          return { name, age };
        });
        const cfg = config("sequential");
        const first = await workflow.invoke("go", cfg);
        expect(isPaused(first) && first.__interrupt__[0]!.value).toBe("name?");
        const second = await workflow.invoke(new Command({ resume: "Ada" }), cfg);
        expect(isPaused(second) && second.__interrupt__.map((i) => i.value)).toStrictEqual([
          "age?",
        ]);
        expect(await workflow.invoke(new Command({ resume: 36 }), cfg)).toStrictEqual({
          name: "Ada",
          age: 36,
        });
        expect(prepared).toBe(1);
      });

      it("interrupts raised by parallel tasks surface together and one resume map answers them all", async () => {
        const runs = { legal: 0, finance: 0 };
        const review = (who: "legal" | "finance") =>
          task(`review_${who}`, async (doc: string) => {
            runs[who]++;
            return interrupt<{ who: string; doc: string }, string>({ who, doc });
          });
        const legal = review("legal");
        const finance = review("finance");
        const workflow = entrypoint(
          { name: "reviews", checkpointer: h.saver() },
          async (doc: string) => {
            const [l, f] = await Promise.all([legal(doc), finance(doc)]);
            return { legal: l, finance: f };
          },
        );
        const cfg = config("parallel-interrupts");
        const paused = await workflow.invoke("contract.pdf", cfg);
        if (!isPaused(paused)) throw new Error("expected a pause");
        expect(paused.__interrupt__.map((i) => i.value)).toStrictEqual([
          { who: "legal", doc: "contract.pdf" },
          { who: "finance", doc: "contract.pdf" },
        ]);
        const state = await workflow.getState(cfg);
        expect(state.interrupts.map((i) => i.id)).toStrictEqual(
          paused.__interrupt__.map((i) => i.id),
        );
        const [l, f] = paused.__interrupt__;
        const result = await workflow.invoke(
          new Command({ resume: { [l!.id]: "ok", [f!.id]: "approved" } }),
          cfg,
        );
        expect(result).toStrictEqual({ legal: "ok", finance: "approved" });
        expect(runs).toStrictEqual({ legal: 2, finance: 2 });
      });

      it("a bare resume value answers the first pending interrupt; the rest stay pending", async () => {
        const ask = (q: string) => task(`ask_${q}`, async () => interrupt<string, string>(q));
        const askA = ask("a");
        const askB = ask("b");
        const workflow = entrypoint({ name: "bare", checkpointer: h.saver() }, async () =>
          Promise.all([askA(), askB()]),
        );
        const cfg = config("bare");
        await workflow.invoke("go", cfg);
        const still = await workflow.invoke(new Command({ resume: "A" }), cfg);
        expect(isPaused(still) && still.__interrupt__.map((i) => i.value)).toStrictEqual(["b"]);
        expect(await workflow.invoke(new Command({ resume: "B" }), cfg)).toStrictEqual(["A", "B"]);
      });

      it("a resume map naming an unknown interrupt id fails with UnknownInterruptIdError", async () => {
        const { workflow } = essayReview(h.saver());
        const cfg = config("unknown-id");
        await workflow.invoke("cat", cfg);
        const error = await workflow
          .invoke(new Command({ resume: { "0123456789abcdef0123456789abcdef": true } }), cfg)
          .catch((e) => e);
        expect(error).toBeInstanceOf(UnknownInterruptIdError);
        expect(error.pendingIds).toHaveLength(1);
      });
    });

    describe("streams", () => {
      it("custom mode yields what getWriter() wrote; an array of modes yields [mode, chunk] pairs", async () => {
        const step = task("step", async (n: number) => {
          getWriter()({ progress: n });
          return n;
        });
        const workflow = entrypoint({ name: "writer", checkpointer: h.saver() }, async () => {
          getWriter()("starting");
          await step(1);
          await step(2);
          return "done";
        });
        const custom = await collect(
          workflow.stream("go", { ...config("custom"), streamMode: "custom" }),
        );
        expect(custom).toStrictEqual(["starting", { progress: 1 }, { progress: 2 }]);
        const both = await collect(
          workflow.stream("go", { ...config("modes"), streamMode: ["updates", "custom"] }),
        );
        expect(both).toStrictEqual([
          ["custom", "starting"],
          ["custom", { progress: 1 }],
          ["updates", { step: 1 }],
          ["custom", { progress: 2 }],
          ["updates", { step: 2 }],
          ["updates", { writer: "done" }],
        ]);
      });

      it("values, tasks, checkpoints and debug modes describe the run", async () => {
        const double = task("double", async (n: number) => n * 2);
        const workflow = entrypoint({ name: "modes", checkpointer: h.saver() }, async (n: number) =>
          double(n),
        );
        expect(
          await collect(workflow.stream(4, { ...config("values"), streamMode: "values" })),
        ).toStrictEqual([8]);
        const tasks = (await collect(
          workflow.stream(4, { ...config("tasks"), streamMode: "tasks" }),
        )) as any[];
        expect(tasks).toMatchObject([
          { id: "0:double", name: "double", input: 4 },
          { id: "0:double", name: "double", result: 8, interrupts: [] },
        ]);
        const checkpoints = (await collect(
          workflow.stream(4, { ...config("checkpoints"), streamMode: "checkpoints" }),
        )) as StateSnapshot[];
        expect(checkpoints.map((c) => c.next)).toStrictEqual([["modes"], []]);
        expect(checkpoints[1]!.values).toBe(8);
        const debug = (await collect(
          workflow.stream(4, { ...config("debug"), streamMode: "debug" }),
        )) as any[];
        expect(debug.map((d) => d.type)).toStrictEqual([
          "checkpoint",
          "task",
          "task_result",
          "checkpoint",
        ]);
      });
    });

    describe("state and history", () => {
      it("getState shows the pending interrupt while paused, and the result when done", async () => {
        const { workflow } = essayReview(h.saver());
        const cfg = config("state");
        expect((await workflow.getState(cfg)).next).toStrictEqual([]);
        await workflow.invoke("cat", cfg);
        const paused = await workflow.getState(cfg);
        expect(paused.next).toStrictEqual(["workflow"]);
        expect(paused.tasks).toHaveLength(1);
        expect(paused.tasks[0]!.name).toBe("workflow");
        expect(paused.tasks[0]!.interrupts[0]!.value).toMatchObject({
          essay: "An essay about topic: cat",
        });
        expect(paused.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
        await workflow.invoke(new Command({ resume: true }), cfg);
        const done = await workflow.getState(cfg);
        expect(done.next).toStrictEqual([]);
        expect(done.tasks).toStrictEqual([]);
        expect(done.values).toStrictEqual({ essay: "An essay about topic: cat", isApproved: true });
        expect(done.parentConfig?.configurable?.checkpoint_id).toBeTypeOf("string");
      });

      it("getStateHistory lists the thread newest first, with limit", async () => {
        const { workflow } = essayReview(h.saver());
        const cfg = config("history");
        await workflow.invoke("cat", cfg);
        await workflow.invoke(new Command({ resume: true }), cfg);
        const all = await history(workflow.getStateHistory(cfg));
        // The first run claimed the thread to run its task and paused there; the
        // resume ran no new task, so its end checkpoint is its only one.
        expect(all.length).toBe(2);
        const ids = all.map((s) => s.config.configurable!.checkpoint_id!);
        expect([...ids].sort().reverse()).toStrictEqual(ids);
        expect(all.map((s) => s.metadata?.source)).toStrictEqual(["loop", "input"]);
        expect(all[0]!.parentConfig?.configurable?.checkpoint_id).toBe(ids[1]);
        expect(await history(workflow.getStateHistory(cfg, { limit: 1 }))).toHaveLength(1);
      });

      it("time travel: resuming from an earlier checkpoint forks a new branch without re-running tasks", async () => {
        const { workflow, counts } = essayReview(h.saver());
        const cfg = config("time-travel");
        await workflow.invoke("cat", cfg);
        expect(await workflow.invoke(new Command({ resume: false }), cfg)).toMatchObject({
          isApproved: false,
        });
        const pausedAt = (await history(workflow.getStateHistory(cfg))).find(
          (s) => s.interrupts.length > 0,
        );
        expect(pausedAt).toBeDefined();
        const fork = {
          configurable: {
            ...cfg.configurable,
            checkpoint_id: pausedAt!.config.configurable!.checkpoint_id,
          },
        };
        expect(await workflow.invoke(new Command({ resume: true }), fork)).toStrictEqual({
          essay: "An essay about topic: cat",
          isApproved: true,
        });
        expect(counts.writeEssay).toBe(1);
        expect((await workflow.getState(cfg)).values).toMatchObject({ isApproved: true });
        const missing = {
          configurable: {
            ...cfg.configurable,
            checkpoint_id: "00000000-0000-7000-8000-000000000000",
          },
        };
        await expect(workflow.invoke(null, missing)).rejects.toBeInstanceOf(
          CheckpointNotFoundError,
        );
      });
    });

    describe("durability", () => {
      for (const durability of ["sync", "async", "exit"] as const) {
        it(`"${durability}": a finished run is fully saved before invoke returns`, async () => {
          const saver = h.saver();
          const step = task("step", async (n: number) => n + 1);
          const workflow = entrypoint(
            { name: "durable", checkpointer: saver },
            async (n: number) => {
              const a = await step(n);
              return interrupt<number, number>(await step(a));
            },
          );
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
    });

    describe("errors", () => {
      it("a workflow with a checkpointer needs a thread_id (MissingThreadIdError)", async () => {
        const { workflow } = essayReview(h.saver());
        await expect(workflow.invoke("cat", {})).rejects.toBeInstanceOf(MissingThreadIdError);
      });

      it("interrupt() without a checkpointer fails with NoCheckpointerError", async () => {
        const workflow = entrypoint({ name: "noSaver" }, async () => interrupt("hello?"));
        await expect(workflow.invoke("x")).rejects.toBeInstanceOf(NoCheckpointerError);
        await expect(workflow.invoke(new Command({ resume: 1 }))).rejects.toBeInstanceOf(
          NoCheckpointerError,
        );
      });

      it("resuming a thread with nothing paused fails with NothingToResumeError", async () => {
        const { workflow } = essayReview(h.saver());
        const cfg = config("nothing");
        await expect(workflow.invoke(new Command({ resume: true }), cfg)).rejects.toBeInstanceOf(
          NothingToResumeError,
        );
        await workflow.invoke("cat", cfg);
        await workflow.invoke(new Command({ resume: true }), cfg);
        const error = await workflow.invoke(new Command({ resume: true }), cfg).catch((e) => e);
        expect(error).toBeInstanceOf(NothingToResumeError);
        expect(error.message).toContain("last run finished");
      });

      it("an aborted run stops with RunAbortedError and invoke(null) continues it later", async () => {
        const controller = new AbortController();
        const counts = { first: 0, second: 0 };
        const first = task("first", async () => {
          counts.first++;
          return 1;
        });
        const second = task("second", async () => {
          counts.second++;
          if (counts.second === 1) {
            controller.abort("shutting down");
            await sleep(50);
          }
          return 2;
        });
        const workflow = entrypoint({ name: "abortable", checkpointer: h.saver() }, async () => [
          await first(),
          await second(),
        ]);
        const cfg = config("abort");
        await expect(
          workflow.invoke("go", { ...cfg, signal: controller.signal }),
        ).rejects.toBeInstanceOf(RunAbortedError);
        expect(await workflow.invoke(null, cfg)).toStrictEqual([1, 2]);
        expect(counts.first).toBe(1);
      });
    });
  });
}
