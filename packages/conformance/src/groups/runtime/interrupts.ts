import {
  Command,
  entrypoint,
  interrupt,
  isPaused,
  task,
  UnknownInterruptIdError,
} from "@savepoint/core";
import { describe, expect, it } from "vitest";
import { essayReview } from "../../fixtures/workflows.js";
import type { RuntimeContext } from "./context.js";

/** Interrupts: sequential, parallel, bare resume values, unknown ids. */
export function interruptTests({ h, config }: RuntimeContext): void {
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
      expect(isPaused(second) && second.__interrupt__.map((i) => i.value)).toStrictEqual(["age?"]);
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
}
