// What a `list` call asks for, checked and keyed as the list query takes it.
import { type CheckpointListOptions, listLimit, type RunnableConfig } from "@savepoint/core";
import { checkpointIdOf, keyOf, nsKeyOf, nsOf, threadIdOf } from "./identifiers.js";
import type { ListScope } from "./statements.js";
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
