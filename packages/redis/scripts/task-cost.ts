// What a task write, a checkpoint and a read cost against a real Redis: the
// figures behind "a task write never touches channel values".
//
//   node --conditions=@savepoint/source --import tsx scripts/task-cost.ts [tasks] [steps]
//
// A thread of `steps` checkpoints (default 200) whose "messages" channel grows
// by one ~200-byte message per step and whose "profile" channel (~20 kB) is
// written once, then `tasks` (default 5000) task writes of one small value
// each, one at a time. Prints the mean latency of each call, the commands a
// task write sends, and the bytes the checkpoints occupy (MEMORY USAGE of the
// thread's keys); getTuple and the bytes are measured before the task writes.
// Uses REDIS_URL (default redis://127.0.0.1:6379) under a private key prefix
// it deletes afterwards.
import { performance } from "node:perf_hooks";
import type { Checkpoint, RunnableConfig } from "@savepoint/core";
import { newCheckpointId } from "@savepoint/core";
import { Redis } from "ioredis";
import { RedisSaver, threadKeys } from "../src/index.js";
import { recordCommands } from "../test/behaviour/context.js";
import { deletePrefix, randomPrefix } from "../test/helpers.js";

const tasks = Number(process.argv[2] ?? 5000);
const steps = Number(process.argv[3] ?? 200);
const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = randomPrefix("task-cost");
const client = new Redis(url);
const saver = new RedisSaver(client, { prefix });
const threadId = "task-cost";

const profile = { bio: "x".repeat(20_000) };
const messages: string[] = [];
let config: RunnableConfig = { configurable: { thread_id: threadId, checkpoint_ns: "" } };
let versions: Record<string, string | number> = {};
let putTotal = 0;
for (let step = 0; step < steps; step++) {
  messages.push(`message ${step} `.padEnd(200, "."));
  const newVersions: Record<string, string | number> = {
    messages: saver.getNextVersion(versions.messages as never),
  };
  if (step === 0) newVersions.profile = saver.getNextVersion(undefined);
  versions = { ...versions, ...newVersions };
  const checkpoint: Checkpoint = {
    v: 4,
    id: newCheckpointId(),
    ts: new Date().toISOString(),
    channel_values: { messages: [...messages], profile },
    channel_versions: { ...versions },
    versions_seen: {},
  };
  const started = performance.now();
  config = await saver.put(config, checkpoint, { source: "loop", step, parents: {} }, newVersions);
  putTotal += performance.now() - started;
}

let readTotal = 0;
const reads = 200;
for (let i = 0; i < reads; i++) {
  const started = performance.now();
  await saver.getTuple(config);
  readTotal += performance.now() - started;
}

let bytes = 0;
for (const key of threadKeys(prefix, threadId).all) {
  bytes += Number((await client.call("MEMORY", "USAGE", key, "SAMPLES", "0")) ?? 0);
}

const recorder = recordCommands(client);
let writeTotal = 0;
for (let i = 0; i < tasks; i++) {
  const started = performance.now();
  await saver.putWrites(config, [["result", { i, text: "done" }]], `task-${i}`);
  writeTotal += performance.now() - started;
}
recorder.stop();
const perTask = recorder.names.length / tasks;

const commands = [...new Set(recorder.names)].join(", ");
console.log(`task write: ${((writeTotal / tasks) * 1000).toFixed(0)} µs mean over ${tasks}`);
console.log(`            ${perTask} command(s) each (${commands})`);
console.log(`checkpoint: ${((putTotal / steps) * 1000).toFixed(0)} µs mean over ${steps} puts`);
console.log(`getTuple:   ${((readTotal / reads) * 1000).toFixed(0)} µs mean over ${reads}`);
console.log(`thread:     ${(bytes / 1024 / 1024).toFixed(2)} MiB in Redis (${steps} checkpoints)`);
await deletePrefix(client, prefix);
client.disconnect();
