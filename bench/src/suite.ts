// The table of what `pnpm bench` measures: the five workloads, run on every
// backend, and the studies that go with them (statements per resume, peak
// RSS, storage, thread listings, retention). run.ts walks it; a new workload is one more entry here.
import type { Backend, OpenBackend } from "./backends/index.js";
import { measureCold } from "./cold.js";
import type { ResultsBuilder } from "./collect.js";
import type { DbosFlows } from "./dbos.js";
import { langGraphFlows } from "./langgraph.js";
import { describe, fmt, say } from "./log.js";
import type { Plan } from "./plan.js";
import { resumeStatementCounts } from "./queries.js";
import { BACKEND_LABELS, type BackendId, type ImplId, type WorkloadId } from "./results.js";
import { measureRetentionStorage } from "./retention-storage.js";
import { measureSweep } from "./retention-sweep.js";
import { measureRss } from "./rss.js";
import type { Side } from "./stats.js";
import { measureStorage } from "./storage.js";
import { measureListing, measureRecordCost } from "./threads.js";
import { measureThroughput } from "./throughput.js";
import { type Flows, savepointFlows } from "./workloads.js";

/** One implementation on one opened backend. */
export interface Impl {
  id: ImplId;
  /** The programs to run; on memory a fresh saver per call, elsewhere one kept. */
  flows: () => Partial<Flows>;
  /** The largest warm-up size of a per-task workload (DBOS's steps are slower). */
  probeCap: number;
}

/** The implementations a backend offers, in the order they alternate. */
export function implementations(
  backend: Backend,
  open: OpenBackend,
  dbos: DbosFlows | undefined,
): Impl[] {
  const kept = (make: () => Flows) => {
    if (!backend.durable) return make;
    let cached: Flows | undefined;
    return () => {
      cached ??= make();
      return cached;
    };
  };
  const ours = (id: ImplId, durability?: "sync"): Impl => ({
    id,
    flows: kept(() => savepointFlows(open.saver(), durability)),
    probeCap: 1_000,
  });
  const impls = backend.durable
    ? [ours("sp:sync", "sync"), ours("sp:default")]
    : [ours("sp:default")];
  const lg = open.langgraph;
  if (lg) impls.push({ id: "langgraph", flows: kept(() => langGraphFlows(lg())), probeCap: 1_000 });
  if (dbos) impls.push({ id: "dbos", flows: () => dbos, probeCap: 100 });
  return impls;
}

export interface Workload {
  id: WorkloadId;
  /** What one µs figure is per. */
  unit: string;
  /** The implementations that run it (those the backend offers). */
  impls: readonly ImplId[];
  /** Its N values, a row each. */
  sizes(plan: Plan, backend: Backend): readonly number[];
  /** The row's parameter, and `n` where the row keeps it. */
  label(n: number): { param: string; n?: number };
  /** How one implementation is measured at N. */
  side(impl: Impl, n: number, plan: Plan): Omit<Side, "id">;
  /** Why an implementation sits out this N: its cell gets the note. */
  skip?(impl: ImplId, n: number, plan: Plan, backend: Backend): string | undefined;
  /** The backend's anchor alternates with the implementations, and the row cites it. */
  anchored?: boolean;
  /** The note of a cell whose side ran smaller than wanted. */
  sizeNote?(size: number): string;
}

const EVERY: readonly ImplId[] = ["sp:sync", "sp:default", "langgraph", "dbos"];
/** DBOS writes W1 and W2 only. */
const FUNCTIONAL: readonly ImplId[] = ["sp:sync", "sp:default", "langgraph"];
/** Small N repeats the run so one sample covers at least 1,000 tasks. */
const repeats = (size: number) => Math.max(1, Math.ceil(1_000 / size));

