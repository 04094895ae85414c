/**
 * Savepoint's Postgres saver against the database's own floor and against
 * LangGraph.js with `@langchain/langgraph-checkpoint-postgres`, on the same
 * server (and, for ours and the floor, on PGlite).
 *
 * Rows (each the median of 5 runs after one warm-up run; Savepoint and
 * LangGraph.js runs alternate so that load on a shared machine hits both):
 * - raw: one prepared single-row `INSERT`, one `SELECT 1` (the floor).
 * - per task: one run of 1,000 sequential tasks, total time / 1,000.
 * - seed flow: the seed's essay review (task, interrupt, resume) per thread.
 * Then the statements a resume sends, for threads with 1 and 1,000 finished tasks.
 */
import { PGlite } from "@electric-sql/pglite";
import {
  Command as LgCommand,
  entrypoint as lgEntrypoint,
  interrupt as lgInterrupt,
  task as lgTask,
} from "@langchain/langgraph";
import { PostgresSaver as LangGraphPostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { Command, type Durability, entrypoint, interrupt, task } from "@savepoint/core";
import { PostgresSaver } from "@savepoint/postgres";
import postgres from "postgres";

const DATABASE_URL = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const RUNS = 5;
const TASKS = 1_000;
const THREADS = Number(process.env.BENCH_THREADS ?? 1_000);
const LANGGRAPH_THREADS = Number(process.env.BENCH_LANGGRAPH_THREADS ?? THREADS);

let unique = 0;
const id = (label: string) => `bench-${label}-${process.pid}-${Date.now()}-${unique++}`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median over RUNS of `fn`'s milliseconds per operation, after one warm-up run. */
async function measure(ops: number, fn: () => Promise<void>): Promise<number> {
  await fn();
  const samples: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    await fn();
    samples.push((performance.now() - t0) / ops);
  }
  return median(samples);
}

/**
 * Medians of two workloads measured in alternation (A, B, A, B, ...) after a
 * warm-up of each, so that a busy machine slows both alike.
 */
async function measurePair(
  opsA: number,
  a: () => Promise<void>,
  opsB: number,
  b: () => Promise<void>,
): Promise<[number, number]> {
  await a();
  await b();
  const sa: number[] = [];
  const sb: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    let t0 = performance.now();
    await a();
    sa.push((performance.now() - t0) / opsA);
    t0 = performance.now();
    await b();
    sb.push((performance.now() - t0) / opsB);
  }
  return [median(sa), median(sb)];
}

interface Row {
  storage: string;
  workload: string;
  ms: number;
  note?: string;
}

// ---------------------------------------------------------------- floors

async function rawPostgres(schema: string): Promise<{ insert: number; select: number }> {
  const sql = postgres(DATABASE_URL, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(
      `CREATE TABLE "${schema}".raw_insert (id bigserial PRIMARY KEY, k text NOT NULL, v text NOT NULL)`,
    );
    const insert = await measure(TASKS, async () => {
      for (let i = 0; i < TASKS; i++) {
        await sql.unsafe(
          `INSERT INTO "${schema}".raw_insert (k, v) VALUES ($1, $2)`,
          [`k${i}`, '{"v":1}'],
          {
            prepare: true,
          },
        );
      }
    });
    const select = await measure(TASKS, async () => {
      for (let i = 0; i < TASKS; i++) await sql.unsafe("SELECT 1", [], { prepare: true });
    });
    return { insert, select };
  } finally {
    await sql.end();
  }
}

async function rawPGlite(pg: PGlite): Promise<{ insert: number; select: number }> {
  await pg.exec(
    "CREATE TABLE raw_insert (id bigserial PRIMARY KEY, k text NOT NULL, v text NOT NULL)",
  );
  const insert = await measure(TASKS, async () => {
    for (let i = 0; i < TASKS; i++) {
      await pg.query("INSERT INTO raw_insert (k, v) VALUES ($1, $2)", [`k${i}`, '{"v":1}']);
    }
  });
  const select = await measure(TASKS, async () => {
    for (let i = 0; i < TASKS; i++) await pg.query("SELECT 1");
  });
  return { insert, select };
}

// ---------------------------------------------------------------- Savepoint

