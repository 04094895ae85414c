// The same workflows, written once against a library-shaped object, run on
// @langchain/langgraph and on Savepoint with only the imports changed; their
// results and stream chunks are compared. Where Savepoint differs on purpose,
// the test says so and checks both sides of the difference.
import * as lg from "@langchain/langgraph";
import * as sp from "@savepoint/core";
import { describe, expect, it } from "vitest";
import { MemorySaver } from "../src/index.js";

interface Lib {
  name: "langgraph" | "savepoint";
  entrypoint: any;
  task: any;
  interrupt: any;
  getPreviousState: any;
  Command: any;
  saver(): any;
}

const langgraph: Lib = {
  name: "langgraph",
  entrypoint: lg.entrypoint,
  task: lg.task,
  interrupt: lg.interrupt,
  getPreviousState: lg.getPreviousState,
  Command: lg.Command,
  saver: () => new lg.MemorySaver(),
};
const savepoint: Lib = {
  name: "savepoint",
  entrypoint: sp.entrypoint,
  task: sp.task,
  interrupt: sp.interrupt,
  getPreviousState: sp.getPreviousState,
  Command: sp.Command,
  saver: () => new MemorySaver(),
};

let threads = 0;
const config = () => ({ configurable: { thread_id: `compat-${++threads}` } });

// Interrupt ids are random per run in both libraries; LangGraph also adds
// `__metadata__` to replayed chunks. Compare everything else.
function normalize(chunk: any): any {
  if (chunk && typeof chunk === "object" && Array.isArray(chunk.__interrupt__)) {
    return { __interrupt__: chunk.__interrupt__.map((i: any) => ({ value: i.value })) };
  }
  if (chunk && typeof chunk === "object" && "__metadata__" in chunk) {
    const { __metadata__, ...rest } = chunk;
    return rest;
  }
  return chunk;
}

async function chunks(stream: any): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const chunk of await stream) out.push(normalize(chunk));
  return out;
}

function essay(lib: Lib) {
  const runs = { writeEssay: 0 };
  const writeEssay = lib.task("writeEssay", async (topic: string) => {
    runs.writeEssay++;
    return `An essay about topic: ${topic}`;
  });
  const workflow = lib.entrypoint(
    { checkpointer: lib.saver(), name: "workflow" },
    async (topic: string) => {
      const essay = await writeEssay(topic);
      const isApproved = lib.interrupt({ essay, action: "Please approve/reject the essay" });
      return { essay, isApproved };
    },
  );
  return { workflow, runs };
}

async function both<T>(
  scenario: (lib: Lib) => Promise<T>,
): Promise<{ langgraph: T; savepoint: T }> {
  return { langgraph: await scenario(langgraph), savepoint: await scenario(savepoint) };
}

