// The R1 and R2 sections of docs/benchmarks.md: what a thread stores with
// pruning and without, and a sweep of expired threads beside live work.
import { table } from "./markdown.js";
import type { Results } from "./results.js";
import type { RetentionStorageResult, Spread, SweepStudyResult } from "./retention-results.js";
import { formatRatio } from "./stats.js";

export const R1_HEADING = "## R1: one thread's storage after many resumes";
export const R2_HEADING = "## R2: sweeping expired threads beside live work";

const fmt = (n: number) => n.toLocaleString("en-US");
const bytes = (b: number) =>
  b < 2 ** 20
    ? `${(b / 1024).toFixed(1)} KB`
    : `${(b / 2 ** 20).toFixed(b < 10 * 2 ** 20 ? 2 : 1)} MB`;
const ms = (x: number) => (x < 10 ? `${x.toFixed(2)} ms` : `${x.toFixed(1)} ms`);
const perS = (x: number) => fmt(Math.round(x));
const s = (x: number) => `${x.toFixed(x < 10 ? 2 : 1)} s`;
const range = (x: Spread, unit: (v: number) => string) =>
  `${unit(x.median)} (${unit(x.min)}–${unit(x.max)})`;

/** Where a section's figures come from, when it is rewritten on its own. */
export interface SectionSource {
  command: string;
  date: string;
}

const sourceLine = (source: SectionSource | undefined) =>
  source
    ? ` Figures from \`${source.command}\`, ${source.date.slice(0, 16).replace("T", " ")} UTC.`
    : "";

/** The R1 section. */
export function renderRetentionStorage(
  storage: readonly RetentionStorageResult[],
  source?: SectionSource,
): string {
  const resumes = storage[0]?.resumes ?? 0;
  const tenth = Math.max(1, Math.round(resumes / 10));
  const lg = storage.find((x) => x.saver.startsWith("LangGraph") && !x.variant.includes("exit"));
  const rows = storage.map((x) => {
    const unpruned = storage.find((y) => y.saver === x.saver && !y.pruned && y !== x);
    return [
      x.saver,
      x.variant,
      fmt(x.checkpoints),
      bytes(x.bytesAtTenth),
      bytes(x.bytes),
      x.pruned && unpruned ? formatRatio(unpruned.bytes / x.bytes) : "-",
      lg && x !== lg ? formatRatio(lg.bytes / x.bytes) : "-",
      x.prune ? `${ms(x.prune.medianMs)} (${ms(x.prune.minMs)}–${ms(x.prune.maxMs)})` : "-",
    ];
  });
  return [
    R1_HEADING,
    "",
    `One thread, ${fmt(resumes)} turns of a workflow whose state grows every turn (\`bench/src/retention-storage.ts\`): ` +
      "each run adds a line of about 100 bytes to a list it keeps as its saved state (`getPreviousState()`), a task writes the line, " +
      "an interrupt waits for the reviewer, and the resume finishes the run; so the thread is resumed once per turn and holds a new " +
      "version of the list each time. Savepoint runs on every saver without pruning and with " +
      '`workflow.prune([threadId], { keep: "latest" })` after each resume; LangGraph.js runs the same thread as a `StateGraph` ' +
      "(a node writes the line, the next interrupts and appends it) on its `PostgresSaver`, in its default durability and with " +
      '`durability: "exit"` (a checkpoint only where the graph stops). LangGraph.js has no prune: short of `deleteThread`, which ' +
      "removes the thread, the durability is all it offers. *Stored* is measured as in S1 (live rows on Postgres and PGlite, with " +
      "TOAST compression; `MEMORY USAGE` on Redis; the encoded values on memory); the space of deleted rows is reused by Postgres " +
      "after autovacuum, not counted here. The sides of one store run in lockstep, each on storage of its own. *Prune call* is one " +
      `\`workflow.prune\` over the thread's ${fmt(resumes)} calls: median (min–max).${sourceLine(source)}`,
    "",
    table(
      [
        "saver",
        "variant",
        "checkpoints kept",
        `stored after ${fmt(tenth)} resumes`,
        `stored after ${fmt(resumes)}`,
        "unpruned ÷ this",
        "LangGraph.js ÷ this",
        "prune call",
      ],
      rows,
    ),
  ].join("\n");
}

/** The R2 section. */
export function renderSweep(x: SweepStudyResult, source?: SectionSource): string {
  const ratio = (during: Spread, baseline: Spread) => formatRatio(during.median / baseline.median);
  return [
    R2_HEADING,
    "",
    `A PostgreSQL saver with \`ttl: { idle: "1h" }\` holding ${fmt(x.threads)} finished threads that have expired ` +
      "(two checkpoints and a task write each, written through the saver's `put` and `putWrites` in parallel; the setup is timed " +
      "apart and not counted), swept with `saver.sweep({ now, limit: 1000 })` until `more` is false (`bench/src/retention-sweep.ts`). " +
      `Beside it, ${x.concurrency} essay-review flows at a time (write an essay, pause, resume) run on threads of their own; ` +
      "the same loop also runs alone, for as long as the previous sweep took, on the same table just before the sweep. " +
      "Latencies are per flow (both invokes), p50 and p99 over each run's flows; *flows per second* is what the 8 workers finished per second of the loop. " +
      `Each of ${x.runs} runs starts on a fresh schema, after a warm-up run at a tenth of the size; figures are medians of the runs ` +
      "(min–max). Every run's sweep removed exactly the expired threads, and " +
      `${x.failedFlows === 0 ? "no live flow failed" : `${fmt(x.failedFlows)} live flows failed`}.${sourceLine(source)}`,
    "",
    table(
      [
        "expired threads",
        "setup (not counted)",
        "sweep",
        "threads per second",
        "calls",
        "one call: median (largest)",
      ],
      [
        [
          fmt(x.threads),
          range(x.setupS, s),
          range(x.sweepS, s),
          range(x.threadsPerS, perS),
          fmt(x.calls),
          `${ms(x.callMs.median)} (${ms(x.callMs.max)})`,
        ],
      ],
    ),
    "",
    table(
      ["live flows (both invokes)", "flows per second", "p50", "p99"],
      [
        [
          "alone",
          range(x.flowsPerS.baseline, perS),
          range(x.p50.baseline, ms),
          range(x.p99.baseline, ms),
        ],
        [
          "during the sweep",
          range(x.flowsPerS.during, perS),
          range(x.p50.during, ms),
          range(x.p99.during, ms),
        ],
        [
          "during ÷ alone",
          ratio(x.flowsPerS.during, x.flowsPerS.baseline),
          ratio(x.p50.during, x.p50.baseline),
          ratio(x.p99.during, x.p99.baseline),
        ],
      ],
    ),
  ].join("\n");
}

/** Both sections as the full page shows them, or nothing when neither ran. */
export function renderRetention(r: Pick<Results, "retentionStorage" | "sweep">): string[] {
  const lines: string[] = [];
  if (r.retentionStorage?.length) lines.push(renderRetentionStorage(r.retentionStorage), "");
  if (r.sweep) lines.push(renderSweep(r.sweep), "");
  return lines;
}
