import {
  type CheckpointSaver,
  Command,
  entrypoint,
  interrupt,
  isPaused,
  UnserializableValueError,
} from "@savepoint/core";
import { describe, expect, it } from "vitest";
import type { RuntimeContext } from "./context.js";

// An approval flow that records every input it starts with and every answer
// its interrupt gets.
function approvalFlow(checkpointer: CheckpointSaver) {
  const inputs: unknown[] = [];
  const answers: unknown[] = [];
  const workflow = entrypoint({ name: "approval", checkpointer }, async (input: unknown) => {
    inputs.push(input);
    const approved = interrupt<string, unknown>("approve the payment?");
    answers.push(approved);
    return { input, approved };
  });
  return { workflow, inputs, answers };
}

/**
 * Only a real `Command` resumes: data shaped like one (a LangGraph
 * `{ lg_name: "Command", resume }` from JSON, a bare `{ resume }`, an
 * instance of some other class named Command) is a new run's input, and
 * never answers the paused run's interrupt.
 */
export function commandTests({ h, config }: RuntimeContext): void {
  describe("commands", () => {
    const shaped: [label: string, make: () => Record<string, unknown>][] = [
      ['{ lg_name: "Command", resume: true }', () => ({ lg_name: "Command", resume: true })],
      [
        "JSON.parse of a LangGraph Command",
        () => JSON.parse('{"lg_name":"Command","resume":true}'),
      ],
      ["{ resume: true }", () => ({ resume: true })],
    ];
    for (const [label, make] of shaped) {
      it(`${label} is a new run's input, not a resume`, async () => {
        const flow = approvalFlow(h.saver());
        const cfg = config("command-shaped");
        const paused = await flow.workflow.invoke("pay 100", cfg);
        expect(isPaused(paused)).toBe(true);
        const data = make();
        const next = await flow.workflow.invoke(data, cfg);
        // A new run, paused on its own approval: nothing was approved.
        expect(isPaused(next), "the run after the Command-shaped input").toBe(true);
        expect(flow.inputs).toStrictEqual(["pay 100", { ...data }]);
        expect(flow.answers, "answers the interrupt got").toStrictEqual([]);
        const state = await flow.workflow.getState(cfg);
        expect(state.interrupts.map((i) => i.value)).toStrictEqual(["approve the payment?"]);
        // The data was the input: the real answer resumes the run it started.
        expect(await flow.workflow.invoke(new Command({ resume: "no" }), cfg)).toStrictEqual({
          input: { ...data },
          approved: "no",
        });
        expect(flow.answers).toStrictEqual(["no"]);
      });
    }

    it("an instance of another class named Command (class Command { resume = true }) is input, not a resume", async () => {
      // (One that also carries LangGraph's lg_name is not used here: the
      // serializer may take it for LangGraph's own Command class and
      // remember that class for the rest of the process.)
      const Impostor = class Command {
        resume = true;
      };
      const impostor = new Impostor();
      expect(impostor.constructor.name).toBe("Command");
      const flow = approvalFlow(h.saver());
      const cfg = config("command-impostor");
      const paused = await flow.workflow.invoke("pay 100", cfg);
      if (!isPaused(paused)) throw new Error("expected a pause");
      // Taken as input, which cannot be saved (a class instance): refused before it starts.
      const error = await flow.workflow.invoke(impostor, cfg).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnserializableValueError);
      expect(flow.inputs).toStrictEqual(["pay 100"]);
      expect(flow.answers, "answers the interrupt got").toStrictEqual([]);
      // The original pause is untouched: it still waits on the same interrupt.
      const state = await flow.workflow.getState(cfg);
      expect(state.interrupts.map((i) => i.id)).toStrictEqual(
        paused.__interrupt__.map((i) => i.id),
      );
      expect(await flow.workflow.invoke(new Command({ resume: "no" }), cfg)).toStrictEqual({
        input: "pay 100",
        approved: "no",
      });
      expect(flow.answers).toStrictEqual(["no"]);
    });

    it("a real Command from @savepoint/core resumes", async () => {
      const flow = approvalFlow(h.saver());
      const cfg = config("command-real");
      await flow.workflow.invoke("pay 100", cfg);
      expect(await flow.workflow.invoke(new Command({ resume: true }), cfg)).toStrictEqual({
        input: "pay 100",
        approved: true,
      });
      expect(flow.inputs).toStrictEqual(["pay 100", "pay 100"]);
      expect(flow.answers).toStrictEqual([true]);
    });
  });
}
