// What two runs of one LangGraph program may legitimately differ in, taken
// out so the rest can be compared exactly: ids LangGraph generates (message
// ids, checkpoint ids, task ids, interrupt ids, the ids inside namespaces)
// and timestamps. Everything else stays: the class and fields of every
// message, values, `next`, tasks, metadata, configs.
import { isBaseMessage } from "@langchain/core/messages";
import { Command, Send } from "@langchain/langgraph";

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
// Interrupt ids: a hex digest of the task's namespace.
const HEX_ID = /^[0-9a-f]{32}$/;
const TIME_KEYS = new Set(["createdAt", "ts"]);
// The fields of a message a program can observe; the `lc_*` bookkeeping is
// left out (LangChain rebuilds it differently depending on how a message
// was revived).
const MESSAGE_FIELDS = [
  "content",
  "name",
  "id",
  "tool_calls",
  "invalid_tool_calls",
  "tool_call_id",
  "status",
  "artifact",
  "additional_kwargs",
  "response_metadata",
  "usage_metadata",
];

/**
 * A copy of `value` that two runs of the same LangGraph program produce
 * identically on any correct checkpointer: every id LangGraph generates
 * (message, checkpoint, task and interrupt ids, also inside strings such as a
 * subgraph's `checkpoint_ns`) becomes `<id N>`, numbered in order of first
 * appearance (so two places that hold the same id still hold the same
 * placeholder), `createdAt` and `ts` become `<time>`, a message becomes a
 * plain object naming its class and holding its fields, a `Send` or a
 * `Command` a plain object. Ids in object keys are replaced too. Keys are
 * visited in sorted order (ids masked), so the numbering does not depend on
 * the order a saver returns keys in.
 *
 * @example
 * ```ts
 * normalizeForComparison({ id: "1f0c9c3e-0d7a-6b52-8001-25e1d0b6c8aa", createdAt: "2025-01-01T00:00:00Z" });
 * // { createdAt: "<time>", id: "<id 1>" }
 * ```
 */
export function normalizeForComparison(value: unknown): unknown {
  const ids = new Map<string, string>();
  const placeholder = (raw: string): string => {
    let p = ids.get(raw);
    if (p === undefined) {
      p = `<id ${ids.size + 1}>`;
      ids.set(raw, p);
    }
    return p;
  };
  const walk = (v: unknown, key?: string): unknown => {
    if (typeof v === "string") {
      if (key !== undefined && TIME_KEYS.has(key)) return "<time>";
      if (key === "id" && HEX_ID.test(v)) return placeholder(v);
      return v.replace(UUID, (raw) => placeholder(raw.toLowerCase()));
    }
    if (v === null || typeof v !== "object") return v;
    if (Array.isArray(v)) return v.map((item) => walk(item));
    if (isBaseMessage(v)) {
      const message = v as unknown as Record<string, unknown>;
      const out: Record<string, unknown> = {
        class: v.constructor.name,
        type: v.getType(),
      };
      for (const field of MESSAGE_FIELDS) {
        const fieldValue = message[field];
        if (fieldValue !== undefined) out[field] = walk(fieldValue, field);
      }
      return out;
    }
    if (v instanceof Send) return { Send: { node: v.node, args: walk(v.args) } };
    if (v instanceof Command) {
      return {
        Command: { resume: walk(v.resume), update: walk(v.update), goto: walk(v.goto) },
      };
    }
    // Keys may hold ids too (a checkpoint_map is keyed by namespace): they
    // are sorted with their ids masked, then numbered like any other id.
    const masked = (k: string) => k.replace(UUID, "<id>");
    const keys = Object.keys(v).sort((a, b) => {
      const [ma, mb] = [masked(a), masked(b)];
      return ma < mb ? -1 : ma > mb ? 1 : 0;
    });
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const fieldValue = (v as Record<string, unknown>)[k];
      if (typeof fieldValue === "function") continue;
      out[walk(k) as string] = walk(fieldValue, k);
    }
    return out;
  };
  return walk(value);
}
