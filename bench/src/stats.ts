// Timing helpers shared by every workload: medians, alternating runs, progress.

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Milliseconds since an arbitrary origin (monotonic). */
export const now = () => performance.now();

/**
 * Collects garbage before a timed run when node runs with --expose-gc, so one
 * contender's garbage is not collected on the next one's clock.
 */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/**
 * One implementation in a comparison. `run` does its own untimed preparation
 * and returns the milliseconds of the timed part only; `ops` turns that into
 * a per-operation cost.
 */
export interface Contender {
  id: string;
  ops: number;
  run: () => Promise<number>;
}

export interface Measured {
  /** Median microseconds per operation. */
  us: number;
  /** Every sample, microseconds per operation. */
  samples: number[];
  ops: number;
}

export interface CompareOptions {
  runs: number;
  warmup: boolean;
  progress?: (note: string) => void;
}

/**
 * Runs the contenders round-robin (A, B, C, A, B, C, ...) after one warm-up
 * run each, so drift on a shared machine (other processes, a slowly filling
 * database) hits every contender alike; returns each one's median.
 */
export async function compare(
  contenders: readonly Contender[],
  options: CompareOptions,
): Promise<Record<string, Measured>> {
  const samples = new Map<string, number[]>(contenders.map((c) => [c.id, []]));
  if (options.warmup) {
    for (const c of contenders) {
      options.progress?.(`warm-up ${c.id}`);
      collectGarbage();
      await c.run();
    }
  }
  for (let r = 0; r < options.runs; r++) {
    for (const c of contenders) {
      options.progress?.(`run ${r + 1}/${options.runs} ${c.id}`);
      collectGarbage();
      const ms = await c.run();
      samples.get(c.id)!.push((ms * 1000) / c.ops);
    }
  }
  const out: Record<string, Measured> = {};
  for (const c of contenders) {
    const s = samples.get(c.id)!;
    out[c.id] = { us: median(s), samples: s, ops: c.ops };
  }
  return out;
}

/** Formats microseconds with a unit that keeps three significant digits. */
export function formatUs(us: number | undefined): string {
  if (us === undefined || !Number.isFinite(us)) return "-";
  if (us < 1) return `${(us * 1000).toFixed(0)} ns`;
  if (us < 1000) return `${us.toPrecision(3)} µs`;
  if (us < 1_000_000) return `${(us / 1000).toPrecision(3)} ms`;
  return `${(us / 1_000_000).toPrecision(3)} s`;
}

export function formatRatio(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return "-";
  return x >= 100 ? `${x.toFixed(0)}x` : x >= 10 ? `${x.toFixed(1)}x` : `${x.toFixed(2)}x`;
}

let lastLength = 0;
/** One progress line on stderr, rewritten in place on a terminal. */
export function progress(line: string): void {
  if (process.stderr.isTTY) {
    const text = line.length > 119 ? `${line.slice(0, 118)}…` : line;
    process.stderr.write(`\r${text.padEnd(lastLength)}`);
    lastLength = text.length;
  } else {
    process.stderr.write(`${line}\n`);
  }
}

/** Ends an in-place progress line so the next output starts clean. */
export function progressDone(): void {
  if (process.stderr.isTTY && lastLength > 0) {
    process.stderr.write(`\r${" ".repeat(lastLength)}\r`);
    lastLength = 0;
  }
}

/**
 * One implementation in a comparison whose size adapts to the machine.
 * `fixed` sides keep their size (it is the workload's parameter, like N in
 * W2) and run fewer times when a run is slow; the others (threads in W1)
 * shrink to fit a run into the budget, since their figure is per unit anyway.
 */
export interface Side {
  id: string;
  wanted: number;
  fixed: boolean;
  /** A small size for the warm-up run, which also estimates the cost per unit. */
  probe: number;
  ops: (size: number) => number;
  /** Runs at `size`; returns the milliseconds of the timed part (preparation excluded). */
  run: (size: number) => Promise<number>;
  /**
   * Runs right before each other side in every round rather than once per
   * round (a store's anchor): a ratio to it then compares runs taken moments
   * apart, whatever the other work on a shared machine does in between.
   */
  interleaved?: boolean;
}

