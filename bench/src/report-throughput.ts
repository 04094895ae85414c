// The P1 and C1 sections of docs/benchmarks.md, and their targets:
// throughput with many threads at once, and the first flows of a fresh process.

import type { ColdResult } from "./cold.js";
import { table } from "./markdown.js";
import type { Results, Target } from "./results.js";
import type { ThroughputResult } from "./throughput-results.js";

const P1_HEADING = "## P1: throughput with many threads at once";
const C1_HEADING = "## C1: the first flows in a fresh process";

const rate = (x: number) => x.toFixed(x < 10 ? 1 : 0);
const ratio = (x: number | undefined) =>
  x === undefined || !Number.isFinite(x) ? "-" : `${x.toFixed(x < 10 ? 2 : 1)}x`;
const ms = (x: number | undefined) =>
  x === undefined ? "-" : x < 10 ? `${x.toFixed(2)} ms` : `${x.toFixed(0)} ms`;
const perSecond = (x: number | undefined) => (x === undefined ? "-" : `${rate(x)} flows/s`);
const pct = (x: number) => `${Math.round(x * 100)}%`;

function at(list: readonly ThroughputResult[], label: string, threads: number) {
  return list.find((x) => x.label === label && x.threads === threads);
}

const SP_PG = "Savepoint PostgreSQL";
const LG_PG = "LangGraph.js PostgreSQL";
const DBOS_PG = "DBOS PostgreSQL";

/** Savepoint PostgreSQL's flows/s over another contender's at `threads`. */
function over(list: readonly ThroughputResult[], other: string, threads: number) {
  const sp = at(list, SP_PG, threads)?.flowsPerS;
  const them = at(list, other, threads)?.flowsPerS;
  return sp !== undefined && them !== undefined ? sp / them : undefined;
}

/**
 * The most flows per second the CPU allows: the rate at which the benchmark
 * process's and the Postgres processes' CPU per flow keep every core of the
 * machine busy. No contender outruns its own ceiling here, whatever it waits on.
 */
function cpuCeiling(x: ThroughputResult | undefined): number | undefined {
  if (!x?.cores || x.pgCpuMs === undefined) return undefined;
  return (x.cores * 1000) / (x.nodeCpuMs + x.pgCpuMs);
}

function scaling(list: readonly ThroughputResult[], label: string) {
  const one = at(list, label, 1)?.flowsPerS;
  const eight = at(list, label, 8)?.flowsPerS;
  return one !== undefined && eight !== undefined ? eight / one : undefined;
}

