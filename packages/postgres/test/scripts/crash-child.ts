// One process of a crash trial (see test/crash/trials.ts): a 20-task
// workflow on a PostgresSaver, killed by its parent at a random point, and
// continued by a second process.
//
//   crash-child.ts run      <source> <schema> <threadId> <log> <durability>
//   crash-child.ts continue <source> <schema> <threadId> <log> <durability>
//
// Each task appends "<index> <nonce>" to <log> before it returns, so the log
// counts executions; the nonce tells a replayed result from a re-run one.
// Lines on stdout: READY (the saver is open; the run starts now), then
// RUNMS <ms> (run: how long the run took after READY), PERSISTED <json>
// (continue: the task results found stored), KIND
// <before|mid|after> (continue: what the kill left) and RESULT <json>.
import { randomUUID } from "node:crypto";
import { appendFileSync } from "node:fs";
import { type Durability, entrypoint, task } from "@savepoint/core";
import { PostgresSaver } from "../../src/index.js";

const TASKS = 20;
const INPUT = 7;

const [mode, source, schema, threadId, log, durability] = process.argv.slice(2) as [
  "run" | "continue",
  string,
  string,
  string,
  string,
  Durability,
];

const saver = new PostgresSaver(source, { schema });
const config = { configurable: { thread_id: threadId }, durability };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const step = task("step", async (i: number, seed: number) => {
  await sleep(1 + ((i * 7 + seed) % 4));
  const nonce = randomUUID();
  appendFileSync(log, `${i} ${nonce}\n`);
  return { i, value: i * i + seed, nonce };
});

const workflow = entrypoint({ name: "crash", checkpointer: saver }, async (seed: number) => {
  const results: { i: number; value: number; nonce: string }[] = [];
  for (let i = 0; i < TASKS; i++) results.push(await step(i, seed));
  return results;
});

await saver.setup();
console.log("READY");
const ready = performance.now();

if (mode === "run") {
  const result = await workflow.invoke(INPUT, config);
  console.log(`RUNMS ${Math.round(performance.now() - ready)}`);
  console.log(`RESULT ${JSON.stringify(result)}`);
} else {
  const tuple = await saver.getTuple(config);
  const persisted: { i: number; nonce: string }[] = [];
  for (const [taskId, channel, value] of tuple?.pendingWrites ?? []) {
    if (channel !== "__return__" || !/^\d+:step$/.test(taskId)) continue;
    const { i, nonce } = value as { i: number; nonce: string };
    persisted.push({ i, nonce });
  }
  const state = tuple ? await workflow.getState(config) : undefined;
  const finished = state !== undefined && state.next.length === 0 && state.values !== undefined;
  if (finished) {
    for (const { i, nonce } of state.values as { i: number; nonce: string }[])
      persisted.push({ i, nonce });
  }
  console.log(`PERSISTED ${JSON.stringify(persisted)}`);
  let result: unknown;
  if (finished) {
    console.log("KIND after");
    result = state.values;
  } else {
    console.log(`KIND ${persisted.length === 0 ? "before" : "mid"}`);
    // Nothing stored at all: the run never claimed the thread; start it again.
    result = tuple ? await workflow.invoke(null, config) : await workflow.invoke(INPUT, config);
  }
  console.log(`RESULT ${JSON.stringify(result)}`);
}
await saver.close();