export interface AdaptiveOptions {
  runs: number;
  /** What one run of a shrinkable side may take. */
  runBudgetMs: number;
  /** What all the runs of a fixed side may take together (fewer runs beyond it, never fewer than one). */
  caseBudgetMs: number;
  /** A fixed side whose single run would take longer than this is not run. */
  capMs: number;
  progress?: (note: string) => void;
}

export interface SideResult {
  us?: number;
  samples: number[];
  runs: number;
  size: number;
  note?: string;
  /** An interleaved side: its samples by the side each ran right before. */
  before?: Record<string, number[]>;
}

const NICE = [1, 2, 5];
/** The largest 1-2-5 number not above x (at least 1). */
function niceFloor(x: number): number {
  if (x < 1) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  let best = p;
  for (const m of NICE) if (m * p <= x) best = m * p;
  return best;
}

/**
 * Warm-up (and cost estimate) per side, then round-robin runs, so drift on a
 * shared machine hits every side alike. Budgets are wall-clock, preparation
 * included.
 */
export async function compareAdaptive(
  sides: readonly Side[],
  options: AdaptiveOptions,
): Promise<Record<string, SideResult>> {
  const plan = new Map<string, { size: number; runs: number; note?: string }>();
  for (const s of sides) {
    const probe = Math.min(s.probe, s.wanted);
    options.progress?.(`warm-up ${s.id} (size ${probe})`);
    collectGarbage();
    const w0 = performance.now();
    await s.run(probe);
    const wallPerOp = (performance.now() - w0) / s.ops(probe);
    if (s.fixed) {
      const estimate = wallPerOp * s.ops(s.wanted);
      if (estimate > options.capMs) {
        plan.set(s.id, {
          size: s.wanted,
          runs: 0,
          note: `not run: about ${Math.round(estimate / 1000)} s a run here`,
        });
        continue;
      }
      const runs = Math.max(1, Math.min(options.runs, Math.floor(options.caseBudgetMs / estimate)));
      if (probe < s.wanted && runs > 1) {
        options.progress?.(`warm-up ${s.id} (size ${s.wanted})`);
        await s.run(s.wanted);
      }
      plan.set(s.id, { size: s.wanted, runs });
    } else {
      const perUnit = (wallPerOp * s.ops(probe)) / probe;
      const size = Math.min(s.wanted, Math.max(probe, niceFloor(options.runBudgetMs / perUnit)));
      plan.set(s.id, { size, runs: options.runs });
    }
  }
  const samples = new Map<string, number[]>(sides.map((s) => [s.id, []]));
  const before = new Map<string, Record<string, number[]>>();
  const paired = sides.filter((s) => s.interleaved && plan.get(s.id)!.runs > 0);
  const others = sides.filter((s) => !s.interleaved);
  const once = async (s: Side, label: string) => {
    const p = plan.get(s.id)!;
    options.progress?.(`${label} ${s.id} (size ${p.size})`);
    collectGarbage();
    const ms = await s.run(p.size);
    const us = (ms * 1000) / s.ops(p.size);
    samples.get(s.id)!.push(us);
    return us;
  };
  const rounds = Math.max(0, ...[...plan.values()].map((p) => p.runs));
  for (let r = 0; r < rounds; r++) {
    for (const s of others) {
      const p = plan.get(s.id)!;
      if (r >= p.runs) continue;
      for (const a of paired) {
        const us = await once(a, `run ${r + 1} before ${s.id}:`);
        const by = before.get(a.id) ?? {};
        before.set(a.id, by);
        by[s.id] = [...(by[s.id] ?? []), us];
      }
      await once(s, `run ${r + 1}/${p.runs}`);
    }
    // Interleaved sides with nothing left to precede still run their rounds.
    if (others.every((s) => r >= plan.get(s.id)!.runs)) {
      for (const a of paired) if (r < plan.get(a.id)!.runs) await once(a, `run ${r + 1}`);
    }
  }
  const out: Record<string, SideResult> = {};
  for (const s of sides) {
    const p = plan.get(s.id)!;
    const xs = samples.get(s.id)!;
    const result: SideResult = { samples: xs, runs: p.runs, size: p.size };
    if (xs.length) result.us = median(xs);
    if (p.note) result.note = p.note;
    const by = before.get(s.id);
    if (by) result.before = by;
    out[s.id] = result;
  }
  return out;
}
