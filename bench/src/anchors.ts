// Physical anchors: the cheapest thing each store can do, measured in the
// same process and run as the workloads, so a per-task cost reads as "this
// many times the limit". Each is one awaited operation after another, as the
// sync durability mode awaits one write per task. Every backend (backends/)
// brings its own; this file holds what they share.
import type { Plan } from "./plan.js";
import type { Anchors } from "./results.js";
import { SCHEMA } from "./services.js";
import { type CompareOptions, compare } from "./stats.js";

/** A loop of `ops` anchor operations; resolves to its milliseconds. */
export type AnchorLoop = (ops: number) => Promise<number>;

/** A backend's anchor: measured once before its workloads, and alongside W2 and W3. */
export interface Anchor {
  /** What the progress line names: "raw SET on Redis". */
  what: string;
  /** What the rows cite: "raw SET". */
  name: string;
  /** The figures for the results' anchors table; `us` is the one rows cite. */
  measure(options: CompareOptions, plan: Plan): Promise<{ us: number; figures: Anchors }>;
  /** The loop that runs right before each implementation's runs in a case, and its operations per run. */
  loop(plan: Plan): Promise<{ ops: number; run: AnchorLoop }>;
}

/** µs per operation of each loop, `ops` operations a run, the loops taking turns. */
export async function measureLoops<K extends string>(
  loops: Record<K, AnchorLoop>,
  ops: number,
  options: CompareOptions,
): Promise<Record<K, number>> {
  const entries = Object.entries(loops) as [K, AnchorLoop][];
  const r = await compare(
    entries.map(([id, run]) => ({ id, ops, run: () => run(ops) })),
    options,
  );
  return Object.fromEntries(entries.map(([id]) => [id, r[id]!.us])) as Record<K, number>;
}

/** The SQL stores' anchor: a single-row INSERT into this table, prepared. */
export const RAW_TABLE = `CREATE TABLE IF NOT EXISTS ${SCHEMA}.raw_insert (id bigserial PRIMARY KEY, k text NOT NULL, v bytea NOT NULL)`;
export const RAW_INSERT = `INSERT INTO ${SCHEMA}.raw_insert (k, v) VALUES ($1, $2)`;
export const RAW_VALUE = Buffer.from('{"v":1}');

/**
 * A SQL store's anchor: the single-row INSERT (the figure rows cite, and the
 * loop interleaved in a case) and `SELECT 1`, under the given keys.
 */
export function sqlAnchor(
  where: string,
  keys: { insert: keyof Anchors; select: keyof Anchors },
  insertLoop: () => Promise<AnchorLoop>,
  select: AnchorLoop,
): Anchor {
  return {
    what: `raw INSERT and SELECT 1 ${where}`,
    name: "raw INSERT",
    async measure(options, plan) {
      const r = await measureLoops({ insert: await insertLoop(), select }, plan.anchorOps, options);
      return { us: r.insert, figures: { [keys.insert]: r.insert, [keys.select]: r.select } };
    },
    loop: async (plan) => ({ ops: plan.anchorOps, run: await insertLoop() }),
  };
}
