// W4's promise, "a constant number of queries": counts the statements
// postgres.js sends while one paused thread is resumed, for threads with
// 10, 100 and 1,000 finished tasks. postgres.js calls `debug` once per
// statement it sends.
import { Command, entrypoint, interrupt, task } from "@savepoint/core";
import { PostgresSaver } from "@savepoint/postgres";
import postgres from "postgres";
import { DATABASE_URL, SCHEMA } from "./services.js";
import { threadId } from "./workloads.js";

export interface QueryCount {
  tasks: number;
  statements: number;
  durability: "sync" | "async";
}

const step = task("step", async (i: number) => i + 1);

export async function resumeStatementCounts(sizes: readonly number[]): Promise<QueryCount[]> {
  let statements = 0;
  let counting = false;
  const sql = postgres(DATABASE_URL, {
    onnotice: () => {},
    debug: () => {
      if (counting) statements++;
    },
  });
  const saver = new PostgresSaver(sql, { schema: SCHEMA });
  const pauseAfter = entrypoint({ name: "pauseAfter", checkpointer: saver }, async (n: number) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += await step(i);
    return { sum, ok: interrupt<string, boolean>("continue?") };
  });
  const out: QueryCount[] = [];
  try {
    await saver.setup();
    for (const durability of ["sync", "async"] as const) {
      for (const tasks of sizes) {
        const config = { configurable: { thread_id: threadId("w4-count") }, durability };
        await pauseAfter.invoke(tasks, config);
        statements = 0;
        counting = true;
        const done = (await pauseAfter.invoke(new Command({ resume: true }), config)) as {
          sum: number;
        };
        counting = false;
        if (done.sum !== (tasks * (tasks + 1)) / 2) throw new Error("W4 count: wrong sum");
        out.push({ tasks, statements, durability });
      }
    }
  } finally {
    await saver.close();
    await sql.end({ timeout: 5 });
  }
  return out;
}
