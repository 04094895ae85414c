// `pnpm bench`: Savepoint against LangGraph.js (and DBOS on Postgres) and
// against the hardware, in one run. Prints a table as it goes, writes
// bench/results/latest.json, docs/benchmarks.md and docs/benchmarks.svg.
//
//   pnpm bench                       the full run (about 15 minutes on 2 cores)
//   pnpm bench -- --quick            small N and 3 runs: a smoke check
//   pnpm bench -- --only memory,pglite --workloads W1,W2
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import type { Durability } from "@savepoint/core";
import {
  type AnchorLoop,
  emptyCall,
  emptyCallLoop,
  pgliteAnchors,
  pgliteInsertLoop,
  postgresAnchors,
  postgresInsertLoop,
  redisAnchor,
  redisSetLoop,
} from "./anchors.js";
import {
  BACKEND_IDS,
  BACKEND_LABELS,
  type BackendId,
  type OpenBackend,
  openBackend,
} from "./backends.js";
import { type DbosFlows, launchDbos } from "./dbos.js";
import { langGraphFlows } from "./langgraph.js";
import { resumeStatementCounts } from "./queries.js";
import { renderMarkdown, renderTable, rowLine, targetsOf } from "./report.js";
import type { Anchors, Cell, ImplId, Results, Row, WorkloadId } from "./results.js";
import { measureRss } from "./rss.js";
import { compareAdaptive, progress, progressDone, type Side } from "./stats.js";
import { renderSvg } from "./svg.js";
import { type Flows, savepointFlows } from "./workloads.js";

// LangGraph.js adds an abort listener per parallel task (W3, past 10 of
// them) and DBOS's pg pool warns about pg@9: neither is ours to fix, and a
// warning per run would bury the progress lines. Other warnings still print.
process.removeAllListeners("warning");
process.on("warning", (warning) => {
  if (warning.name === "MaxListenersExceededWarning" || warning.name === "DeprecationWarning")
    return;
  console.error(warning);
});

// ------------------------------------------------------------------ options

const args = process.argv.slice(2).filter((a) => a !== "--");
const flag = (name: string) => args.includes(name);
const option = (name: string): string | undefined => {
  const i = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return undefined;
  const arg = args[i]!;
  return arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : args[i + 1];
};
if (flag("--help")) {
  console.log(
    "usage: pnpm bench [-- --quick] [--only memory,pglite,postgres,redis] [--workloads W1,W2,W3,W4,W5] [--no-docs]",
  );
  process.exit(0);
}
const quick = flag("--quick");
const only = (option("--only")?.split(",") ?? [...BACKEND_IDS]) as BackendId[];
for (const b of only) {
  if (!BACKEND_IDS.includes(b))
    throw new Error(`--only: unknown backend "${b}" (${BACKEND_IDS.join(", ")})`);
}
const ALL_WORKLOADS: WorkloadId[] = ["W1", "W2", "W3", "W4", "W5"];
const workloads = (option("--workloads")?.toUpperCase().split(",") ??
  ALL_WORKLOADS) as WorkloadId[];
for (const w of workloads) {
  if (!ALL_WORKLOADS.includes(w)) throw new Error(`--workloads: unknown workload "${w}"`);
}
const writeDocs = !flag("--no-docs");

// What each run measures. Sizes adapt to the machine (stats.ts,
// compareAdaptive): a side whose figure is per unit (W1 threads, W3 runs)
// shrinks to fit a run into runBudgetMs; a side whose size is the parameter
// (W2's N, W4's 1,000 tasks) keeps it and runs fewer times past
// caseBudgetMs, or not at all past capMs. A cell says when either happened.
// LangGraph.js's W2 at N >= 10,000 runs once, capped, in rss-worker.ts.
const PLAN = quick
  ? {
      runs: 3,
      threads: 100,
      sizes: [10, 100, 1_000],
      memorySizes: [10, 100, 1_000, 10_000],
      lgSizes: [10, 100, 1_000],
      parallel: 100,
      parallelReps: 5,
      resumeTasks: 1_000,
      history: 1_000,
      rssSizes: [10_000],
      rssCapMs: 60_000,
      countSizes: [10, 100, 1_000],
      runBudgetMs: 1_000,
      caseBudgetMs: 3_000,
      capMs: 15_000,
      anchorOps: 200,
    }
  : {
      runs: 5,
      threads: 1_000,
      sizes: [10, 100, 1_000, 10_000, 100_000],
      memorySizes: [10, 100, 1_000, 10_000, 100_000],
      lgSizes: [10, 100, 1_000],
      parallel: 100,
      parallelReps: 10,
      resumeTasks: 1_000,
      history: 1_000,
      rssSizes: [10_000, 100_000],
      rssCapMs: 120_000,
      countSizes: [10, 100, 1_000],
      runBudgetMs: 3_000,
      caseBudgetMs: 15_000,
      capMs: 60_000,
      anchorOps: 1_000,
    };