export const WORKLOADS: readonly Workload[] = [
  {
    id: "W1",
    unit: "thread",
    impls: EVERY,
    sizes: (plan) => [plan.threads],
    label: (threads) => ({ param: `${fmt(threads)} threads` }),
    side: (impl, threads) => ({
      wanted: threads,
      fixed: false,
      probe: 10,
      ops: (t) => t,
      run: (t) => impl.flows().reviewFlow!(t),
    }),
    sizeNote: (threads) => `${fmt(threads)} threads`,
  },
  {
    id: "W2",
    unit: "task",
    impls: EVERY,
    anchored: true,
    sizes: (plan, backend) => (backend.durable ? plan.sizes : plan.memorySizes),
    label: (n) => ({ param: `N = ${fmt(n)}`, n }),
    skip: (impl, n, plan, backend) => {
      if (impl !== "langgraph" || plan.lgSizes.includes(n)) return undefined;
      // On memory, the peak RSS study runs it once, capped, in a process of its own.
      return backend.durable
        ? "not run: over the time budget"
        : "see the peak RSS table: one capped run";
    },
    side: (impl, n) => ({
      wanted: n,
      fixed: true,
      probe: Math.min(n, impl.probeCap),
      ops: (size) => size * repeats(size),
      run: async (size) => {
        let ms = 0;
        for (let r = 0; r < repeats(size); r++) ms += await impl.flows().sequential!(size);
        return ms;
      },
    }),
  },
  {
    id: "W3",
    unit: "task",
    impls: FUNCTIONAL,
    anchored: true,
    sizes: (plan) => [plan.parallel],
    label: (width) => ({ param: `${fmt(width)} parallel tasks` }),
    side: (impl, width, plan) => ({
      wanted: plan.parallelReps,
      fixed: false,
      probe: 1,
      ops: (reps) => width * reps,
      run: async (reps) => {
        let ms = 0;
        for (let r = 0; r < reps; r++) ms += await impl.flows().parallel!(width);
        return ms;
      },
    }),
  },
  {
    id: "W4",
    unit: "resume",
    impls: FUNCTIONAL,
    sizes: (plan) => [plan.resumeTasks],
    label: (tasks) => ({ param: `${fmt(tasks)} finished tasks` }),
    side: (impl, tasks) => ({
      wanted: tasks,
      fixed: true,
      probe: tasks,
      ops: () => 1,
      run: (t) => impl.flows().resume!(t),
    }),
  },
  {
    id: "W5",
    unit: "read",
    impls: FUNCTIONAL,
    sizes: (plan) => [plan.history],
    label: (checkpoints) => ({ param: `${fmt(checkpoints)} checkpoints` }),
    side: (impl, checkpoints) => {
      // One Flows per side, kept: the thread with the history is built once (in the warm-up).
      const flows = impl.flows();
      return {
        wanted: checkpoints,
        fixed: true,
        probe: checkpoints,
        ops: () => 1,
        run: (c) => flows.history!(c),
      };
    },
  },
];

/** A measurement beside the workloads' rows, run when its workload and backend are selected. */
export interface Study {
  workload: WorkloadId;
  backend: BackendId;
  /** "backend": while that backend is open, after its workloads; "end": after every backend. */
  when: "backend" | "end";
  /** `open`: the backend, for studies run while it is open. */
  run(plan: Plan, out: ResultsBuilder, open?: OpenBackend): Promise<void>;
}

// T1 and T2 on each durable saver, while its backend is open.
const threadStudies: Study[] = (["pglite", "postgres", "redis"] as const).flatMap((backend) => [
  {
    workload: "T1",
    backend,
    when: "backend",
    async run(plan, out, open) {
      // PGlite is one connection: seeding in parallel only queues.
      const parallel = backend === "pglite" ? 1 : 8;
      out.addListing(
        await measureListing(
          BACKEND_LABELS[backend],
          open!.storeOfItsOwn,
          plan.listingSizes,
          Math.max(plan.runs, 5) * 8,
          parallel,
        ),
      );
    },
  },
  {
    workload: "T2",
    backend,
    when: "backend",
    async run(plan, out, open) {
      out.addRecordCost(
        await measureRecordCost(
          BACKEND_LABELS[backend],
          open!.saver(),
          plan.recordFlows,
          Math.max(plan.runs, 5),
        ),
      );
    },
  },
]);

