// The essay-review demo. The first run writes an essay, pauses for review and
// exits; the paused run is kept in .savepoint/ (embedded Postgres, PGlite).
// A later run, in a new process, resumes it with the reviewer's answer: the
// essay is loaded from the checkpoint, not written again.
//
//   npm run demo                 # write, pause (in a terminal: asks right away)
//   npm run demo -- --approve    # resume in a new process (or --reject)
//   npm run demo -- --new        # forget the paused run and start over
//   npm run demo -- --url postgresql://postgres@127.0.0.1:5432/test   # real Postgres
//   npm run demo -- --memory     # in-memory saver (nothing survives the process)
//   npm run demo -- --inbox      # the review inbox on 127.0.0.1, with reviews in every state
import { rmSync } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { type CheckpointSaver, Command, type Interrupt, isPaused } from "@savepoint/core";
import { MemorySaver } from "@savepoint/memory";
import { PostgresSaver } from "@savepoint/postgres";
import { inboxDemo } from "./inbox-demo.js";
import { essayReview, essayRuns, type ReviewRequest } from "./workflow.js";

const { values: flags } = parseArgs({
  options: {
    approve: { type: "boolean" },
    reject: { type: "boolean" },
    new: { type: "boolean" },
    topic: { type: "string", default: "cat" },
    thread: { type: "string", default: "essay-review-demo" },
    url: { type: "string" },
    dir: { type: "string" },
    memory: { type: "boolean" },
    inbox: { type: "boolean" },
    port: { type: "string", default: "0" },
  },
});

// npm and pnpm run scripts from the package folder; keep the data where the user typed the command.
const home = process.env.INIT_CWD ?? process.cwd();
const dataDir = resolve(home, flags.dir ?? ".savepoint/pglite");
const config = { configurable: { thread_id: flags.thread! } };
const answer = flags.approve ? true : flags.reject ? false : undefined;

function openSaver(): { saver: CheckpointSaver; where: string; close(): Promise<void> } {
  if (flags.memory)
    return {
      saver: new MemorySaver(),
      where: "memory (lost when this process exits)",
      close: async () => {},
    };
  const saver = new PostgresSaver(flags.url ?? dataDir);
  const where = flags.url
    ? flags.url.replace(/(\/\/[^:/@]*:)[^@]*@/, "$1***@")
    : `${dataDir} (PGlite)`;
  return { saver, where, close: () => saver.close() };
}

function show(label: string, chunk: unknown): void {
  console.log(`${label} ${JSON.stringify(chunk)}`);
}

async function ask(request: ReviewRequest): Promise<boolean | undefined> {
  if (answer !== undefined) return answer;
  if (!process.stdin.isTTY || process.env.CI) return undefined;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    console.log(`\n----- essay for review -----\n${request.essay}\n----------------------------`);
    const reply = (
      await rl.question(`${request.action} [a]pprove / [r]eject / Enter to stop here: `)
    ).trim();
    if (/^a/i.test(reply)) return true;
    if (/^r/i.test(reply)) return false;
    return undefined;
  } finally {
    rl.close();
  }
}

async function resume(saver: CheckpointSaver, value: boolean): Promise<void> {
  const before = essayRuns.count;
  console.log(`\nResuming with ${value ? "approve" : "reject"} (Command({ resume: ${value} })):`);
  for await (const chunk of essayReview(saver).stream(new Command({ resume: value }), config)) {
    show("  chunk", chunk);
    if (chunk && typeof chunk === "object" && "writeEssay" in chunk && essayRuns.count === before) {
      console.log(
        "        ^ writeEssay was loaded from the checkpoint; the task did not run again.",
      );
    }
  }
  const state = await essayReview(saver).getState(config);
  console.log(`\nDone. getState().values = ${JSON.stringify(state.values)}`);
}

function explainHowToResume(pending: Interrupt[]): void {
  console.log(
    `\nThe run is paused on ${pending.length} interrupt(s) and saved. This process can exit now.`,
  );
  console.log("Resume it later, from a new process:");
  console.log("  npm run demo -- --approve     (or --reject)");
}

async function main(): Promise<void> {
  if (flags.inbox) {
    return inboxDemo({
      dataDir: resolve(home, flags.dir ?? ".savepoint/inbox-pglite"),
      port: Number(flags.port),
    });
  }
  if (flags.new && !flags.url && !flags.memory) rmSync(dataDir, { recursive: true, force: true });
  const { saver, where, close } = openSaver();
  console.log(`Savepoint essay-review demo — saver: ${where}, thread "${flags.thread}"`);
  try {
    const workflow = essayReview(saver);
    const state = await workflow.getState(config);
    if (state.interrupts.length > 0 && !flags.new) {
      console.log(`\nFound a paused run (saved ${state.createdAt}); the reviewer is asked:`);
      show("  interrupt", state.interrupts[0]!.value);
      const value = await ask(state.interrupts[0]!.value as ReviewRequest);
      if (value === undefined) return explainHowToResume(state.interrupts);
      return await resume(saver, value);
    }

    console.log(`\nStarting a new run: workflow.stream(${JSON.stringify(flags.topic)}, config)`);
    let pending: Interrupt[] = [];
    for await (const chunk of workflow.stream(flags.topic, config)) {
      show("  chunk", chunk);
      if (isPaused(chunk)) pending = chunk.__interrupt__;
    }
    if (pending.length === 0) return;
    const value = await ask(pending[0]!.value as ReviewRequest);
    if (value === undefined) return explainHowToResume(pending);
    await resume(saver, value);
  } finally {
    await close();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exitCode = 1;
});
