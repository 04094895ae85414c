// Runs the demo as a user would, in separate processes on one PGlite data
// directory: the first process calls the model and pauses on the tool call;
// a second one resumes it with the person's answer. The second process must
// not call the model again for the first turn, and must get back the very
// messages the first one produced: real AIMessage / ToolMessage instances
// with the same content, tool_calls, id and metadata. Every process prints
// its messages as JSON dumps (--json), and a line whenever a task body runs.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { FINAL_ANSWER, REFUND_CALL } from "../src/models.js";
import type { MessageDump } from "../src/report.js";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "savepoint-agent-"));

/** One process of the demo; it must exit by itself (with code 0) within 60 s. */
async function demo(...args: string[]): Promise<string> {
  const { stdout } = await run(
    "npx",
    [
      "tsx",
      "--conditions=@savepoint/source",
      "src/main.ts",
      "--dir",
      join(dir, "data"),
      "--json",
    ].concat(args),
    {
      cwd: new URL("..", import.meta.url).pathname,
      env: { ...process.env, INIT_CWD: dir, CI: "true" },
      timeout: 240_000,
      killSignal: "SIGKILL",
    },
  );
  return stdout;
}

/** The task bodies that ran in a process ("callModel ran: toolCaller", …). */
function taskRuns(stdout: string): string[] {
  return stdout
    .split("\n")
    .filter((line) => line.startsWith("[task] ") && line.includes(" ran: "))
    .map((line) => line.slice("[task] ".length));
}

/** The message dumps printed after `label` (one per matching line, in order). */
function dumps(stdout: string, label: string): MessageDump[] {
  return stdout
    .split("\n")
    .filter((line) => line.startsWith(`${label} `))
    .map((line) => JSON.parse(line.slice(label.length + 1)) as MessageDump);
}

/** The conversation the agent returned, as printed by `prefix` ("  chunk agent", "  state"). */
function conversation(stdout: string, prefix: string): MessageDump[] {
  return [0, 1, 2, 3].flatMap((i) => dumps(stdout, `${prefix} messages[${i}]`));
}

const FIELDS = [
  "content",
  "tool_calls",
  "id",
  "additional_kwargs",
  "response_metadata",
  "usage_metadata",
] as const;

/** `replayed` is the same kind of message as `original`, field for field. */
function expectSameMessage(replayed: MessageDump | undefined, original: MessageDump): void {
  expect(replayed).toBeDefined();
  expect(replayed!.class).toBe(original.class);
  expect(replayed!.instanceOf).toEqual(original.instanceOf);
  for (const field of FIELDS) expect(replayed!.fields[field]).toEqual(original.fields[field]);
  expect(replayed!.fields).toEqual(original.fields); // and every other own field (lc_kwargs, …)
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the agent-approval demo", () => {
  it("pauses on the tool call in one process; --approve in another runs the tool without calling the model again for the first turn", async () => {
    // Process 1: the model asks for the refund; the run pauses for approval.
    const first = await demo("--thread", "approved");
    expect(taskRuns(first)).toEqual(["callModel ran: toolCaller"]);
    const [produced, ...more] = dumps(first, "[task] callModel produced");
    expect(more).toEqual([]);
    expect(produced!.class).toBe("AIMessage");
    expect(produced!.instanceOf.AIMessage).toBe(true);
    expect(produced!.fields.tool_calls).toEqual([REFUND_CALL]);
    expect(produced!.fields.id).toMatch(/^chatcmpl-/);
    expect(produced!.fields.usage_metadata).toMatchObject({ total_tokens: expect.any(Number) });
    expect(produced!.fields.response_metadata).toMatchObject({ finish_reason: "tool_calls" });
    expect(first).toContain(
      `"value":{"question":"The agent wants to call refund. Approve this tool call?","tool":"refund","args":${JSON.stringify(REFUND_CALL.args)},"toolCallId":"call-1"}`,
    );
    expect(first).toContain("tool: refund");
    expect(first).toContain("npm run demo -- --approve");
    expect(first).not.toContain("Done.");

    // Process 2: approve. The tool runs, then the model for the final answer only.
    const second = await demo("--thread", "approved", "--approve");
    expect(second).toContain("Found a paused run");
    expect(taskRuns(second)).toEqual(["runTool ran: refund", "callModel ran: answerer"]);
    // The first turn's reply, loaded from the checkpoint: streamed, and in the result.
    const [replayed, answered] = dumps(second, "  chunk callModel");
    expectSameMessage(replayed, produced!);
    const messages = conversation(second, "  chunk agent");
    expect(messages.map((m) => m.class)).toEqual([
      "HumanMessage",
      "AIMessage",
      "ToolMessage",
      "AIMessage",
    ]);
    expectSameMessage(messages[1], produced!);
    const [toolResult] = dumps(second, "[task] runTool produced");
    expect(toolResult!.instanceOf.ToolMessage).toBe(true);
    expect(toolResult!.fields).toMatchObject({
      tool_call_id: "call-1",
      name: "refund",
      status: "success",
      content: JSON.stringify({
        refundId: "R-A-1001",
        orderId: "A-1001",
        amountCents: 4200,
        status: "issued",
      }),
    });
    expectSameMessage(messages[2], toolResult!);
    const [final] = dumps(second, "[task] callModel produced");
    expect(final!.fields.content).toBe(FINAL_ANSWER);
    expect(final!.fields.id).not.toBe(produced!.fields.id);
    expectSameMessage(answered, final!);
    expectSameMessage(messages[3], final!);
    expect(second).toContain(`Done. The agent answered: ${FINAL_ANSWER}`);

    // Process 3: the finished thread, read back: no task runs, the same four messages.
    const third = await demo("--thread", "approved");
    expect(third).toContain("This thread is finished");
    expect(taskRuns(third)).toEqual([]);
    const saved = conversation(third, "  state");
    expect(saved).toHaveLength(4);
    saved.forEach((message, i) => {
      expectSameMessage(message, messages[i]!);
    });
    expect(third).toContain(`  state answer ${JSON.stringify(FINAL_ANSWER)}`);
  }, 600_000);

  it("--reject in a new process refuses the tool call: no tool runs and the model is not called again", async () => {
    const first = await demo("--thread", "rejected");
    expect(taskRuns(first)).toEqual(["callModel ran: toolCaller"]);
    const [produced] = dumps(first, "[task] callModel produced");

    const second = await demo("--thread", "rejected", "--reject", "--reason", "over the limit");
    expect(second).toContain("Found a paused run");
    expect(taskRuns(second)).toEqual([]);
    const messages = conversation(second, "  chunk agent");
    expect(messages.map((m) => m.class)).toEqual([
      "HumanMessage",
      "AIMessage",
      "ToolMessage",
      "AIMessage",
    ]);
    expectSameMessage(messages[1], produced!);
    expect(messages[2]!.instanceOf.ToolMessage).toBe(true);
    expect(messages[2]!.fields).toMatchObject({
      tool_call_id: "call-1",
      status: "error",
      content: "Rejected by the reviewer: over the limit",
    });
    const answer =
      "I did not call refund: a reviewer rejected the tool call: over the limit. Nothing was changed.";
    expect(messages[3]!.instanceOf.AIMessage).toBe(true);
    expect(messages[3]!.fields.content).toBe(answer);
    expect(second).toContain(`Done. The agent answered: ${answer}`);
  }, 600_000);
});
