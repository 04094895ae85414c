import { appendFileSync } from "node:fs";
import { type CheckpointSaver, entrypoint, task } from "@savepoint/core";

// The workflow of the crash trials: 20 tasks in a row, each taking a few
// milliseconds. A task appends "<process tag> <position>" to an append-only
// log just before it returns, so the log counts every execution of every
// task body, in every process, whatever was saved.

/** Tasks per run. */
export const CRASH_TASKS = 20;

/** What task `i` returns. */
export function taskResult(i: number): { i: number; label: string; square: number } {
  return { i, label: `step-${i}`, square: i * i };
}

/** What an uninterrupted run returns. */
export function expectedOutput(tasks = CRASH_TASKS): { labels: string[]; total: number } {
  const results = Array.from({ length: tasks }, (_, i) => taskResult(i));
  return { labels: results.map((r) => r.label), total: results.reduce((s, r) => s + r.square, 0) };
}

/** The 20-task workflow on `saver`; task bodies log to `log` as `tag`. */
export function crashWorkflow(saver: CheckpointSaver, log: string, tag: string) {
  const step = task("step", async (i: number) => {
    await new Promise((resolve) => setTimeout(resolve, 1 + Math.random() * 4));
    const result = taskResult(i);
    appendFileSync(log, `${tag} ${i}\n`);
    return result;
  });
  return entrypoint({ name: "crash20", checkpointer: saver }, async (input: { tasks: number }) => {
    const results: ReturnType<typeof taskResult>[] = [];
    for (let i = 0; i < input.tasks; i++) results.push(await step(i));
    return {
      labels: results.map((r) => r.label),
      total: results.reduce((s, r) => s + r.square, 0),
    };
  });
}