/** The P1 section, or nothing when it did not run. */
export function renderThroughput(r: Pick<Results, "throughput" | "cold">): string[] {
  const list = r.throughput;
  if (!list?.length) return [];
  const threads = [...new Set(list.map((x) => x.threads))];
  const labels = [...new Set(list.map((x) => x.label))];
  const first = list[0]!;
  const lines = [P1_HEADING, ""];
  lines.push(
    `${threads.join(", ")} threads run the essay-review flow (task \`writeEssay\`, \`interrupt\`, resume with a \`Command\`) at once, each thread one flow after another on new thread ids, until a round of ${first.flowsPerRound} flows is done (\`bench/src/throughput.ts\`). ` +
      `The contenders alternate round by round after a warm-up round each, and one untimed flow per thread opens each round (so a pool that idled during the others reconnects outside it); the figure is the median flows per second of ${first.samples.length} rounds, with the slowest and fastest. ` +
      "Every saver is made the way a user makes it, from a URL with its own defaults (Savepoint's owned postgres.js pool: 10 connections; LangGraph.js's `pg` pool: 10; DBOS's system database pool), " +
      "in the default durability of each. PGlite is one connection in the process: its threads queue on it.",
    "",
  );
  lines.push(
    table(
      ["contender", ...threads.map((t) => `${t} thread${t === 1 ? "" : "s"}`), "8 ÷ 1 threads"],
      labels.map((label) => [
        label,
        ...threads.map((t) => {
          const x = at(list, label, t);
          return x ? `${rate(x.flowsPerS)} (${rate(x.min)}–${rate(x.max)})` : "-";
        }),
        ratio(scaling(list, label)),
      ]),
    ),
    "",
  );
  lines.push(
    table(
      ["Savepoint PostgreSQL over", ...threads.map((t) => `${t}`)],
      [LG_PG, DBOS_PG]
        .filter((l) => labels.includes(l))
        .map((l) => [l, ...threads.map((t) => ratio(over(list, l, t)))]),
    ),
    "",
  );
  lines.push(
    "Where a flow's time goes on the PostgreSQL server, medians per flow over the rounds: the benchmark process's CPU (`process.cpuUsage`, " +
      "all of Node's threads), the CPU of every `postgres` process (`/proc/<pid>/stat`, when the server runs on this machine), " +
      "the WAL written (`pg_current_wal_lsn()`), and what the busy client backends were doing in `pg_stat_activity`, sampled every 20 ms: " +
      "running, waiting on the WAL flush of a commit (`WALSync`, `WALWrite`), on a lock, or on anything else. " +
      `The CPU ceiling is the rate at which those two CPU figures would keep all ${first.cores ?? "the"} cores busy: no contender can run faster on this machine, since the database shares its cores.`,
    "",
  );
  lines.push(
    table(
      [
        "contender",
        "threads",
        "Node CPU",
        "Postgres CPU",
        "WAL",
        "busy backends",
        "running",
        "commit flush",
        "locks",
        "other",
        "CPU ceiling",
      ],
      list
        .filter((x) => x.store === "PostgreSQL")
        .map((x) => [
          x.label,
          String(x.threads),
          ms(x.nodeCpuMs),
          ms(x.pgCpuMs),
          x.walBytes === undefined ? "-" : `${(x.walBytes / 1024).toFixed(1)} KB`,
          x.waits ? x.waits.busy.toFixed(1) : "-",
          x.waits ? pct(x.waits.cpu) : "-",
          x.waits ? pct(x.waits.commit) : "-",
          x.waits ? pct(x.waits.lock) : "-",
          x.waits ? pct(x.waits.other) : "-",
          perSecond(cpuCeiling(x)),
        ]),
    ),
    "",
  );
  lines.push(...targetLines(throughputTargets({ throughput: list })), "");
  return lines;
}

/** The C1 section, or nothing when it did not run. */
export function renderCold(r: Pick<Results, "throughput" | "cold">): string[] {
  const cold = r.cold;
  if (!cold) return [];
  const warm = ({ warmUs, warmSamples = [] }: ColdResult["savepoint"]) =>
    warmUs === undefined
      ? "-"
      : `${warmUs.toFixed(1)} µs (${Math.min(...warmSamples).toFixed(1)}–${Math.max(...warmSamples).toFixed(1)})`;
  const side = (name: string, s: ColdResult["savepoint"]) => [
    name,
    `${ms(s.ms)} (${ms(s.min)}–${ms(s.max)})`,
    `${((s.ms * 1000) / cold.flows).toFixed(0)} µs`,
    ms(s.firstMs),
    ms(s.loadMs),
    warm(s),
  ];
  const warmRatio = warmOver(cold);
  return [
    C1_HEADING,
    "",
    `The essay-review flow's first ${cold.flows} flows (both invokes each) in a fresh Node.js process, cold JIT included, on Savepoint's memory saver and on LangGraph.js's \`MemorySaver\` ` +
      `(\`bench/src/cold.ts\`): each sample is a new child process (\`node --import tsx\`, as a user's first script runs), the two alternating, ${cold.processes} processes each; median with min and max. ` +
      "Importing the library and making the saver is timed apart, and not in the flows' figure. " +
      (cold.timedRounds
        ? `Then, in the same process, the fixed cost of a run once the JIT is warm: ${cold.warmRounds} untimed rounds of ${cold.flows} flows and ${cold.timedRounds} timed ones, each round on a new saver and entrypoint; ` +
          "the warm figure is the median of each process's median round per flow, with min and max over the processes."
        : ""),
    "",
    table(
      [
        "implementation",
        `first ${cold.flows} flows`,
        "per flow",
        "first flow",
        "import",
        "warm, per flow",
      ],
      [side("Savepoint", cold.savepoint), side("LangGraph.js", cold.langgraph)],
    ),
    "",
    `LangGraph.js ÷ Savepoint: ${ratio(cold.langgraph.ms / cold.savepoint.ms)} over the first ${cold.flows} flows` +
      (warmRatio === undefined ? "." : `, ${ratio(warmRatio)} once warm.`),
    "",
    ...targetLines(throughputTargets({ cold })),
    "",
  ];
}