// R1 on each saver on storage of its own (LangGraph.js's sides with
// PostgreSQL), and R2 on PostgreSQL, after every backend has closed.
const retentionStudies: Study[] = [
  ...(["memory", "pglite", "postgres", "redis"] as const).map(
    (backend): Study => ({
      workload: "R1",
      backend,
      when: "end",
      async run(plan, out) {
        try {
          out.addRetentionStorage(await measureRetentionStorage(backend, plan.retentionResumes));
        } catch (err) {
          out.fail(`R1 ${BACKEND_LABELS[backend]}: ${describe(err)}`);
        }
      },
    }),
  ),
  {
    workload: "R2",
    backend: "postgres",
    when: "end",
    async run(plan, out) {
      try {
        out.setSweep(await measureSweep(plan.sweepThreads, Math.max(plan.runs, 5)));
      } catch (err) {
        out.fail(`R2 PostgreSQL: ${describe(err)}`);
      }
    },
  },
];

// P1 on stores of its own (PostgreSQL with LangGraph.js and DBOS beside
// Savepoint, PGlite, Redis), and C1 in child processes, after every backend has closed.
const coldAndThroughput: Study[] = [
  {
    workload: "P1",
    backend: "postgres",
    when: "end",
    async run(plan, out) {
      try {
        out.setThroughput(
          await measureThroughput(plan.throughput, (label, reason) => out.skip(label, reason)),
        );
      } catch (err) {
        out.fail(`P1: ${describe(err)}`);
      }
    },
  },
  {
    workload: "C1",
    backend: "memory",
    when: "end",
    async run(plan, out) {
      try {
        const cold = await measureCold(plan.cold);
        out.setCold(cold);
        const cell = (side: typeof cold.savepoint) => ({
          us: (side.ms * 1000) / cold.flows,
          runs: side.samples.length,
          samples: side.samples.map((ms) => (ms * 1000) / cold.flows),
        });
        out.addRow({
          backend: "memory",
          workload: "C1",
          param: `first ${fmt(cold.flows)} flows, fresh process`,
          unit: "thread",
          cells: { "sp:default": cell(cold.savepoint), langgraph: cell(cold.langgraph) },
        });
        const warm = (side: typeof cold.savepoint) =>
          side.warmUs === undefined
            ? undefined
            : { us: side.warmUs, runs: cold.processes, samples: side.warmSamples ?? [] };
        const [spWarm, lgWarm] = [warm(cold.savepoint), warm(cold.langgraph)];
        if (spWarm && lgWarm)
          out.addRow({
            backend: "memory",
            workload: "C1",
            param: `warm, after ${fmt((cold.warmRounds ?? 0) * cold.flows)} flows`,
            unit: "thread",
            cells: { "sp:default": spWarm, langgraph: lgWarm },
          });
      } catch (err) {
        out.fail(`C1: ${describe(err)}`);
      }
    },
  },
];

export const STUDIES: readonly Study[] = [
  ...threadStudies,
  ...retentionStudies,
  ...coldAndThroughput,
  {
    // One LangGraph.js chat thread under every saver: bytes stored, per-turn time.
    workload: "S1",
    backend: "postgres",
    when: "end",
    async run(plan, out) {
      out.setStorage(await measureStorage(plan.storageTurns));
    },
  },
  {
    workload: "W4",
    backend: "postgres",
    when: "backend",
    async run(plan, out) {
      say("W4: statements per resume (postgres.js debug hook)");
      out.setQueries(await resumeStatementCounts(plan.countSizes));
    },
  },
  {
    // Peak RSS, one fresh process per case; LangGraph's run is capped.
    workload: "W2",
    backend: "memory",
    when: "end",
    async run(plan, out) {
      for (const n of plan.rssSizes) {
        for (const impl of ["savepoint", "langgraph"] as const) {
          say(
            `peak RSS: ${impl} W2 N = ${fmt(n)} in a child process (cap ${plan.rssCapMs / 1000} s)`,
          );
          out.addRss(await measureRss(impl, n, plan.rssCapMs));
        }
      }
    },
  },
];

export function studiesFor(
  when: Study["when"],
  backends: readonly BackendId[],
  workloads: readonly (WorkloadId | { id: WorkloadId })[],
): Study[] {
  const ids = workloads.map((w) => (typeof w === "string" ? w : w.id));
  return STUDIES.filter(
    (s) => s.when === when && backends.includes(s.backend) && ids.includes(s.workload),
  );
}