const fmt = (n: number) => n.toLocaleString("en-US");
const started = performance.now();
const say = (line: string) => {
  progressDone();
  console.error(`[bench] ${line}`);
};
// Run-by-run detail only on a terminal; a log gets one line per case.
const detail = process.stderr.isTTY ? (note: string) => progress(`  ${note}`) : undefined;

// ------------------------------------------------------------------ running

const rows: Row[] = [];
const anchors: Anchors = {};
const skipped: { backend: string; reason: string }[] = [];
const failures: string[] = [];
let queries: Results["queries"] = [];
let rss: Results["rss"] = [];

interface Impl {
  impl: ImplId;
  flows: () => Flows;
}

async function runCase(
  backend: OpenBackend,
  workload: WorkloadId,
  param: string,
  unit: string,
  sides: Side[],
  extra: {
    n?: number;
    anchor?: Row["anchor"];
    skipped?: [ImplId, string][];
    sizeNote?: (size: number) => string;
  } = {},
): Promise<void> {
  say(`${BACKEND_LABELS[backend.id]} ${workload} ${param}: ${sides.map((s) => s.id).join(", ")}`);
  let measured: Awaited<ReturnType<typeof compareAdaptive>>;
  try {
    measured = await compareAdaptive(sides, {
      runs: PLAN.runs,
      runBudgetMs: PLAN.runBudgetMs,
      caseBudgetMs: PLAN.caseBudgetMs,
      capMs: PLAN.capMs,
      ...(detail ? { progress: detail } : {}),
    });
  } catch (err) {
    // One broken case is reported, not fatal: the rest of the run goes on.
    const reason = err instanceof Error ? (err.stack ?? err.message) : String(err);
    failures.push(`${BACKEND_LABELS[backend.id]} ${workload} ${param}: ${reason}`);
    progressDone();
    console.log(
      `!!! FAILED ${BACKEND_LABELS[backend.id]} ${workload} ${param}: ${reason.split("\n")[0]}`,
    );
    return;
  }
  const cells: Row["cells"] = {};
  for (const s of sides) {
    const m = measured[s.id]!;
    if (s.id === "anchor") continue;
    const notes: string[] = [];
    if (m.note) notes.push(m.note);
    else {
      if (m.size !== s.wanted && extra.sizeNote) notes.push(extra.sizeNote(m.size));
      if (m.runs < PLAN.runs) notes.push(m.runs === 1 ? "1 run" : `${m.runs} runs`);
    }
    const cell: Cell = { runs: m.runs, samples: m.samples };
    if (m.us !== undefined) cell.us = m.us;
    if (notes.length) cell.note = notes.join(", ");
    cells[s.id as ImplId] = cell;
  }
  for (const [impl, note] of extra.skipped ?? []) cells[impl] = { note };
  const row: Row = { backend: backend.id, workload, param, unit, cells };
  if (extra.n !== undefined) row.n = extra.n;
  // The anchor measured alongside, when the case ran one; else the one from the start.
  const alongside = measured.anchor?.us;
  if (extra.anchor) {
    row.anchor = alongside !== undefined ? { ...extra.anchor, us: alongside } : extra.anchor;
  }
  rows.push(row);
  progressDone();
  console.log(rowLine(row));
}

