import {
  type Interrupt,
  type ListedThread,
  matchesMetadataFilter,
  type SaverThreadQuery,
  type StoredLocation,
  type ThreadStatus,
} from "@savepoint/core";
import { fromHex, toHex } from "./keys.js";
import type { StoredThread, ThreadRecords } from "./thread-records.js";

// `listThreads`: candidates from a workflow's listing set, in (updatedAt,
// thread hex) descending order, each confirmed against the thread's own
// record before it is listed (why, and what a listing repairs: the top of
// thread-records.ts). Thread ids order as their hex, which is code-point
// order (JavaScript's `<` differs only for ids with characters above U+FFFF
// against U+E000..U+FFFF), the order the keyset cursor continues in.

const HEX = /^(?:[0-9a-f]{2})*$/;

/**
 * Up to `query.limit` threads matching `query`, newest update first (see
 * the contract's `ThreadListing`).
 *
 * @example
 * ```ts
 * const rows = await listThreads(records, { entrypoint: "review", limit: 50 });
 * ```
 */
export async function listThreads(
  records: ThreadRecords,
  query: SaverThreadQuery,
): Promise<ListedThread[]> {
  const limit = Math.min(1000, Math.max(1, Math.floor(query.limit)));
  if (query.threadId !== undefined) {
    const record = await records.read(query.threadId);
    const row = record && (await accepted(records, record, query));
    return row ? [row] : [];
  }
  const part = listPart(query.status);
  const key = records.listKey(query.entrypoint, part);
  const out: ListedThread[] = [];
  let tie: { score: string; hex: string } | undefined;
  let max = query.updatedBefore === undefined ? "+inf" : `(${query.updatedBefore}`;
  const min = query.updatedAfter === undefined ? "-inf" : `(${query.updatedAfter}`;
  if (query.after) {
    const { updatedAt, threadId } = query.after;
    if (query.updatedBefore === undefined || updatedAt < query.updatedBefore) {
      tie = { score: String(updatedAt), hex: toHex(threadId) };
      max = `(${updatedAt}`;
    }
  }
  const batch = Math.min(1000, Math.max(limit + 1, 50));
  const seen = new Set<string>();
  for (;;) {
    const entries = await records.page(key, tie, max, min, batch);
    const read = await Promise.all(
      entries.map((e) => (HEX.test(e.hex) ? records.read(fromHex(e.hex)) : undefined)),
    );
    const end = entries.length >= batch ? entries[entries.length - 1] : undefined;
    for (let i = 0; i < entries.length; i++) {
      const { hex, score } = entries[i]!;
      const record = read[i];
      const listed = (r: StoredThread) =>
        r.entrypoint === query.entrypoint && (part === "all" || r.status === part);
      if (!record || !listed(record)) {
        await records.drop(key, hex, listed);
        continue;
      }
      const at = Number(score);
      if (record.updatedAt !== at) {
        await records.repair(key, hex, record.updatedAt, at);
        // Its own place is still to be read: it is met there (by the next page).
        if (end && before(record.updatedAt, hex, end)) continue;
      }
      const row = seen.has(hex) ? undefined : await accepted(records, record, query);
      seen.add(hex);
      // In order by its record, not by where its entry was met; accepted()
      // has checked it lies within the query's bounds and cursor.
      if (row) insertInOrder(out, row, limit);
      if (out.length >= limit) return out;
    }
    if (entries.length < batch) return out;
    const last = entries[entries.length - 1]!;
    tie = { score: last.score, hex: last.hex };
    max = `(${last.score}`;
  }
}

// Whether position (updatedAt, hex) comes after `entry` in listing order.
function before(updatedAt: number, hex: string, entry: { score: string; hex: string }): boolean {
  const score = Number(entry.score);
  return updatedAt < score || (updatedAt === score && hex < entry.hex);
}

// Inserts `row` at its place (updatedAt, then thread hex, descending), keeping at most `limit`.
function insertInOrder(out: ListedThread[], row: ListedThread, limit: number): void {
  const hex = toHex(row.threadId);
  let i = out.length;
  while (
    i > 0 &&
    before(out[i - 1]!.updatedAtMs, toHex(out[i - 1]!.threadId), {
      score: String(row.updatedAtMs),
      hex,
    })
  )
    i--;
  out.splice(i, 0, row);
  if (out.length > limit) out.length = limit;
}

// The set a listing reads: a status's own set when the statuses asked for
// are one stored status ("stalled" is stored as "running"), else "all".
function listPart(statuses: readonly ThreadStatus[] | undefined): string {
  if (!statuses || statuses.length === 0) return "all";
  const stored = new Set(statuses.map((s) => (s === "stalled" ? "running" : s)));
  return stored.size === 1 ? [...stored][0]! : "all";
}

function statusOf(record: StoredThread): ThreadStatus {
  if (
    record.status === "running" &&
    record.leaseUntil !== undefined &&
    record.leaseUntil < record.now
  ) {
    return "stalled";
  }
  return record.status;
}

// The listed row of `record` when it matches `query`, else undefined.
async function accepted(
  records: ThreadRecords,
  record: StoredThread,
  query: SaverThreadQuery,
): Promise<ListedThread | undefined> {
  const status = statusOf(record);
  if (record.entrypoint !== query.entrypoint) return;
  if (query.status && !query.status.includes(status)) return;
  if (query.updatedBefore !== undefined && !(record.updatedAt < query.updatedBefore)) return;
  if (query.updatedAfter !== undefined && !(record.updatedAt > query.updatedAfter)) return;
  if (query.after) {
    const { updatedAt, threadId } = query.after;
    const hex = toHex(record.threadId);
    if (
      !(record.updatedAt < updatedAt || (record.updatedAt === updatedAt && hex < toHex(threadId)))
    )
      return;
  }
  const where: StoredLocation = { threadId: record.threadId, checkpointId: record.checkpointId };
  const entries: [string, unknown][] = [];
  for (const [key, value] of record.metadata) {
    entries.push([
      key,
      await records.codec.decodeValue(value, { ...where, part: "thread metadata" }),
    ]);
  }
  // fromEntries makes a key named "__proto__" an own property, never the prototype.
  const metadata: Record<string, unknown> = Object.fromEntries(entries);
  if (query.metadata && !matchesMetadataFilter(metadata, query.metadata)) return;
  const interrupts = record.interrupts
    ? await records.codec.decodeValue(record.interrupts, { ...where, part: "thread interrupts" })
    : [];
  return {
    threadId: record.threadId,
    entrypoint: record.entrypoint,
    status,
    interrupts: interrupts as Interrupt[],
    metadata,
    createdAt: new Date(record.createdAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
    updatedAtMs: record.updatedAt,
    checkpointId: record.checkpointId,
    ...(record.status === "running" && record.leaseUntil !== undefined
      ? { leaseUntil: new Date(record.leaseUntil).toISOString() }
      : {}),
  };
}
