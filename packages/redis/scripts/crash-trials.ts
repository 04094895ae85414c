// Crash trials in bulk: the trials of test/crash/trial.ts, as many as asked.
//
//   node --conditions=@savepoint/source --import tsx scripts/crash-trials.ts [count] [--concurrency N] [--durability sync|async|mixed]
//
// Uses the Redis at REDIS_URL (default redis://127.0.0.1:6379) under a
// private key prefix it deletes afterwards. Prints the figures and exits 1
// if any trial failed a check.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { RedisSaver } from "../src/index.js";
import { runTrials, type TrialReport } from "../test/crash/trial.js";
import { deletePrefix, randomPrefix } from "../test/helpers.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    concurrency: { type: "string", default: "8" },
    durability: { type: "string", default: "mixed" },
  },
});
const count = Number(positionals[0] ?? 200);
const concurrency = Number(values.concurrency);
const durability = values.durability;
if (!(count > 0) || !(concurrency > 0) || !["sync", "async", "mixed"].includes(durability)) {
  console.error("usage: crash-trials.ts [count] [--concurrency N] [--durability sync|async|mixed]");
  process.exit(2);
}

const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = randomPrefix("crash-trials");
const dir = await mkdtemp(join(tmpdir(), "savepoint-crash-trials-"));
const client = new Redis(url);
const reader = new RedisSaver(client, { prefix });
const started = Date.now();
let done = 0;
const reports = await runTrials(
  count,
  concurrency,
  (i) => ({
    url,
    prefix,
    durability: durability === "mixed" ? (i % 2 === 0 ? "sync" : "async") : (durability as "sync"),
    dir,
    reader,
  }),
  (report) => {
    done++;
    if (report.failures.length > 0) console.log(`FAILED ${report.threadId}: ${report.failures}`);
    if (done % 25 === 0) console.log(`${done}/${count} trials`);
  },
);
await deletePrefix(client, prefix);
client.disconnect();
await rm(dir, { recursive: true, force: true });

function figures(label: string, group: TrialReport[]): void {
  if (group.length === 0) return;
  const killed = group.filter((r) => r.killed);
  const byPoint = new Map<number, number>();
  for (const r of killed)
    byPoint.set(r.executedBeforeKill, (byPoint.get(r.executedBeforeKill) ?? 0) + 1);
  const modes = new Map<string, number>();
  for (const r of group) modes.set(r.mode, (modes.get(r.mode) ?? 0) + 1);
  const withReruns = group.filter((r) => r.reruns.length > 0);
  console.log(`\n${label}: ${group.length} trials`);
  console.log(
    `  killed mid-run: ${killed.length}; finished before the kill came: ${group.length - killed.length}`,
  );
  console.log(
    `  killed after N task executions: ${[...byPoint.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([n, k]) => `${n}:${k}`)
      .join(" ")}`,
  );
  console.log(`  second process: ${[...modes.entries()].map(([m, k]) => `${m} ${k}`).join(", ")}`);
  console.log(
    `  results persisted at the kill: ${group.reduce((s, r) => s + r.persistedAtKill, 0)} in all, none re-run unless a failure says so`,
  );
  console.log(
    `  trials with a re-run: ${withReruns.length}; re-runs in all: ${group.reduce((s, r) => s + r.reruns.length, 0)}; max re-runs per trial: ${Math.max(0, ...group.map((r) => r.reruns.length))}`,
  );
  console.log(`  failures: ${group.filter((r) => r.failures.length > 0).length}`);
}

console.log(
  `\n${count} crash trials in ${((Date.now() - started) / 1000).toFixed(1)} s (concurrency ${concurrency})`,
);
figures(
  "sync durability",
  reports.filter((r) => r.durability === "sync"),
);
figures(
  "async durability (the default)",
  reports.filter((r) => r.durability === "async"),
);
const failed = reports.filter((r) => r.failures.length > 0);
for (const r of failed)
  console.log(`FAILED ${r.threadId} (${r.durability}): ${r.failures.join("; ")}`);
process.exit(failed.length > 0 ? 1 : 0);
