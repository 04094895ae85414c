// The agent-approval demo. The first run calls the (fake) model, which asks to
// issue a refund; the agent pauses for a person to approve that tool call,
// prints what is pending and exits. The paused run is kept in
// .savepoint/agent (embedded Postgres, PGlite). A later run, in a new
// process, resumes it with the answer: the model's first reply is loaded
// from the checkpoint, not asked for again.
//
//   npm run demo                 # call the model, pause on the refund (in a terminal: asks right away)
//   npm run demo -- --approve    # resume in a new process: run the tool, then the final answer
//   npm run demo -- --reject     # ...or refuse the tool call
//   npm run demo                 # once finished: print the saved conversation
//   npm run demo -- --new        # forget everything and start over
//   npm run demo -- --json       # print each message as a JSON dump of all its fields
//   (--dir <path> keeps the data elsewhere, --thread <id> runs another conversation)
import { rmSync } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import type { BaseMessage } from "@langchain/core/messages";
import { Command, type Interrupt, isPaused } from "@savepoint/core";
import { PostgresSaver } from "@savepoint/postgres";
import { type AgentResult, type ApprovalRequest, agent, type Decision } from "./agent.js";
import { printJson, printMessage } from "./report.js";

const { values: flags } = parseArgs({
  options: {
    approve: { type: "boolean" },
    reject: { type: "boolean" },
    reason: { type: "string" },
    new: { type: "boolean" },
    request: { type: "string", default: "Please refund order A-1001, it arrived broken." },
    thread: { type: "string", default: "agent-approval-demo" },
    dir: { type: "string" },
    json: { type: "boolean" },
  },
});

// npm and pnpm run scripts from the package folder; keep the data where the user typed the command.
const home = process.env.INIT_CWD ?? process.cwd();
const dataDir = resolve(home, flags.dir ?? ".savepoint/agent");
printJson(flags.json ?? false);
const config = { configurable: { thread_id: flags.thread! } };
const given: Decision | undefined = flags.approve
  ? { approved: true }
  : flags.reject
    ? { approved: false, ...(flags.reason ? { reason: flags.reason } : {}) }
    : undefined;

function isMessage(value: unknown): value is BaseMessage {
  return typeof value === "object" && value !== null && "content" in value && "lc_kwargs" in value;
}

/** Prints a stream chunk, one line per message in it. */
function show(chunk: unknown): void {
  if (isPaused(chunk)) {
    console.log(`  paused ${JSON.stringify(chunk.__interrupt__)}`);
    return;
  }
  for (const [name, value] of Object.entries(chunk as Record<string, unknown>)) {
    if (isMessage(value)) printMessage(`  chunk ${name}`, value);
    else if (name === "agent") showResult(value as AgentResult, "  chunk agent");
    else console.log(`  chunk ${name} ${JSON.stringify(value)}`);
  }
}

function showResult(result: AgentResult, label: string): void {
  result.messages.forEach((message, i) => {
    printMessage(`${label} messages[${i}]`, message);
  });
  console.log(`${label} answer ${JSON.stringify(result.answer)}`);
}

function showPending(request: ApprovalRequest): void {
  console.log(`\n----- tool call waiting for approval -----`);
  console.log(`  tool: ${request.tool}`);
  console.log(`  args: ${JSON.stringify(request.args)}`);
  console.log(`  id:   ${request.toolCallId}`);
  console.log(`------------------------------------------`);
}

async function ask(request: ApprovalRequest): Promise<Decision | undefined> {
  if (given !== undefined) return given;
  if (!process.stdin.isTTY || process.env.CI) return undefined;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const reply = (
      await rl.question(`${request.question} [a]pprove / [r]eject / Enter to stop here: `)
    ).trim();
    if (/^a/i.test(reply)) return { approved: true };
    if (/^r/i.test(reply)) return { approved: false };
    return undefined;
  } finally {
    rl.close();
  }
}

function explainHowToResume(pending: Interrupt[]): void {
  console.log(
    `\nThe run is paused on ${pending.length} interrupt(s) and saved. This process can exit now.`,
  );
  console.log("Resume it later, from a new process:");
  console.log("  npm run demo -- --approve     (or --reject)");
}

async function main(): Promise<void> {
  if (flags.new) rmSync(dataDir, { recursive: true, force: true });
  const saver = new PostgresSaver(dataDir);
  console.log(
    `Savepoint agent-approval demo — saver: ${dataDir} (PGlite), thread "${flags.thread}"`,
  );
  try {
    const workflow = agent(saver);
    const state = await workflow.getState(config);
    let pending: Interrupt[] = state.interrupts;

    if (pending.length > 0) {
      console.log(`\nFound a paused run (saved ${state.createdAt}).`);
    } else if (state.values !== undefined) {
      console.log(`\nThis thread is finished (saved ${state.createdAt}). getState().values:`);
      showResult(state.values as AgentResult, "  state");
      console.log("Start over with --new (or use another --thread).");
      return;
    } else {
      console.log(`\nStarting a new run: agent.stream(${JSON.stringify(flags.request)}, config)`);
      for await (const chunk of workflow.stream(flags.request, config)) {
        show(chunk);
        if (isPaused(chunk)) pending = chunk.__interrupt__;
      }
    }

    while (pending.length > 0) {
      const request = pending[0]!.value as ApprovalRequest;
      showPending(request);
      const decision = await ask(request);
      if (decision === undefined) return explainHowToResume(pending);
      console.log(`\nResuming: new Command({ resume: ${JSON.stringify(decision)} })`);
      pending = [];
      for await (const chunk of workflow.stream(new Command({ resume: decision }), config)) {
        show(chunk);
        if (isPaused(chunk)) pending = chunk.__interrupt__;
      }
    }
    const done = await workflow.getState(config);
    console.log(`\nDone. The agent answered: ${(done.values as AgentResult).answer}`);
  } finally {
    await saver.close();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exitCode = 1;
});
