// The T1 and T2 sections of docs/benchmarks.md, and their targets: thread
// listings at scale, and what keeping thread records costs a run.
import { table } from "./markdown.js";
import type { Results, Target } from "./results.js";
import type { Spread } from "./threads.js";

const ms = (x: number) => (x < 10 ? `${x.toFixed(2)} ms` : `${x.toFixed(1)} ms`);
const us = (x: number) => (x < 100 ? `${x.toFixed(1)} µs` : `${x.toFixed(0)} µs`);

function byBackend<T extends { backend: string }>(items: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) out.set(item.backend, [...(out.get(item.backend) ?? []), item]);
  return out;
}

/** T1's and T2's sections, or nothing when neither ran. */
export function renderThreads(r: Results): string[] {
  const lines: string[] = [];
  if (r.listing?.length) {
    lines.push("## T1: the first page of waiting threads, as the table grows", "");
    lines.push(
      '`workflow.threadsPage({ status: "interrupted", limit: 50 })` on stores holding 1,000 to 100,000 threads of one workflow, half of them interrupted (`bench/src/threads.ts`): each size in a store of its own (a schema, a key prefix) on the same server, all seeded first, then one call on each in turn, the order rotated every round, so a burst of load (autovacuum after the seeding, another process) lands on every size alike. Median of 40 calls per size after a warm-up, with min and max. A listing served by an index stays flat as the table grows.',
      "",
    );
    const rows = [...byBackend(r.listing)].map(([backend, list]) => {
      const first = list[0]!;
      const last = list[list.length - 1]!;
      return [
        backend,
        ...list.map((x) => `${ms(x.firstPageMs)} (${ms(x.min)}–${ms(x.max)})`),
        `${(last.firstPageMs / first.firstPageMs).toFixed(2)}x`,
      ];
    });
    const sizes = r.listing
      .filter((x) => x.backend === r.listing![0]!.backend)
      .map((x) => x.threads.toLocaleString("en-US"));
    lines.push(
      table(["saver", ...sizes.map((s) => `${s} threads`), "largest ÷ smallest"], rows),
      "",
    );
  }
  if (r.recordCost?.length) {
    lines.push("## T2: what keeping thread records costs", "");
    lines.push(
      "The essay-review flow (both invokes) and runs of 100 sequential tasks on each saver, with thread records kept and with the saver's `threads` capability hidden (the runtime then sends no record updates, as before listings existed), alternating flow by flow (and run by run) in one process, the order swapped each time. Each figure is the mean of a side's fastest 90% of samples; the difference is the ratio of those, with in brackets its smallest and largest over eight consecutive blocks of the run. The record rides on writes the run makes anyway: the claim, the interrupt, the end checkpoint; task writes carry none.",
      "",
    );
    lines.push(
      table(
        [
          "saver",
          "flow, with records",
          "flow, without",
          "difference",
          "task, with records",
          "task, without",
          "difference",
        ],
        r.recordCost.map((x) => [
          x.backend,
          us(x.flowWithUs),
          us(x.flowWithoutUs),
          spreadPct(x.flowDifference ?? ratioSpread(x.flowWithUs, x.flowWithoutUs)),
          us(x.taskWithUs),
          us(x.taskWithoutUs),
          spreadPct(x.taskDifference ?? ratioSpread(x.taskWithUs, x.taskWithoutUs)),
        ]),
      ),
      "",
    );
  }
  return lines;
}

/** T1: 100,000 within 1.5x of 1,000; T2: at most 10% on the flow and the task path. */
export function threadTargets(r: Results): Target[] {
  const out: Target[] = [];
  for (const [backend, list] of byBackend(r.listing ?? [])) {
    const first = list[0]!;
    const last = list[list.length - 1]!;
    const ratio = last.firstPageMs / first.firstPageMs;
    out.push({
      backend,
      goal: "T1: first page of interrupted threads flat (largest table within 1.5x of 1,000 threads)",
      measured: `${ms(first.firstPageMs)} at ${first.threads.toLocaleString("en-US")}, ${ms(last.firstPageMs)} at ${last.threads.toLocaleString("en-US")} (${ratio.toFixed(2)}x)`,
      met: last.threads >= 100_000 ? ratio <= 1.5 : null,
    });
  }
  for (const x of r.recordCost ?? []) {
    const flowSpread = x.flowDifference ?? ratioSpread(x.flowWithUs, x.flowWithoutUs);
    const taskSpread = x.taskDifference ?? ratioSpread(x.taskWithUs, x.taskWithoutUs);
    const flow = flowSpread.median;
    const task = taskSpread.median;
    out.push({
      backend: x.backend,
      goal: "T2: thread records cost at most 10% per flow and per task",
      measured: `flow ${signed(flow)}, task ${signed(task)}`,
      met: flow <= 0.1 && task <= 0.1,
    });
  }
  return out;
}

// Results written before pairs were measured carry the medians only.
const ratioSpread = (withUs: number, withoutUs: number): Spread => {
  const d = withUs / withoutUs - 1;
  return { median: d, min: d, max: d };
};

const signed = (d: number) => `${d >= 0 ? "+" : ""}${(d * 100).toFixed(1)}%`;

const spreadPct = (s: Spread) =>
  s.min === s.max ? signed(s.median) : `${signed(s.median)} (${signed(s.min)} to ${signed(s.max)})`;
