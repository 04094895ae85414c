// MemorySaver's thread records (the `threads` capability): one record per
// thread, changed in the same synchronous step as the checkpoint or writes
// it accompanies, and listed newest update first. A listing scans and sorts
// the records: memory holds what one process runs, where that is cheap.
import {
  canonicalValue,
  compareCodePoints,
  type Interrupt,
  type ListedThread,
  matchesMetadataFilter,
  type SaverThreadQuery,
  type SerializerProtocol,
  type ThreadStatus,
  type ThreadUpdate,
} from "@savepoint/core";
import type { Encoded, StoredThreadRecord } from "./storage.js";

/** A thread update with its values already encoded and copied, ready to apply. */
export interface PreparedUpdate {
  readonly update: ThreadUpdate;
  readonly interrupts: Encoded | undefined;
  readonly metadata: Record<string, unknown> | undefined;
}

/**
 * Encodes and copies what an update carries, before the saver's atomic step:
 * synchronously with Savepoint's serializer, else in a promise.
 */
export function prepareUpdate(
  update: ThreadUpdate,
  serde: SerializerProtocol,
  encode: (value: unknown, owner: string) => Encoded | Promise<Encoded>,
): PreparedUpdate | Promise<PreparedUpdate> {
  const interrupts =
    update.status === "interrupted"
      ? encode(update.interrupts ?? [], "The interrupts of a thread record")
      : undefined;
  const metadata =
    update.metadata === undefined
      ? undefined
      : canonicalValue(serde, update.metadata, "The metadata of a thread record");
  if (interrupts instanceof Promise || metadata instanceof Promise) {
    return Promise.all([interrupts, metadata]).then(([i, m]) => ({
      update,
      interrupts: i,
      metadata: m as Record<string, unknown> | undefined,
    }));
  }
  return { update, interrupts, metadata: metadata as Record<string, unknown> | undefined };
}

/**
 * Applies a prepared update to `records`, naming `checkpointId` as the
 * thread's latest at `now`. With `onlyIfAt`, nothing changes unless the record still
 * names that checkpoint (a write of a run that is no longer the thread's).
 */
export function applyUpdate(
  records: Map<string, StoredThreadRecord>,
  threadId: string,
  checkpointId: string,
  prepared: PreparedUpdate,
  now: number,
  onlyIfAt?: string,
): void {
  const { update } = prepared;
  const current = records.get(threadId);
  if (onlyIfAt !== undefined && current?.checkpointId !== onlyIfAt) return;
  const record: StoredThreadRecord = current ?? {
    threadId,
    entrypoint: update.entrypoint,
    status: update.status,
    interrupts: undefined,
    metadata: {},
    createdAt: now,
    updatedAt: now,
    checkpointId,
    owner: undefined,
    leaseUntil: undefined,
  };
  record.entrypoint = update.entrypoint;
  record.status = update.status;
  record.interrupts = prepared.interrupts;
  if (prepared.metadata) record.metadata = { ...record.metadata, ...prepared.metadata };
  // Never backwards, so a thread's position in a listing only moves up.
  record.updatedAt = Math.max(now, record.updatedAt);
  record.checkpointId = checkpointId;
  record.owner = update.lease?.owner;
  record.leaseUntil = update.lease ? now + update.lease.ms : undefined;
  if (!current) records.set(threadId, record);
}

function statusOf(record: StoredThreadRecord, now: number): ThreadStatus {
  if (record.status === "running" && record.leaseUntil !== undefined && record.leaseUntil < now)
    return "stalled";
  return record.status;
}

// Newest update first, then thread id descending by code point (UTF-8 byte
// order, as the Postgres and Redis savers order them).
function before(a: StoredThreadRecord, b: { updatedAt: number; threadId: string }): boolean {
  return (
    a.updatedAt < b.updatedAt ||
    (a.updatedAt === b.updatedAt && compareCodePoints(a.threadId, b.threadId) < 0)
  );
}

/** The records `query` asks for, as a saver lists them. */
export async function listRecords(
  records: Map<string, StoredThreadRecord>,
  query: SaverThreadQuery,
  serde: SerializerProtocol,
  decode: (value: Encoded) => unknown,
): Promise<ListedThread[]> {
  const now = Date.now();
  const matches: StoredThreadRecord[] = [];
  const candidates =
    query.threadId === undefined
      ? records.values()
      : [records.get(query.threadId)].filter((r) => r !== undefined);
  for (const record of candidates) {
    if (record.entrypoint !== query.entrypoint) continue;
    if (query.status && !query.status.includes(statusOf(record, now))) continue;
    if (query.updatedBefore !== undefined && !(record.updatedAt < query.updatedBefore)) continue;
    if (query.updatedAfter !== undefined && !(record.updatedAt > query.updatedAfter)) continue;
    if (query.after && !before(record, query.after)) continue;
    if (query.metadata && !matchesMetadataFilter(record.metadata, query.metadata)) continue;
    matches.push(record);
  }
  matches.sort((a, b) => (before(a, b) ? 1 : before(b, a) ? -1 : 0));
  const out: ListedThread[] = [];
  for (const record of matches.slice(0, query.limit)) {
    let interrupts: unknown = record.interrupts === undefined ? [] : decode(record.interrupts);
    if (interrupts instanceof Promise) interrupts = await interrupts;
    out.push({
      threadId: record.threadId,
      entrypoint: record.entrypoint,
      status: statusOf(record, now),
      interrupts: interrupts as Interrupt[],
      metadata: (await canonicalValue(serde, record.metadata, "Thread metadata")) as Record<
        string,
        unknown
      >,
      createdAt: new Date(record.createdAt).toISOString(),
      updatedAt: new Date(record.updatedAt).toISOString(),
      updatedAtMs: record.updatedAt,
      checkpointId: record.checkpointId,
      ...(record.leaseUntil !== undefined && record.status === "running"
        ? { leaseUntil: new Date(record.leaseUntil).toISOString() }
        : {}),
    });
  }
  return out;
}
