// The saver's side of thread records (the `threads` capability): what an
// update binds to its statement, and how a listed row becomes a
// ListedThread. Interrupt payloads are arbitrary values, so they go through
// the same column codec as writes; metadata is jsonb, encoded as checkpoint
// metadata is, so a record's metadata merges with `||` and filters exactly.
import type {
  Interrupt,
  ListedThread,
  SaverThreadQuery,
  ThreadStatus,
  ThreadUpdate,
} from "@savepoint/core";
import { keyOf } from "./identifiers.js";
import type { Queryable, Row } from "./sql.js";
import type { Statements } from "./statements.js";
import type { ValueCodec } from "./values.js";

// A process runs a handful of entrypoints, and every record update of one
// binds the same key: hash each name once. Bounded, so names made up per
// call cannot grow it.
const entrypointKeys = new Map<string, Buffer>();
const MAX_ENTRYPOINT_KEYS = 256;

function entrypointKeyOf(entrypoint: string): Buffer {
  let key = entrypointKeys.get(entrypoint);
  if (key === undefined) {
    key = keyOf(entrypoint);
    if (entrypointKeys.size >= MAX_ENTRYPOINT_KEYS) entrypointKeys.clear();
    entrypointKeys.set(entrypoint, key);
  }
  return key;
}

/**
 * The parameters of a record update, in the order thread-statements.ts
 * numbers them (`RECORD_PARAMS` of them), encoded before the statement is sent.
 *
 * @example
 * ```ts
 * params.push(...(await recordParams(codec, "t-1", { entrypoint: "review", status: "done" })));
 * ```
 */
export async function recordParams(
  codec: ValueCodec,
  threadId: string,
  update: ThreadUpdate,
): Promise<unknown[]> {
  let interrupts: [type: string, text: string] | [null, null] = [null, null];
  // Only an interrupted thread waits on interrupts; any other status clears them.
  if (update.status === "interrupted") {
    const owner = () => `The interrupts of thread ${JSON.stringify(threadId)}`;
    const value = update.interrupts ?? [];
    interrupts = codec.encodeSync(value, owner) ?? (await codec.encode(value, owner));
  }
  const metadata =
    update.metadata === undefined
      ? null
      : codec.metadataToJsonb(update.metadata, "The metadata of a thread record");
  const lease = update.lease;
  return [
    entrypointKeyOf(update.entrypoint),
    update.entrypoint,
    update.status,
    interrupts[0],
    interrupts[1],
    metadata,
    lease?.owner ?? null,
    // A whole number of milliseconds: the column is bigint.
    lease ? Math.ceil(lease.ms) : null,
  ];
}

/**
 * The records `query` asks for, in one query: newest update first.
 *
 * @example
 * ```ts
 * const rows = await listThreadRecords(db, sql, codec, { entrypoint: "review", limit: 50 });
 * ```
 */
export async function listThreadRecords(
  db: Queryable,
  sql: Statements,
  codec: ValueCodec,
  query: SaverThreadQuery,
): Promise<ListedThread[]> {
  // Postgres text cannot hold NUL, so no record has such an id or name.
  if (query.entrypoint.includes("\u0000") || query.threadId?.includes("\u0000")) return [];
  const metadata =
    query.metadata && Object.keys(query.metadata).length > 0
      ? codec.filterToJsonb(query.metadata)[1]
      : undefined;
  const { text, params } = sql.listThreads({
    query,
    entrypointKey: entrypointKeyOf(query.entrypoint),
    threadKey: query.threadId === undefined ? undefined : keyOf(query.threadId),
    afterKey: query.after === undefined ? undefined : keyOf(query.after.threadId),
    metadata,
  });
  const rows = await db.query(text, params);
  const out: ListedThread[] = [];
  for (const row of rows) out.push(await listedThread(row, codec));
  return out;
}

const iso = (ms: unknown) => new Date(Number(ms)).toISOString();

async function listedThread(row: Row, codec: ValueCodec): Promise<ListedThread> {
  const status = row.status as ThreadStatus;
  let interrupts: unknown =
    typeof row.interrupts === "string"
      ? codec.decode(row.interrupts_type as string, row.interrupts)
      : [];
  if (interrupts instanceof Promise) interrupts = await interrupts;
  const listed: ListedThread = {
    threadId: row.thread_id as string,
    entrypoint: row.entrypoint as string,
    status,
    interrupts: interrupts as Interrupt[],
    metadata: codec.metadataFromJsonb(row.metadata as string) as Record<string, unknown>,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    updatedAtMs: Number(row.updated_at),
    checkpointId: row.checkpoint_id as string,
  };
  if ((status === "running" || status === "stalled") && row.lease_until != null)
    listed.leaseUntil = iso(row.lease_until);
  return listed;
}
