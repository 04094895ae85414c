import { describe, expect, it } from "vitest";
import * as core from "../src/index.js";

describe("errors", () => {
  it("every error class is a SavepointError with a code and a message that says what to do", () => {
    const samples: core.SavepointError[] = [
      new core.InvalidArgumentError("x"),
      new core.MissingThreadIdError("wf"),
      new core.NoCheckpointerError("wf", "interrupt()"),
      new core.OutsideWorkflowError("interrupt()"),
      new core.NothingToResumeError("t", "no checkpoints"),
      new core.UnknownInterruptIdError("t", "abc", ["def"]),
      new core.UnserializableValueError("Task", "$.x", "a function"),
      new core.CorruptValueError("bad"),
      new core.CheckpointConflictError("t", "a", "b"),
      new core.ThreadBusyError("t", "a", "b"),
      new core.CheckpointNotFoundError("t", "c"),
      new core.ReplayDivergenceError("t", "0", "a", "b"),
      new core.TaskTimeoutError("slow", 5),
      new core.RunAbortedError("wf", "bye"),
      new core.InvalidIdentifierError("thread_id", "", "non-empty"),
      new core.StorageUnavailableError("down"),
      new core.StorageError("failed"),
      new core.SchemaVersionError("newer"),
    ];
    const codes = new Set<string>();
    for (const error of samples) {
      expect(error).toBeInstanceOf(core.SavepointError);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe(error.constructor.name);
      expect(error.code).toMatch(/^[A-Z_]+$/);
      expect(error.message.length).toBeGreaterThan(0);
      codes.add(error.code);
    }
    expect(codes.size).toBe(samples.length);
    expect(new core.ThreadBusyError("t", "a", "b")).toBeInstanceOf(core.CheckpointConflictError);
  });

  it("runtime helpers called outside a workflow throw OutsideWorkflowError", async () => {
    expect(() => core.interrupt("x")).toThrow(core.OutsideWorkflowError);
    expect(() => core.getPreviousState()).toThrow(core.OutsideWorkflowError);
    expect(() => core.getWriter()).toThrow(core.OutsideWorkflowError);
    expect(() => core.getConfig()).toThrow(core.OutsideWorkflowError);
    const t = core.task("t", async () => 1);
    await expect(t()).rejects.toBeInstanceOf(core.OutsideWorkflowError);
  });

  it("bad options are rejected with InvalidArgumentError", () => {
    expect(() => core.task("", async () => 1)).toThrow(core.InvalidArgumentError);
    expect(() => core.task({ name: "t", retry: { maxAttempts: 0 } }, async () => 1)).toThrow(
      /maxAttempts/,
    );
    expect(() => core.task({ name: "t", timeout: -1 }, async () => 1)).toThrow(/timeout/);
    expect(() => core.entrypoint({ name: "" }, async () => 1)).toThrow(core.InvalidArgumentError);
  });

  it("an unknown stream mode or durability is rejected", async () => {
    const wf = core.entrypoint({ name: "wf" }, async (x: number) => x);
    const stream = wf.stream(1, { streamMode: "nope" as core.StreamMode });
    await expect(
      (async () => {
        for await (const _ of stream) {
          /* drain */
        }
      })(),
    ).rejects.toThrow(/streamMode/);
    await expect(wf.invoke(1, { durability: "later" as core.Durability })).rejects.toThrow(
      /durability/,
    );
  });

  it("a workflow without a checkpointer still runs, without persistence", async () => {
    const double = core.task("double", async (n: number) => n * 2);
    const wf = core.entrypoint({ name: "wf" }, async (n: number) => double(n));
    expect(await wf.invoke(4)).toBe(8);
  });
});
