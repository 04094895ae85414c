import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import type { Durability } from "@savepoint/core";
import type { RedisSaver } from "../../src/index.js";
import { collect } from "../helpers.js";
import { outcomeOf, spawnScript } from "../spawn.js";
import { CRASH_TASKS, expectedOutput, taskResult } from "./workflow.js";

// One crash trial: the 20-task workflow runs in a child process that is
// killed with SIGKILL at a random point (after a random number of task
// executions, plus a random few milliseconds), then a second process
// continues the thread. Checked:
// - every result that was persisted when the first process died is still
//   there afterwards, unchanged, and its task never ran again;
// - in `sync` durability, at most one task re-runs: the one in flight;
// - the second process's output equals an uninterrupted run's.

const CHILD = "test/fixtures/crash-child.ts";
const CHILD_DEADLINE_MS = 60_000;

/** One trial's settings. */
export interface TrialSettings {
  url: string;
  prefix: string;
  durability: Extract<Durability, "sync" | "async">;
  /** Where the trial's execution log goes. */
  dir: string;
  /** A saver on the same Redis and prefix, to read what was persisted. */
  reader: RedisSaver;
  random?: () => number;
}

/** What one trial saw. */
export interface TrialReport {
  threadId: string;
  durability: "sync" | "async";
  /** The kill was aimed after this many task executions (0-20)... */
  killAfter: number;
  /** ...plus this many milliseconds. */
  extraMs: number;
  /** False when the first process finished before the kill came. */
  killed: boolean;
  /** Task executions the first process logged. */
  executedBeforeKill: number;
  /** Task results persisted when the first process was gone. */
  persistedAtKill: number;
  /** How the second process went on: continued, found the run finished, or restarted it. */
  mode: string;
  /** Positions whose task ran in both processes. */
  reruns: number[];
  /** Every check that failed; empty when the trial passed. */
  failures: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function executions(log: string, tag: string): number[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, "utf8")
    .split("\n")
    .filter((line) => line.startsWith(`${tag} `))
    .map((line) => Number(line.slice(tag.length + 1)));
}

// Task results stored anywhere in the thread: position → value.
async function persisted(reader: RedisSaver, threadId: string): Promise<Map<number, unknown>> {
  const found = new Map<number, unknown>();
  for (const tuple of await collect(reader.list({ configurable: { thread_id: threadId } }))) {
    for (const [taskId, channel, value] of tuple.pendingWrites ?? []) {
      const match = /^(\d+):step$/.exec(taskId);
      if (match && channel === "__return__") found.set(Number(match[1]), value);
    }
  }
  return found;
}

/** Runs one trial (see the top of this file). */
export async function runTrial(settings: TrialSettings): Promise<TrialReport> {
  const random = settings.random ?? Math.random;
  const threadId = `crash-${randomBytes(6).toString("hex")}`;
  const log = join(settings.dir, `${threadId}.log`);
  writeFileSync(log, "");
  const env = {
    CRASH_URL: settings.url,
    CRASH_PREFIX: settings.prefix,
    CRASH_THREAD: threadId,
    CRASH_LOG: log,
    CRASH_DURABILITY: settings.durability,
  };
  const killAfter = Math.floor(random() * (CRASH_TASKS + 1));
  const extraMs = Math.floor(random() * 8);
  const failures: string[] = [];

  const first = spawnScript(CHILD, [], { ...env, CRASH_TAG: "A", CRASH_MODE: "start" });
  const firstEnd = outcomeOf(first, CHILD_DEADLINE_MS);
  let ready = false;
  first.stdout?.on("data", (chunk: Buffer) => {
    if (chunk.toString().includes("ready")) ready = true;
  });
  let exited = false;
  firstEnd.then(() => {
    exited = true;
  });
  while (!exited && !(ready && executions(log, "A").length >= killAfter)) await sleep(1);
  if (!exited) {
    await sleep(extraMs);
    if (first.exitCode === null && first.pid) process.kill(first.pid, "SIGKILL");
  }
  const firstOutcome = await firstEnd;
  const killed = firstOutcome.signal === "SIGKILL";
  if (!killed && firstOutcome.code !== 0) {
    failures.push(`first process failed (${firstOutcome.code}): ${firstOutcome.stderr}`);
  }
  const ranFirst = executions(log, "A");
  const before = await persisted(settings.reader, threadId);

  const second = await outcomeOf(
    spawnScript(CHILD, [], { ...env, CRASH_TAG: "B", CRASH_MODE: "continue" }),
    CHILD_DEADLINE_MS,
  );
  if (second.code !== 0) failures.push(`second process failed (${second.code}): ${second.stderr}`);
  const line = second.stdout.split("\n").find((l) => l.startsWith("result "));
  const outcome = line
    ? (JSON.parse(line.slice(7)) as { mode: string; result: unknown })
    : undefined;
  const ranSecond = executions(log, "B");
  const after = await persisted(settings.reader, threadId);

  if (!isDeepStrictEqual(outcome?.result, expectedOutput())) {
    failures.push(`output ${JSON.stringify(outcome?.result)} is not an uninterrupted run's`);
  }
  for (const [position, value] of before) {
    if (!isDeepStrictEqual(value, taskResult(position))) {
      failures.push(`persisted result of task ${position} is ${JSON.stringify(value)}`);
    }
    if (!isDeepStrictEqual(after.get(position), value)) {
      failures.push(`persisted result of task ${position} did not survive the continue`);
    }
    if (ranSecond.includes(position)) failures.push(`task ${position} re-ran though persisted`);
  }
  for (const [name, ran] of [
    ["first", ranFirst],
    ["second", ranSecond],
  ] as const) {
    if (new Set(ran).size !== ran.length) failures.push(`a task ran twice in the ${name} process`);
  }
  const reruns = ranSecond.filter((position) => ranFirst.includes(position));
  if (settings.durability === "sync") {
    if (reruns.length > 1) failures.push(`sync: ${reruns.length} tasks re-ran: ${reruns}`);
    if (reruns.length === 1 && reruns[0] !== ranFirst[ranFirst.length - 1]) {
      failures.push(`sync: task ${reruns[0]} re-ran, but ${ranFirst.at(-1)} was the one in flight`);
    }
  }
  const all = new Set([...ranFirst, ...ranSecond]);
  if (all.size !== CRASH_TASKS) failures.push(`only ${all.size} of ${CRASH_TASKS} tasks ever ran`);
  if (outcome?.mode === "restarted" && before.size > 0) {
    failures.push("the thread was started over though results were persisted");
  }
  return {
    threadId,
    durability: settings.durability,
    killAfter,
    extraMs,
    killed,
    executedBeforeKill: ranFirst.length,
    persistedAtKill: before.size,
    mode: outcome?.mode ?? "none",
    reruns,
    failures,
  };
}

/** Runs `count` trials, `concurrency` at a time; `durability(i)` picks each trial's. */
export async function runTrials(
  count: number,
  concurrency: number,
  settings: (index: number) => TrialSettings,
  onReport?: (report: TrialReport, index: number) => void,
): Promise<TrialReport[]> {
  const reports: TrialReport[] = new Array(count);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      reports[i] = await runTrial(settings(i));
      onReport?.(reports[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return reports;
}
