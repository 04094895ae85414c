// P1: throughput with many threads. 1, 8, 32 and 64 threads run the
// essay-review flow at once, each thread one flow after another, until a
// round's flows are done; the figure is flows per second over the round.
// Each contender (throughput-sides.ts) runs a warm-up round, then rounds
// alternate between the contenders at each thread count, so drift on the
// shared machine hits all alike. Every round also records where its time
// went: Node's CPU (process.cpuUsage), the Postgres processes' CPU and what
// their busy backends waited on (pg-load.ts), and the WAL it wrote.
import { availableParallelism } from "node:os";
import postgres from "postgres";
import { describe, say } from "./log.js";
import { cpuBetween, postgresCpu, WaitSampler, type WaitShares, walBytes } from "./pg-load.js";
import { DATABASE_URL } from "./services.js";
import { collectGarbage, median } from "./stats.js";
import type { ThroughputPlan, ThroughputResult } from "./throughput-results.js";
import { THROUGHPUT_SIDES, type ThroughputSide } from "./throughput-sides.js";

export type { ThroughputPlan, ThroughputResult } from "./throughput-results.js";

interface Round {
  ms: number;
  nodeCpuMs: number;
  pgCpuMs?: number;
  walBytes?: number;
}

async function round(
  side: ThroughputSide,
  threads: number,
  flows: number,
  probe: { sql: postgres.Sql } | undefined,
): Promise<Round> {
  let started = 0;
  const worker = async () => {
    while (started < flows) {
      started++;
      await side.flow();
    }
  };
  collectGarbage();
  const wal0 = probe ? await walBytes(probe.sql) : undefined;
  const pg0 = probe ? postgresCpu() : undefined;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: threads }, worker));
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const pgCpuMs = probe ? cpuBetween(pg0, postgresCpu()) : undefined;
  const wal1 = probe ? await walBytes(probe.sql) : undefined;
  return {
    ms,
    nodeCpuMs: (cpu.user + cpu.system) / 1000 / flows,
    ...(pgCpuMs !== undefined ? { pgCpuMs: pgCpuMs / flows } : {}),
    ...(wal0 !== undefined && wal1 !== undefined ? { walBytes: (wal1 - wal0) / flows } : {}),
  };
}

function mergeWaits(all: WaitShares[]): WaitShares | undefined {
  if (all.length === 0) return undefined;
  const avg = (k: keyof WaitShares) => all.reduce((s, w) => s + w[k], 0) / all.length;
  return {
    cpu: avg("cpu"),
    commit: avg("commit"),
    lock: avg("lock"),
    other: avg("other"),
    busy: avg("busy"),
  };
}

/**
 * P1 on every contender that opens (one that does not is reported by
 * `skipped` and left out), at each thread count.
 */
export async function measureThroughput(
  plan: ThroughputPlan,
  skipped: (label: string, reason: string) => void = () => {},
  only?: (label: string) => boolean,
): Promise<ThroughputResult[]> {
  const sides: ThroughputSide[] = [];
  for (const s of THROUGHPUT_SIDES.filter((s) => only?.(s.label) ?? true)) {
    try {
      sides.push(await s.open());
    } catch (err) {
      say(`!!! P1: SKIPPED ${s.label}: ${err instanceof Error ? err.message : err}`);
      skipped(s.label, describe(err));
    }
  }
  const probeSql = sides.some((s) => s.store === "PostgreSQL")
    ? postgres(DATABASE_URL, { onnotice: () => {}, max: 1 })
    : undefined;
  const sampler = probeSql ? new WaitSampler() : undefined;
  const out: ThroughputResult[] = [];
  try {
    for (const threads of plan.threads) {
      const rounds = new Map<ThroughputSide, Round[]>(sides.map((s) => [s, []]));
      const waits = new Map<ThroughputSide, WaitShares[]>(sides.map((s) => [s, []]));
      say(
        `P1: ${threads} thread${threads === 1 ? "" : "s"}, ${plan.rounds} alternating rounds of ${plan.flowsPerRound} flows`,
      );
      for (const side of sides)
        await round(side, threads, Math.max(threads, plan.flowsPerRound / 2), undefined);
      for (let r = 0; r < plan.rounds; r++) {
        for (const side of sides) {
          const onPostgres = side.store === "PostgreSQL";
          const probe = onPostgres && probeSql ? { sql: probeSql } : undefined;
          // One untimed flow per thread first: a pool that went idle during
          // the other contenders' rounds (Savepoint's owned pool closes
          // connections idle for 1 s) reconnects here, not in the round.
          await Promise.all(Array.from({ length: threads }, () => side.flow()));
          if (probe) sampler!.start();
          rounds.get(side)!.push(await round(side, threads, plan.flowsPerRound, probe));
          const shares = probe ? await sampler!.stop() : undefined;
          if (shares) waits.get(side)!.push(shares);
        }
      }
      for (const side of sides) {
        const list = rounds.get(side)!;
        const rates = list.map((x) => (plan.flowsPerRound * 1000) / x.ms);
        const pg = list.map((x) => x.pgCpuMs).filter((x): x is number => x !== undefined);
        const wal = list.map((x) => x.walBytes).filter((x): x is number => x !== undefined);
        const w = mergeWaits(waits.get(side)!);
        const result: ThroughputResult = {
          label: side.label,
          impl: side.impl,
          store: side.store,
          threads,
          flowsPerRound: plan.flowsPerRound,
          flowsPerS: median(rates),
          min: Math.min(...rates),
          max: Math.max(...rates),
          samples: rates,
          nodeCpuMs: median(list.map((x) => x.nodeCpuMs)),
          ...(pg.length ? { pgCpuMs: median(pg) } : {}),
          ...(wal.length ? { walBytes: median(wal) } : {}),
          ...(w ? { waits: w } : {}),
          cores: availableParallelism(),
        };
        out.push(result);
        say(
          `  ${side.label} at ${threads}: ${result.flowsPerS.toFixed(0)} flows/s (${result.min.toFixed(0)}–${result.max.toFixed(0)}); ` +
            `node ${result.nodeCpuMs.toFixed(2)} ms/flow` +
            (result.pgCpuMs !== undefined
              ? `, postgres ${result.pgCpuMs.toFixed(2)} ms/flow`
              : "") +
            (w
              ? `, waits cpu ${pc(w.cpu)} commit ${pc(w.commit)} lock ${pc(w.lock)} other ${pc(w.other)} (busy ${w.busy.toFixed(1)})`
              : ""),
        );
      }
    }
  } finally {
    await sampler?.close();
    await probeSql?.end({ timeout: 1 });
    for (const side of sides) await side.close().catch(() => {});
  }
  return out;
}

const pc = (x: number) => `${Math.round(x * 100)}%`;