async function benchBackend(backend: OpenBackend, dbos: DbosFlows | undefined): Promise<void> {
  const opts = { runs: PLAN.runs, warmup: true, ...(detail ? { progress: detail } : {}) };
  // --- anchors, right before the workloads they anchor
  let anchor: Row["anchor"];
  if (backend.id === "memory") {
    say("anchor: empty async function call");
    anchors.emptyCall = await emptyCall(opts, quick ? 200_000 : 1_000_000);
    anchor = { name: "empty async call", us: anchors.emptyCall };
  } else if (backend.id === "postgres") {
    say("anchor: raw INSERT and SELECT 1 on the server");
    const a = await postgresAnchors(backend.sql!, opts, PLAN.anchorOps);
    anchors.postgresInsert = a.insert;
    anchors.postgresSelect = a.select;
    anchor = { name: "raw INSERT", us: a.insert };
  } else if (backend.id === "pglite") {
    say("anchor: raw INSERT and SELECT 1 on PGlite");
    const a = await pgliteAnchors(backend.pglite!, opts, PLAN.anchorOps);
    anchors.pgliteInsert = a.insert;
    anchors.pgliteSelect = a.select;
    anchor = { name: "raw INSERT", us: a.insert };
  } else {
    say("anchor: raw SET on Redis");
    anchors.redisSet = await redisAnchor(backend.redis!, opts, PLAN.anchorOps);
    anchor = { name: "raw SET", us: anchors.redisSet };
  }

  // The anchor also runs inside the W2 and W3 comparisons, alternating with
  // the implementations, so a ratio compares figures taken moments apart.
  const anchorLoop: AnchorLoop =
    backend.id === "memory"
      ? emptyCallLoop
      : backend.id === "postgres"
        ? await postgresInsertLoop(backend.sql!)
        : backend.id === "pglite"
          ? await pgliteInsertLoop(backend.pglite!)
          : redisSetLoop(backend.redis!);
  const anchorOps = backend.id === "memory" ? 100_000 : PLAN.anchorOps;
  const anchorSide: Side = {
    id: "anchor",
    wanted: anchorOps,
    fixed: true,
    probe: anchorOps,
    ops: (n) => n,
    run: anchorLoop,
  };

  const durable = backend.id !== "memory";
  // Memory gets a new saver per run so earlier runs' data does not pile up
  // in the heap; a durable backend keeps one saver (its data is on the server).
  const ours = (durability: Durability | undefined) => {
    let cached: Flows | undefined;
    return () => {
      if (!durable) return savepointFlows(backend.saver(), durability);
      cached ??= savepointFlows(backend.saver(), durability);
      return cached;
    };
  };
  const impls: Impl[] = durable
    ? [
        { impl: "sp:sync", flows: ours("sync") },
        { impl: "sp:default", flows: ours(undefined) },
      ]
    : [{ impl: "sp:default", flows: ours(undefined) }];
  if (backend.langgraph) {
    let cached: Flows | undefined;
    impls.push({
      impl: "langgraph",
      flows: () => {
        if (!durable) return langGraphFlows(backend.langgraph!());
        cached ??= langGraphFlows(backend.langgraph!());
        return cached;
      },
    });
  }

  if (workloads.includes("W1")) {
    const sides: Side[] = impls.map((s) => ({
      id: s.impl,
      wanted: PLAN.threads,
      fixed: false,
      probe: 10,
      ops: (threads) => threads,
      run: (threads) => s.flows().seed(threads),
    }));
    if (dbos) {
      sides.push({
        id: "dbos",
        wanted: PLAN.threads,
        fixed: false,
        probe: 10,
        ops: (threads) => threads,
        run: (threads) => dbos.seed(threads),
      });
    }
    await runCase(backend, "W1", `${fmt(PLAN.threads)} threads`, "thread", sides, {
      sizeNote: (threads) => `${fmt(threads)} threads`,
    });
  }

  if (workloads.includes("W2")) {
    for (const n of durable ? PLAN.sizes : PLAN.memorySizes) {
      // Small N repeats the run so one sample covers at least 1,000 tasks.
      const sequential = (flows: () => Pick<Flows, "sequential">) => async (size: number) => {
        let ms = 0;
        for (let r = 0; r < Math.max(1, Math.ceil(1_000 / size)); r++)
          ms += await flows().sequential(size);
        return ms;
      };
      const sides: Side[] = [];
      const skipped: [ImplId, string][] = [];
      for (const s of impls) {
        if (s.impl === "langgraph" && !PLAN.lgSizes.includes(n)) {
          skipped.push([
            s.impl,
            backend.id === "memory"
              ? "see the peak RSS table: one capped run"
              : "not run: over the time budget",
          ]);
          continue;
        }
        sides.push({
          id: s.impl,
          wanted: n,
          fixed: true,
          probe: Math.min(n, 1_000),
          ops: (size) => size * Math.max(1, Math.ceil(1_000 / size)),
          run: sequential(s.flows),
        });
      }
      if (dbos) {
        sides.push({
          id: "dbos",
          wanted: n,
          fixed: true,
          probe: Math.min(n, 100),
          ops: (size) => size * Math.max(1, Math.ceil(1_000 / size)),
          run: sequential(() => dbos),
        });
      }
      sides.push(anchorSide);
      await runCase(backend, "W2", `N = ${fmt(n)}`, "task", sides, { n, anchor, skipped });
    }
  }

  if (workloads.includes("W3")) {
    const width = PLAN.parallel;
    await runCase(
      backend,
      "W3",
      `${fmt(width)} parallel tasks`,
      "task",
      [
        ...impls.map(
          (s): Side => ({
            id: s.impl,
            wanted: PLAN.parallelReps,
            fixed: false,
            probe: 1,
            ops: (reps) => width * reps,
            run: async (reps) => {
              let ms = 0;
              for (let r = 0; r < reps; r++) ms += await s.flows().parallel(width);
              return ms;
            },
          }),
        ),
        anchorSide,
      ],
      { anchor },
    );
  }

  if (workloads.includes("W4")) {
    await runCase(
      backend,
      "W4",
      `${fmt(PLAN.resumeTasks)} finished tasks`,
      "resume",
      impls.map((s) => ({
        id: s.impl,
        wanted: PLAN.resumeTasks,
        fixed: true,
        probe: PLAN.resumeTasks,
        ops: () => 1,
        run: (tasks) => s.flows().resume(tasks),
      })),
    );
  }

  if (workloads.includes("W5")) {
    // One Flows per side, kept: the thread with the history is built once (in the warm-up).
    await runCase(
      backend,
      "W5",
      `${fmt(PLAN.history)} checkpoints`,
      "read",
      impls.map((s) => {
        const flows = s.flows();
        return {
          id: s.impl,
          wanted: PLAN.history,
          fixed: true,
          probe: PLAN.history,
          ops: () => 1,
          run: (checkpoints) => flows.history(checkpoints),
        };
      }),
    );
  }
}

