// What a `list` call asks for, checked and keyed as the list query takes
// it, and the pages that answer it.
import {
  type CheckpointListOptions,
  type CheckpointTuple,
  listLimit,
  type RunnableConfig,
} from "@savepoint/core";
import { checkpointIdOf, keyOf, nsKeyOf, nsOf, threadIdOf } from "./identifiers.js";
import type { Queryable } from "./sql.js";
import type { ListCursor, ListScope, Statements } from "./statements.js";
import { rowToTuple, withPendingSends } from "./tuples.js";
import type { ValueCodec } from "./values.js";

/**
 * The scope of a `list` call and how many tuples it may return.
 *
 * @example
 * ```ts
 * const { scope, limit } = listScope({ configurable: { thread_id: "t" } }, {}, codec);
 * ```
 */
export function listScope(
  config: RunnableConfig,
  options: CheckpointListOptions,
  codec: ValueCodec,
): { scope: ListScope; limit: number } {
  const configurable = config?.configurable ?? {};
  const scope: ListScope = {};
  if (configurable.thread_id !== undefined) {
    const id = threadIdOf(config, "list");
    scope.thread = { key: keyOf(id), id };
  }
  if (configurable.checkpoint_ns !== undefined) {
    const name = nsOf(config, "list");
    scope.ns = { key: nsKeyOf(name), name };
  }
  // A checkpoint_id in the config lists that checkpoint only (LangGraph's contract).
  scope.only = checkpointIdOf(config, "list");
  scope.before = checkpointIdOf(options.before, "list: options.before");
  const limit = listLimit(options.limit);
  // Encoded as metadata is, so Dates and the like compare equal.
  if (limit > 0 && options.filter && Object.keys(options.filter).length > 0)
    scope.filter = codec.filterToJsonb(options.filter);
  return { scope, limit };
}

// How many tuples `list` fetches per query when it has no smaller limit.
const LIST_PAGE = 100;

/**
 * Up to `limit` tuples of `scope`, newest first, one query per page of
 * {@link LIST_PAGE}; each page starts where the last one ended.
 *
 * @example
 * ```ts
 * for await (const tuple of listTuples(db, sql, codec, scope, 10)) console.log(tuple.config);
 * ```
 */
export async function* listTuples(
  db: Queryable,
  sql: Statements,
  codec: ValueCodec,
  scope: ListScope,
  limit: number,
): AsyncGenerator<CheckpointTuple> {
  let remaining = limit;
  let after: ListCursor | undefined;
  while (remaining > 0) {
    const page = Math.min(remaining, LIST_PAGE);
    const { text, params } = sql.listPage(scope, after, page);
    const rows = await db.query(text, params);
    for (const row of rows)
      yield await withPendingSends(db, sql, codec, await rowToTuple(row, codec));
    remaining -= rows.length;
    if (rows.length < page) return;
    const last = rows[rows.length - 1]!;
    after = {
      checkpointId: last.checkpoint_id as string,
      threadId: last.thread_id as string,
      ns: last.checkpoint_ns as string,
    };
  }
}