/** P1: 10x LangGraph.js at 64 threads, 4x scaling from 1 to 8; C1: 25x LangGraph.js cold, 40 µs warm. */
export function throughputTargets(r: Pick<Results, "throughput" | "cold">): Target[] {
  const out: Target[] = [];
  const list = r.throughput ?? [];
  if (list.length) {
    const top = Math.max(...list.map((x) => x.threads));
    const vsLg = over(list, LG_PG, 64);
    const spCeiling = cpuCeiling(at(list, SP_PG, 64));
    const lgRate = at(list, LG_PG, 64)?.flowsPerS;
    const bound =
      spCeiling !== undefined && lgRate !== undefined
        ? `; Savepoint's CPU ceiling at 64 threads, ${rate(spCeiling)} flows/s, is ${ratio(spCeiling / lgRate)} LangGraph.js's rate`
        : "";
    out.push({
      backend: "PostgreSQL",
      goal: "P1: Savepoint at least 10x LangGraph.js's Postgres saver at 64 threads",
      measured:
        vsLg === undefined
          ? `not measured at 64 threads (largest ${top})`
          : `${ratio(vsLg)} (${rate(at(list, SP_PG, 64)!.flowsPerS)} vs ${rate(at(list, LG_PG, 64)!.flowsPerS)} flows/s; DBOS ${ratio(over(list, DBOS_PG, 64))}${bound})`,
      met: vsLg === undefined ? null : vsLg >= 10,
    });
    const s = scaling(list, SP_PG);
    const ceiling8 = cpuCeiling(at(list, SP_PG, 8));
    const one = at(list, SP_PG, 1)?.flowsPerS;
    const bound8 =
      ceiling8 !== undefined && one !== undefined
        ? `; its CPU ceiling at 8 threads, ${rate(ceiling8)} flows/s, is ${ratio(ceiling8 / one)} its rate on 1`
        : "";
    out.push({
      backend: "PostgreSQL",
      goal: "P1: Savepoint scales at least 4x from 1 to 8 threads",
      measured:
        s === undefined
          ? "not measured"
          : `${ratio(s)} (${rate(at(list, SP_PG, 1)!.flowsPerS)} to ${rate(at(list, SP_PG, 8)!.flowsPerS)} flows/s${bound8})`,
      met: s === undefined ? null : s >= 4,
    });
  }
  const warmUs = r.cold?.savepoint.warmUs;
  if (r.cold && warmUs !== undefined) {
    const lgUs = r.cold.langgraph.warmUs;
    const x = warmOver(r.cold);
    out.push({
      backend: "memory",
      goal: "fixed cost: the essay-review flow (both invokes) at most 40 µs once warm",
      measured: `${warmUs.toFixed(1)} µs per flow${lgUs === undefined ? "" : ` (LangGraph.js ${(lgUs / 1000).toFixed(2)} ms, ${ratio(x)})`}`,
      met: warmUs <= 40,
    });
  }
  if (r.cold) {
    const x = r.cold.langgraph.ms / r.cold.savepoint.ms;
    out.push({
      backend: "memory",
      goal: `C1: the first ${r.cold.flows} flows of a fresh process at least 25x faster than LangGraph.js`,
      measured: `${ratio(x)} (${ms(r.cold.savepoint.ms)} vs ${ms(r.cold.langgraph.ms)})`,
      met: x >= 25,
    });
  }
  return out;
}

/** LangGraph.js's warm per-flow time over Savepoint's, when both were measured. */
function warmOver(cold: ColdResult): number | undefined {
  const { savepoint, langgraph } = cold;
  return savepoint.warmUs && langgraph.warmUs ? langgraph.warmUs / savepoint.warmUs : undefined;
}

/** The targets as the standalone runs print them, under their section. */
export function targetLines(targets: readonly Target[]): string[] {
  return targets.map(
    (t) =>
      `- **${t.met === null ? "not measured" : t.met ? "met" : "missed"}** (${t.backend}) ${t.goal}: ${t.measured}.`,
  );
}

export { C1_HEADING, P1_HEADING };