// ------------------------------------------------------------------ main

console.error(
  `[bench] Savepoint benchmarks${quick ? " (quick)" : ""}: ${only.join(", ")}; ${workloads.join(", ")}; ` +
    `median of ${PLAN.runs} runs after a warm-up; ${os.cpus().length} cores, node ${process.version}` +
    `${(globalThis as { gc?: unknown }).gc ? "" : " (no --expose-gc: GC is not run between runs)"}`,
);

for (const id of only) {
  say(`opening ${BACKEND_LABELS[id]}`);
  const opened = await openBackend(id);
  if (!opened.ok) {
    const reason = opened.reason;
    skipped.push({ backend: BACKEND_LABELS[id], reason });
    progressDone();
    console.log(`\n!!! SKIPPED ${BACKEND_LABELS[id].toUpperCase()}: ${reason}\n`);
    continue;
  }
  const backend = opened.backend;
  let dbos: DbosFlows | undefined;
  try {
    if (id === "postgres" && (workloads.includes("W1") || workloads.includes("W2"))) {
      say("launching DBOS (system database on the same server)");
      dbos = await launchDbos().catch((err) => {
        skipped.push({ backend: "DBOS", reason: String(err?.message ?? err) });
        console.log(`\n!!! SKIPPED DBOS: ${err?.message ?? err}\n`);
        return undefined;
      });
    }
    await benchBackend(backend, dbos);
    if (id === "postgres" && workloads.includes("W4")) {
      say("W4: statements per resume (postgres.js debug hook)");
      queries = await resumeStatementCounts(PLAN.countSizes);
    }
  } catch (err) {
    const reason = err instanceof Error ? (err.stack ?? err.message) : String(err);
    failures.push(`${BACKEND_LABELS[id]}: ${reason}`);
    progressDone();
    console.log(`!!! FAILED ${BACKEND_LABELS[id]}: ${reason.split("\n")[0]}`);
  } finally {
    await dbos?.close();
    await backend.close();
  }
}

if (only.includes("memory") && workloads.includes("W2")) {
  // Peak RSS, one fresh process per case; LangGraph's run is capped.
  for (const n of PLAN.rssSizes) {
    for (const impl of ["savepoint", "langgraph"] as const) {
      say(`peak RSS: ${impl} W2 N = ${fmt(n)} in a child process (cap ${PLAN.rssCapMs / 1000} s)`);
      rss.push(await measureRss(impl, n, PLAN.rssCapMs));
    }
  }
  rss = rss.sort((a, b) => a.n - b.n);
}
progressDone();

const results: Results = {
  date: new Date().toISOString(),
  command: `pnpm bench${args.length ? ` -- ${args.join(" ")}` : ""}`,
  quick,
  machine: {
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    load: os.loadavg().map((x) => Math.round(x * 100) / 100),
  },
  runs: PLAN.runs,
  anchors,
  rows,
  rss,
  queries,
  skipped,
  failures,
  targets: [],
  durationS: Math.round((performance.now() - started) / 1000),
};
results.targets = targetsOf(results);

console.log(`\n${renderTable(results)}`);

const resultsDir = fileURLToPath(new URL("../results/", import.meta.url));
mkdirSync(resultsDir, { recursive: true });
writeFileSync(`${resultsDir}latest.json`, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwrote bench/results/latest.json`);
if (writeDocs) {
  const docs = fileURLToPath(new URL("../../docs/", import.meta.url));
  writeFileSync(`${docs}benchmarks.svg`, renderSvg(results));
  writeFileSync(`${docs}benchmarks.md`, renderMarkdown(results));
  console.log("wrote docs/benchmarks.md and docs/benchmarks.svg");
}
process.exit(0);