function savepointWorkloads(checkpointer: PostgresSaver) {
  const step = task("step", async (i: number) => i + 1);
  const many = entrypoint({ name: "many", checkpointer }, async (n: number) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += await step(i);
    return sum;
  });
  const writeEssay = task("writeEssay", async (topic: string) => `An essay about ${topic}`);
  const essay = entrypoint({ name: "essay", checkpointer }, async (topic: string) => {
    const text = await writeEssay(topic);
    const isApproved = interrupt({ essay: text, action: "Please approve/reject the essay" });
    return { essay: text, isApproved };
  });
  const pauseAfter = entrypoint({ name: "pause-after", checkpointer }, async (n: number) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += await step(i);
    return { sum, ok: interrupt("ok?") };
  });
  return {
    perTask: (durability: Durability) => () =>
      many
        .invoke(TASKS, { configurable: { thread_id: id("many") }, durability })
        .then(() => undefined),
    seedFlow: (threads: number) => async () => {
      for (let t = 0; t < threads; t++) {
        const config = { configurable: { thread_id: id("essay") } };
        await essay.invoke("cat", config);
        const done = (await essay.invoke(new Command({ resume: true }), config)) as {
          isApproved?: unknown;
        };
        if (done.isApproved !== true) throw new Error("the essay flow did not finish");
      }
    },
    pauseAfter,
  };
}

// ---------------------------------------------------------------- LangGraph.js

function langGraphWorkloads(checkpointer: LangGraphPostgresSaver) {
  const step = lgTask("step", async (i: number) => i + 1);
  const many = lgEntrypoint({ name: "many", checkpointer }, async (n: number) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += await step(i);
    return sum;
  });
  const writeEssay = lgTask("writeEssay", async (topic: string) => `An essay about ${topic}`);
  const essay = lgEntrypoint({ name: "essay", checkpointer }, async (topic: string) => {
    const text = await writeEssay(topic);
    const isApproved = lgInterrupt({ essay: text, action: "Please approve/reject the essay" });
    return { essay: text, isApproved };
  });
  return {
    perTask: (tasks: number, durability?: "sync" | "async") => () =>
      many
        .invoke(tasks, {
          configurable: { thread_id: id("lg-many") },
          ...(durability ? { durability } : {}),
        })
        .then(() => undefined),
    seedFlow: (threads: number) => async () => {
      for (let t = 0; t < threads; t++) {
        const config = { configurable: { thread_id: id("lg-essay") } };
        await essay.invoke("cat", config);
        const done = (await essay.invoke(new LgCommand({ resume: true }), config)) as {
          isApproved?: unknown;
        };
        if (done.isApproved !== true) throw new Error("the LangGraph essay flow did not finish");
      }
    },
  };
}

// ---------------------------------------------------------------- report