describe("the same programs on @langchain/langgraph and on Savepoint", () => {
  it("the essay-review flow streams the same chunks, pause and resume", async () => {
    const out = await both(async (lib) => {
      const { workflow, runs } = essay(lib);
      const cfg = config();
      const first = await chunks(workflow.stream("cat", cfg));
      const second = await chunks(workflow.stream(new lib.Command({ resume: true }), cfg));
      return { first, second, runs: runs.writeEssay };
    });
    expect(out.savepoint).toStrictEqual(out.langgraph);
    expect(out.savepoint.second).toStrictEqual([
      { writeEssay: "An essay about topic: cat" },
      { workflow: { essay: "An essay about topic: cat", isApproved: true } },
    ]);
    expect(out.savepoint.runs).toBe(1);
  });

  it("invoke returns the same values (paused, then resumed)", async () => {
    const out = await both(async (lib) => {
      const { workflow } = essay(lib);
      const cfg = config();
      const paused = normalize(await workflow.invoke("dogs", cfg));
      const done = await workflow.invoke(new lib.Command({ resume: false }), cfg);
      return { paused, done };
    });
    expect(out.savepoint).toStrictEqual(out.langgraph);
  });

  it("previous: 1 then 3; entrypoint.final: 0 then 6", async () => {
    const out = await both(async (lib) => {
      const sum = lib.entrypoint({ checkpointer: lib.saver(), name: "sum" }, async (n: number) => {
        return n + (lib.getPreviousState() ?? 0);
      });
      const final = lib.entrypoint(
        { checkpointer: lib.saver(), name: "final" },
        async (n: number) => {
          const previous = lib.getPreviousState();
          return lib.entrypoint.final({ value: previous ?? 0, save: 2 * n });
        },
      );
      const a = config();
      const b = config();
      return [
        await sum.invoke(1, a),
        await sum.invoke(2, a),
        await final.invoke(3, b),
        await final.invoke(1, b),
      ];
    });
    expect(out.langgraph).toStrictEqual([1, 3, 0, 6]);
    expect(out.savepoint).toStrictEqual(out.langgraph);
  });

  it("two sequential interrupts give the same pauses and result", async () => {
    const out = await both(async (lib) => {
      const workflow = lib.entrypoint({ checkpointer: lib.saver(), name: "two" }, async () => {
        const a = lib.interrupt("first?");
        const b = lib.interrupt("second?");
        return [a, b];
      });
      const cfg = config();
      return [
        normalize(await workflow.invoke("go", cfg)),
        normalize(await workflow.invoke(new lib.Command({ resume: 1 }), cfg)),
        await workflow.invoke(new lib.Command({ resume: 2 }), cfg),
      ];
    });
    expect(out.savepoint).toStrictEqual(out.langgraph);
  });

  it("parallel tasks give the same updates and result", async () => {
    const out = await both(async (lib) => {
      const double = lib.task("double", async (n: number) => n * 2);
      const workflow = lib.entrypoint(
        { checkpointer: lib.saver(), name: "fanout" },
        async (ns: number[]) => Promise.all(ns.map((n) => double(n))),
      );
      return chunks(workflow.stream([1, 2, 3], config()));
    });
    expect(out.savepoint).toStrictEqual(out.langgraph);
  });

  it("DIFFERENCE: parallel interrupts — Savepoint surfaces all of them at once, LangGraph.js fewer", async () => {
    const out = await both(async (lib) => {
      const ask = (who: string) => lib.task(`ask_${who}`, async () => lib.interrupt(`${who}?`));
      const a = ask("legal");
      const b = ask("finance");
      const workflow = lib.entrypoint({ checkpointer: lib.saver(), name: "reviews" }, async () =>
        Promise.all([a(), b()]),
      );
      const paused = normalize(await workflow.invoke("go", config()));
      return paused.__interrupt__.map((i: { value: unknown }) => i.value);
    });
    expect(out.savepoint).toStrictEqual(["legal?", "finance?"]);
    expect(out.langgraph.length).toBeLessThan(2);
  });

  it("DIFFERENCE: a caught task error — Savepoint lets the entrypoint go on, LangGraph.js fails the run", async () => {
    const out = await both(async (lib) => {
      const fails = lib.task("fails", async () => {
        throw new Error("boom");
      });
      const workflow = lib.entrypoint({ checkpointer: lib.saver(), name: "catches" }, async () => {
        try {
          await fails();
          return "no error";
        } catch (error) {
          return `caught ${(error as Error).message}`;
        }
      });
      return workflow.invoke("go", config()).then(
        (value: unknown) => ({ value }),
        (error: Error) => ({ error: error.message }),
      );
    });
    expect(out.savepoint).toStrictEqual({ value: "caught boom" });
    expect(out.langgraph).toStrictEqual({ error: "boom" });
  });

  it("DIFFERENCE: values on replay — Savepoint gives a Map, Date and undefined back unchanged", async () => {
    const out = await both(async (lib) => {
      const make = lib.task("make", async () => ({
        when: new Date(0),
        tags: new Map([["a", 1]]),
        gone: undefined,
      }));
      const seen: unknown[] = [];
      const workflow = lib.entrypoint({ checkpointer: lib.saver(), name: "values" }, async () => {
        seen.push(await make());
        return lib.interrupt("ok?");
      });
      const cfg = config();
      await workflow.invoke("go", cfg);
      await workflow.invoke(new lib.Command({ resume: true }), cfg);
      return seen as any[];
    });
    const [first, replay] = out.savepoint;
    expect(replay).toStrictEqual(first);
    expect(replay.tags).toBeInstanceOf(Map);
    expect(replay.when).toBeInstanceOf(Date);
    expect(Object.hasOwn(replay, "gone")).toBe(true);
    // LangGraph.js hands back something else on replay than on the first run.
    const [lgFirst, lgReplay] = out.langgraph;
    expect(lgFirst.tags).toBeInstanceOf(Map);
    expect(lgReplay).not.toStrictEqual(lgFirst);
  });
});

describe("savers across libraries", () => {
  it("a LangGraph.js MemorySaver runs Savepoint workflows (without the conflict guarantee)", async () => {
    const saver = new lg.MemorySaver();
    const runs = { n: 0 };
    const writeEssay = sp.task("writeEssay", async (topic: string) => {
      runs.n++;
      return `An essay about topic: ${topic}`;
    });
    const workflow = sp.entrypoint(
      { name: "workflow", checkpointer: saver as any },
      async (topic: string) => {
        const essay = await writeEssay(topic);
        return { essay, isApproved: sp.interrupt({ essay }) };
      },
    );
    const cfg = config();
    expect(sp.isPaused(await workflow.invoke("cat", cfg))).toBe(true);
    expect(await workflow.invoke(new sp.Command({ resume: true }), cfg)).toStrictEqual({
      essay: "An essay about topic: cat",
      isApproved: true,
    });
    expect(runs.n).toBe(1);
    expect((await workflow.getState(cfg)).next).toStrictEqual([]);
  });

  it("a LangGraph.js MemorySaver carries a Savepoint run across several resumes", async () => {
    const saver = new lg.MemorySaver();
    const runs = { n: 0 };
    const prepare = sp.task("prepare", async () => ++runs.n);
    const workflow = sp.entrypoint({ name: "three", checkpointer: saver as any }, async () => {
      await prepare();
      return [sp.interrupt("a?"), sp.interrupt("b?"), sp.interrupt("c?")];
    });
    const cfg = config();
    await workflow.invoke("go", cfg);
    await workflow.invoke(new sp.Command({ resume: 1 }), cfg);
    await workflow.invoke(new sp.Command({ resume: 2 }), cfg);
    expect(await workflow.invoke(new sp.Command({ resume: 3 }), cfg)).toStrictEqual([1, 2, 3]);
    expect(runs.n).toBe(1);
  });

  it("Savepoint's MemorySaver runs LangGraph.js workflows", async () => {
    const { workflow, runs } = essay({ ...langgraph, saver: () => new MemorySaver() });
    const cfg = config();
    await workflow.invoke("cat", cfg);
    expect(await workflow.invoke(new lg.Command({ resume: true }), cfg)).toStrictEqual({
      essay: "An essay about topic: cat",
      isApproved: true,
    });
    expect(runs.writeEssay).toBe(1);
    const state = await workflow.getState(cfg);
    expect(state.values).toStrictEqual({ essay: "An essay about topic: cat", isApproved: true });
  });
});
