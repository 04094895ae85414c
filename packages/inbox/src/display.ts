// Values as the inbox shows them: interrupt payloads, resume answers and run
// results are any value the serializer saves (Dates, Maps, BigInts, errors,
// LangChain messages), and JSON cannot carry most of them. This turns one
// into plain JSON a page can print, keeping what a person needs to read.
// It never calls into the value (no toJSON, no getters beyond own data), and
// the page renders the result as text only.

const MAX_DEPTH = 32;

/**
 * A value in plain JSON for display: Dates as ISO strings, Maps as
 * `[key, value]` pairs, Sets and typed arrays as arrays, BigInts as `"12n"`,
 * errors as `{ name, message }`, other class instances as their own
 * enumerable fields plus `"$class"`. Cycles and very deep nesting stop with
 * a marker instead of throwing.
 *
 * @example
 * ```ts
 * toDisplay({ at: new Date(0), tags: new Set(["a"]) }); // { at: "1970-01-01T00:00:00.000Z", tags: ["a"] }
 * ```
 */
export function toDisplay(value: unknown): unknown {
  return walk(value, 0, new Set());
}

function walk(value: unknown, depth: number, seen: Set<object>): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "bigint":
      return `${value}n`;
    case "undefined":
      return null;
    case "symbol":
      return String(value);
    case "function":
      return "[function]";
  }
  if (value === null) return null;
  const obj = value as object;
  if (seen.has(obj)) return "[circular]";
  if (depth >= MAX_DEPTH) return "[nested too deeply]";
  seen.add(obj);
  try {
    if (Array.isArray(obj)) return obj.map((v) => walk(v, depth + 1, seen));
    if (obj instanceof Date)
      return Number.isNaN(obj.getTime()) ? "Invalid Date" : obj.toISOString();
    if (obj instanceof Map)
      return [...obj].map(([k, v]) => [walk(k, depth + 1, seen), walk(v, depth + 1, seen)]);
    if (obj instanceof Set) return [...obj].map((v) => walk(v, depth + 1, seen));
    if (ArrayBuffer.isView(obj)) return Array.from(obj as Uint8Array);
    if (obj instanceof RegExp || obj instanceof URL) return String(obj);
    if (obj instanceof Error) return { name: obj.name, message: obj.message };
    const out: Record<string, unknown> = {};
    const proto = Object.getPrototypeOf(obj);
    if (proto !== Object.prototype && proto !== null) {
      const name = (obj as { constructor?: { name?: unknown } }).constructor?.name;
      out.$class = typeof name === "string" && name ? name : "object";
    }
    for (const key of Object.keys(obj)) {
      // Own data only: a getter on the value is not ours to call.
      const descriptor = Object.getOwnPropertyDescriptor(obj, key);
      if (!descriptor || !("value" in descriptor)) continue;
      Object.defineProperty(out, key, {
        value: walk(descriptor.value, depth + 1, seen),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  } finally {
    seen.delete(obj);
  }
}