function table(rows: Row[]): string {
  const head = ["storage", "workload", "ms/op", "note"];
  const body = rows.map((r) => [r.storage, r.workload, r.ms.toFixed(3), r.note ?? ""]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [
    line(head),
    `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`,
    ...body.map(line),
  ].join("\n");
}

async function resumeQueryCounts(schema: string): Promise<{ tasks: number; statements: number }[]> {
  let statements = 0;
  const sql = postgres(DATABASE_URL, { onnotice: () => {}, debug: () => statements++ });
  const saver = new PostgresSaver(sql, { schema });
  const { pauseAfter } = savepointWorkloads(saver);
  const out: { tasks: number; statements: number }[] = [];
  try {
    await saver.setup();
    for (const n of [1, 10, TASKS]) {
      const config = { configurable: { thread_id: id("resume") }, durability: "sync" as const };
      await pauseAfter.invoke(n, config);
      statements = 0;
      const done = (await pauseAfter.invoke(new Command({ resume: true }), config)) as {
        sum: number;
      };
      if (done.sum !== (n * (n + 1)) / 2) throw new Error("resume gave the wrong sum");
      out.push({ tasks: n, statements });
    }
  } finally {
    await saver.close();
    await sql.end();
  }
  return out;
}

/**
 * Runs every Postgres workload and prints one table with ratios.
 *
 * @example
 * ```ts
 * await benchPostgres();
 * ```
 */
export async function benchPostgres(): Promise<void> {
  const rows: Row[] = [];
  const schema = `bench_${process.pid}_${Date.now().toString(36)}`;
  const lgSchema = `${schema}_langgraph`;
  const admin = postgres(DATABASE_URL, { max: 1, onnotice: () => {} });
  const log = (msg: string) => console.error(`[bench:postgres] ${msg}`);
  try {
    await admin.unsafe(`CREATE SCHEMA "${schema}"`);
    await admin.unsafe(`CREATE SCHEMA "${lgSchema}"`);

    // --- the server
    log("raw INSERT / SELECT 1 on the server");
    const floor = await rawPostgres(schema);
    rows.push({ storage: "Postgres", workload: "raw INSERT (1 row)", ms: floor.insert });
    rows.push({ storage: "Postgres", workload: "raw SELECT 1", ms: floor.select });

    const sql = postgres(DATABASE_URL, { onnotice: () => {} });
    const ours = new PostgresSaver(sql, { schema });
    await ours.setup();
    const sp = savepointWorkloads(ours);
    const lg = LangGraphPostgresSaver.fromConnString(DATABASE_URL, { schema: lgSchema });
    await lg.setup();
    const lw = langGraphWorkloads(lg);
    const lgTasks = Number(process.env.BENCH_LANGGRAPH_TASKS ?? TASKS);

    for (const durability of ["sync", "async"] as const) {
      log(`per task, durability ${durability}`);
      const [spTask, lgTask] = await measurePair(
        TASKS,
        sp.perTask(durability),
        lgTasks,
        lw.perTask(lgTasks, durability),
      );
      rows.push({
        storage: "Postgres",
        workload: `Savepoint per task (${TASKS} tasks, ${durability})`,
        ms: spTask,
        note:
          `${(spTask / floor.insert).toFixed(2)}x raw INSERT` +
          (durability === "sync" ? " (target <= 1.3x)" : ""),
      });
      rows.push({
        storage: "Postgres",
        workload: `LangGraph.js per task (${lgTasks} tasks, ${durability})`,
        ms: lgTask,
        note: `Savepoint ${(lgTask / spTask).toFixed(2)}x faster`,
      });
    }

    log("seed flow");
    const [spSeed, lgSeed] = await measurePair(
      THREADS,
      sp.seedFlow(THREADS),
      LANGGRAPH_THREADS,
      lw.seedFlow(LANGGRAPH_THREADS),
    );
    rows.push({
      storage: "Postgres",
      workload: `Savepoint seed flow (${THREADS} threads)`,
      ms: spSeed,
    });
    rows.push({
      storage: "Postgres",
      workload: `LangGraph.js seed flow (${LANGGRAPH_THREADS} threads)`,
      ms: lgSeed,
      note: `Savepoint ${(lgSeed / spSeed).toFixed(2)}x faster (target >= 3x)`,
    });
    await lg.end();
    await ours.close();
    await sql.end();

    // --- PGlite
    log("PGlite");
    const pg = await PGlite.create();
    const pgFloor = await rawPGlite(pg);
    rows.push({ storage: "PGlite", workload: "raw INSERT (1 row)", ms: pgFloor.insert });
    rows.push({ storage: "PGlite", workload: "raw SELECT 1", ms: pgFloor.select });
    const embedded = new PostgresSaver(pg);
    await embedded.setup();
    const ep = savepointWorkloads(embedded);
    const epSync = await measure(TASKS, ep.perTask("sync"));
    rows.push({
      storage: "PGlite",
      workload: `Savepoint per task (${TASKS} tasks, sync)`,
      ms: epSync,
      note: `${(epSync / pgFloor.insert).toFixed(2)}x raw INSERT`,
    });
    const epSeed = await measure(THREADS, ep.seedFlow(THREADS));
    rows.push({
      storage: "PGlite",
      workload: `Savepoint seed flow (${THREADS} threads)`,
      ms: epSeed,
    });
    await embedded.close();
    await pg.close();

    log("statements per resume");
    const counts = await resumeQueryCounts(schema);

    console.log(
      `\nPostgres saver benchmark (median of ${RUNS} runs after a warm-up; ms per operation)\n`,
    );
    console.log(table(rows));
    console.log(
      "\nStatements sent to the server by one resume (Command({ resume })) of a paused thread:\n",
    );
    for (const c of counts)
      console.log(`  ${String(c.tasks).padStart(5)} finished tasks: ${c.statements} statements`);
    const constant = counts.every((c) => c.statements === counts[0]!.statements);
    console.log(`  => ${constant ? "constant" : "NOT constant"} in the number of finished tasks\n`);
  } finally {
    await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.unsafe(`DROP SCHEMA IF EXISTS "${lgSchema}" CASCADE`);
    await admin.end();
  }
}
