// Runs the workload table on one backend: open it, measure its anchor, run
// each selected workload at each N (implementations alternating, the anchor
// right before each of their runs: stats.ts), then the studies that need it
// open, and close it.
import type { Backend, OpenBackend } from "./backends/index.js";
import type { ResultsBuilder } from "./collect.js";
import type { DbosFlows } from "./dbos.js";
import { describe, detail, say } from "./log.js";
import type { Plan } from "./plan.js";
import { rowLine } from "./report.js";
import { BACKEND_LABELS, type Cell, type ImplId, type Row, type WorkloadId } from "./results.js";
import { compareAdaptive, median, progressDone, type Side, type SideResult } from "./stats.js";
import { implementations, studiesFor, type Workload } from "./suite.js";

interface Case {
  backend: Row["backend"];
  workload: Row["workload"];
  param: string;
  n?: number;
  unit: string;
  sides: Side[];
  /** The anchor measured up front; the row cites the one measured alongside when the case ran it. */
  anchor?: Row["anchor"];
  skipped: [ImplId, string][];
  sizeNote?: (size: number) => string;
}

/**
 * The anchor a row cites: the runs taken right before the side its ratio
 * reads (sync where the backend has it, see report.ts' spOverAnchor), else
 * every run of the anchor in the case.
 */
function alongsideAnchor(measured: Record<string, SideResult>): number | undefined {
  const anchor = measured.anchor;
  const cited = anchor?.before?.["sp:sync"] ?? anchor?.before?.["sp:default"];
  return cited?.length ? median(cited) : anchor?.us;
}

/** Measures one case and adds its row; a case that throws is a failure, and the run goes on. */
async function runCase(c: Case, plan: Plan, out: ResultsBuilder): Promise<void> {
  const { backend, workload, param } = c;
  const title = `${BACKEND_LABELS[backend]} ${workload} ${param}`;
  say(`${title}: ${c.sides.map((s) => s.id).join(", ")}`);
  let measured: Awaited<ReturnType<typeof compareAdaptive>>;
  try {
    measured = await compareAdaptive(c.sides, {
      runs: plan.runs,
      runBudgetMs: plan.runBudgetMs,
      caseBudgetMs: plan.caseBudgetMs,
      capMs: plan.capMs,
      ...(detail ? { progress: detail } : {}),
    });
  } catch (err) {
    const reason = describe(err);
    out.fail(`${title}: ${reason}`);
    progressDone();
    console.log(`!!! FAILED ${title}: ${reason.split("\n")[0]}`);
    return;
  }
  const cells: Row["cells"] = {};
  for (const s of c.sides) {
    const m = measured[s.id]!;
    if (s.id === "anchor") continue;
    const notes: string[] = [];
    if (m.note) notes.push(m.note);
    else {
      if (m.size !== s.wanted && c.sizeNote) notes.push(c.sizeNote(m.size));
      if (m.runs < plan.runs) notes.push(m.runs === 1 ? "1 run" : `${m.runs} runs`);
    }
    const cell: Cell = { runs: m.runs, samples: m.samples };
    if (m.us !== undefined) cell.us = m.us;
    if (notes.length) cell.note = notes.join(", ");
    cells[s.id as ImplId] = cell;
  }
  for (const [impl, note] of c.skipped) cells[impl] = { note };
  const row: Row = { backend, workload, param, unit: c.unit, cells };
  if (c.n !== undefined) row.n = c.n;
  const alongside = alongsideAnchor(measured);
  if (c.anchor) row.anchor = alongside !== undefined ? { ...c.anchor, us: alongside } : c.anchor;
  out.addRow(row);
  progressDone();
  console.log(rowLine(row));
}

async function runWorkloads(
  backend: Backend,
  open: OpenBackend,
  dbos: DbosFlows | undefined,
  workloads: readonly Workload[],
  plan: Plan,
  out: ResultsBuilder,
): Promise<void> {
  // The anchor first, right before the workloads it anchors; it also runs
  // inside the anchored cases, right before each implementation's every run
  // (interleaved), so a ratio compares figures taken moments apart.
  say(`anchor: ${open.anchor.what}`);
  const first = await open.anchor.measure(
    { runs: plan.runs, warmup: true, ...(detail ? { progress: detail } : {}) },
    plan,
  );
  out.addAnchors(first.figures);
  const anchor = { name: open.anchor.name, us: first.us };
  const loop = await open.anchor.loop(plan);
  const anchorSide: Side = {
    id: "anchor",
    wanted: loop.ops,
    fixed: true,
    probe: loop.ops,
    ops: (n) => n,
    run: loop.run,
    interleaved: true,
  };

  const impls = implementations(backend, open, dbos);
  for (const w of workloads) {
    for (const n of w.sizes(plan, backend)) {
      const sides: Side[] = [];
      const skipped: [ImplId, string][] = [];
      for (const impl of impls.filter((i) => w.impls.includes(i.id))) {
        const why = w.skip?.(impl.id, n, plan, backend);
        if (why) skipped.push([impl.id, why]);
        else sides.push({ id: impl.id, ...w.side(impl, n, plan) });
      }
      if (w.anchored) sides.push(anchorSide);
      await runCase(
        {
          backend: backend.id,
          workload: w.id,
          ...w.label(n),
          unit: w.unit,
          sides,
          skipped,
          ...(w.anchored ? { anchor } : {}),
          ...(w.sizeNote ? { sizeNote: w.sizeNote } : {}),
        },
        plan,
        out,
      );
    }
  }
}

/** One backend, start to end; one that does not open is skipped, one that throws is a failure. */
export async function benchBackend(
  backend: Backend,
  workloads: readonly Workload[],
  plan: Plan,
  out: ResultsBuilder,
  /** Every selected id, studies' included (T1, T2, …). */
  selected: readonly WorkloadId[] = workloads.map((w) => w.id),
): Promise<void> {
  if (workloads.length === 0 && studiesFor("backend", [backend.id], selected).length === 0) return;
  const label = BACKEND_LABELS[backend.id];
  say(`opening ${label}`);
  let open: OpenBackend;
  try {
    open = await backend.open();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    out.skip(label, reason);
    progressDone();
    console.log(`\n!!! SKIPPED ${label.toUpperCase()}: ${reason}\n`);
    return;
  }
  let dbos: DbosFlows | undefined;
  try {
    if (open.dbos && workloads.some((w) => w.impls.includes("dbos"))) {
      say("launching DBOS (system database on the same server)");
      dbos = await open.dbos().catch((err) => {
        out.skip("DBOS", String(err?.message ?? err));
        console.log(`\n!!! SKIPPED DBOS: ${err?.message ?? err}\n`);
        return undefined;
      });
    }
    await runWorkloads(backend, open, dbos, workloads, plan, out);
    for (const study of studiesFor("backend", [backend.id], selected))
      await study.run(plan, out, open);
  } catch (err) {
    const reason = describe(err);
    out.fail(`${label}: ${reason}`);
    progressDone();
    console.log(`!!! FAILED ${label}: ${reason.split("\n")[0]}`);
  } finally {
    await dbos?.close();
    await open.close();
  }
}
