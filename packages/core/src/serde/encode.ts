// Value → JSON tree. Every value is checked on the way: what the reviver
// could not rebuild exactly is refused here, with the owner (the task, the
// input…) and the path inside the value. Paths are kept as a stack of
// segments and formatted only when an error is thrown, so the hot path (a
// task result on every task) builds no strings it will not show.
import { UnserializableValueError } from "../errors/index.js";
import { knownClassOf } from "../interop/known-classes.js";
import type { CodecRegistry } from "./codecs.js";
import { defineOwn, describe, ESCAPED_KEY, type Json, MAX_DEPTH, TAG } from "./tags.js";

/**
 * What a value is, for error messages: a string, or a function that builds
 * one, so the hot path (every task result) never formats a message that is
 * almost never shown.
 *
 * @example
 * ```ts
 * serializer.encode(value, () => `The value returned by task "${name}"`);
 * ```
 */
export type Owner = string | (() => string);

// A path segment: an array index, a property name, or a preformatted piece
// (".keys[0]", ".get(0)", ".values[0]", ".cause").
type Segment = number | string | { raw: string };

function formatPath(segments: readonly Segment[]): string {
  let path = "$";
  for (const s of segments) {
    if (typeof s === "number") path += `[${s}]`;
    else if (typeof s === "string")
      path += /^[A-Za-z_$][\w$]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`;
    else path += s.raw;
  }
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}

/**
 * True when `JSON.stringify(value)` alone is the value's exact encoding: only
 * strings, booleans, null, finite numbers (not -0), arrays without holes and
 * plain objects without symbol keys or keys the encoder escapes. Most values
 * a workflow saves (checkpoints, metadata, task results) are of this kind,
 * and skipping the encoder's tree for them halves the cost of encoding. A
 * value too deep for this check (or circular) is simply not plain: the
 * encoder then refuses it with its own message.
 */
export function isPlainJson(value: unknown, depth = 0): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0);
    case "object":
      break;
    default:
      return false;
  }
  if (value === null) return true;
  if (depth >= PLAIN_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!(i in value) || !isPlainJson(value[i], depth + 1)) return false;
    }
    return true;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  if (Object.getOwnPropertySymbols(value).length > 0) return false;
  for (const key in value) {
    // for…in also walks inherited keys: a plain object has none unless
    // Object.prototype was extended, and then the encoder decides.
    if (!Object.hasOwn(value, key)) return false;
    if (key.charCodeAt(0) === 36 /* $ */ && ESCAPED_KEY.test(key)) return false;
    if (!isPlainJson((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}

// Deeper plain values go through the encoder, which also catches cycles.
const PLAIN_DEPTH = 64;

/**
 * A deep copy of a value {@link isPlainJson} accepted: what decoding its
 * JSON would give, without the text. `__proto__` keys stay own properties.
 */
export function copyPlainJson(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyPlainJson(value[i]);
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const key in value) {
    const copy = copyPlainJson((value as Record<string, unknown>)[key]);
    if (key === "__proto__") defineOwn(out, key, copy);
    else out[key] = copy;
  }
  return out;
}

export class Encoder {
  private readonly ancestors = new Set<object>();
  private readonly segments: Segment[] = [];

  constructor(
    private readonly owner: Owner,
    private readonly codecs: CodecRegistry,
  ) {}

  private fail(what: string): never {
    throw new UnserializableValueError(
      typeof this.owner === "function" ? this.owner() : this.owner,
      formatPath(this.segments),
      what,
    );
  }

  private child(value: unknown, segment: Segment): Json {
    this.segments.push(segment);
    const out = this.encode(value);
    this.segments.pop();
    return out;
  }

  /** Encodes `value` (the whole value: its path is `$`). */
  encodeRoot(value: unknown): Json {
    try {
      return this.encode(value);
    } catch (error) {
      // The engine's stack ran out before MAX_DEPTH (a deep caller stack):
      // still a refusal that names the value and the depth, never a raw RangeError.
      if (error instanceof RangeError && this.ancestors.size > 0) {
        const depth = this.ancestors.size;
        this.ancestors.clear();
        this.segments.length = Math.min(this.segments.length, 20);
        this.fail(
          `a value nested about ${depth} levels deep, more than can be saved (flatten it, or save it as text)`,
        );
      }
      throw error;
    }
  }

  private encode(value: unknown): Json {
    switch (typeof value) {
      case "string":
      case "boolean":
        return value;
      case "number":
        if (Number.isFinite(value) && !Object.is(value, -0)) return value;
        return { [TAG]: "num", v: Object.is(value, -0) ? "-0" : String(value) };
      case "undefined":
        return { [TAG]: "undef" };
      case "bigint":
        return { [TAG]: "bigint", v: value.toString() };
      case "function":
      case "symbol":
        return this.fail(describe(value));
    }
    if (value === null) return null;
    const obj = value as object;
    if (this.ancestors.has(obj)) this.fail("a circular reference");
    if (this.ancestors.size >= MAX_DEPTH) {
      this.fail(
        `a value nested more than ${MAX_DEPTH} levels deep (flatten it, or save it as text)`,
      );
    }
    this.ancestors.add(obj);
    try {
      return this.encodeObject(obj);
    } finally {
      this.ancestors.delete(obj);
    }
  }

  private encodeObject(obj: object): Json {
    if (Array.isArray(obj)) return this.encodeArray(obj);
    const proto = Object.getPrototypeOf(obj);
    if (proto === Object.prototype) return this.encodePlain(obj);
    if (proto === null) return { [TAG]: "nullproto", v: this.encodePlain(obj) };
    if (!this.codecs.empty) {
      const codec = this.codecs.forValue(obj, proto);
      if (codec)
        return {
          [TAG]: "codec",
          name: codec.name,
          v: this.child(codec.encode(obj), { raw: `<${codec.name}>` }),
        };
    }
    // Built-in types match by exact prototype: a subclass would come back as
    // its base class, so it is refused (or saved by a codec registered for it).
    switch (proto) {
      case Date.prototype: {
        const t = (obj as Date).getTime();
        return { [TAG]: "date", v: Number.isNaN(t) ? null : (obj as Date).toISOString() };
      }
      case Map.prototype: {
        const entries: Json[] = [];
        let i = 0;
        for (const [k, v] of obj as Map<unknown, unknown>) {
          entries.push([
            this.child(k, { raw: `.keys[${i}]` }),
            this.child(v, { raw: `.get(${i})` }),
          ]);
          i++;
        }
        return { [TAG]: "map", v: entries };
      }
      case Set.prototype: {
        const items: Json[] = [];
        let i = 0;
        for (const v of obj as Set<unknown>) items.push(this.child(v, { raw: `.values[${i++}]` }));
        return { [TAG]: "set", v: items };
      }
      case Uint8Array.prototype:
      case Buffer.prototype: {
        const bytes = obj as Uint8Array;
        const base64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString(
          "base64",
        );
        return { [TAG]: proto === Buffer.prototype ? "buffer" : "bytes", v: base64 };
      }
      case RegExp.prototype:
        return { [TAG]: "regexp", source: (obj as RegExp).source, flags: (obj as RegExp).flags };
      case URL.prototype:
        return { [TAG]: "url", v: (obj as URL).href };
    }
    // LangChain messages and documents, LangGraph's Send and Command: saved
    // by their allowlisted name with their own fields (interop/known-classes.ts).
    const known = knownClassOf(obj, proto);
    if (known) return this.encodeKnown(obj, known.name);
    // Errors revive by name (registerErrorClass), so any Error subclass is kept.
    if (obj instanceof Error) return this.encodeError(obj);
    if (obj instanceof Map || obj instanceof Set || obj instanceof Date) {
      return this.fail(
        `${describe(obj)}, a subclass of ${obj instanceof Map ? "Map" : obj instanceof Set ? "Set" : "Date"} that would come back as its base class (register a codec for it)`,
      );
    }
    return this.fail(describe(obj));
  }

  private encodeArray(arr: unknown[]): Json {
    const out: Json[] = new Array(arr.length);
    for (let i = 0; i < arr.length; i++) {
      // A hole is kept as a hole, not turned into an own `undefined`.
      if (!(i in arr)) {
        out[i] = { [TAG]: "hole" };
        continue;
      }
      this.segments.push(i);
      out[i] = this.encode(arr[i]);
      this.segments.pop();
    }
    return out;
  }

  private encodePlain(obj: object): { [key: string]: Json } {
    for (const sym of Object.getOwnPropertySymbols(obj)) {
      if (Object.prototype.propertyIsEnumerable.call(obj, sym)) {
        this.fail(`a symbol-keyed property (${String(sym)})`);
      }
    }
    return this.encodeStringKeys(obj);
  }

  private encodeStringKeys(obj: object): { [key: string]: Json } {
    const out: { [key: string]: Json } = {};
    for (const key of Object.keys(obj)) {
      this.segments.push(key);
      const encoded = this.encode((obj as Record<string, unknown>)[key]);
      this.segments.pop();
      const outKey = ESCAPED_KEY.test(key) ? `$${key}` : key;
      // defineProperty: a "__proto__" key must become an own property, not a prototype.
      if (outKey === "__proto__") defineOwn(out, outKey, encoded);
      else out[outKey] = encoded;
    }
    return out;
  }

  // A known class's own fields; a registered symbol (Symbol.for, such as
  // LangChain's message brand) is kept by its key, any other symbol refused.
  private encodeKnown(obj: object, name: string): Json {
    const out: { [key: string]: Json } = { [TAG]: "known", name };
    let symbols: { [key: string]: Json } | undefined;
    for (const sym of Object.getOwnPropertySymbols(obj)) {
      if (!Object.prototype.propertyIsEnumerable.call(obj, sym)) continue;
      const key = Symbol.keyFor(sym);
      if (key === undefined) this.fail(`a symbol-keyed property (${String(sym)})`);
      this.segments.push({ raw: `[${String(sym)}]` });
      symbols ??= {};
      symbols[key] = this.encode((obj as Record<symbol, unknown>)[sym]);
      this.segments.pop();
    }
    const kwargs = repeatedKwargs(obj);
    if (kwargs) {
      out.v = this.encodeStringKeys(kwargs.fields);
      out.kw = kwargs.order;
    } else out.v = this.encodeStringKeys(obj);
    if (symbols) out.symbols = symbols;
    return out;
  }

  private encodeError(err: Error): Json {
    const out: { [key: string]: Json } = { [TAG]: "error", name: err.name, message: err.message };
    if (typeof err.stack === "string") out.stack = err.stack;
    if ("cause" in err) out.cause = this.child(err.cause, { raw: ".cause" });
    const extra: Record<string, unknown> = {};
    let hasExtra = false;
    for (const key of Object.keys(err)) {
      if (key === "name" || key === "message" || key === "stack" || key === "cause") continue;
      extra[key] = (err as unknown as Record<string, unknown>)[key];
      hasExtra = true;
    }
    if (hasExtra) out.props = this.encodePlain(extra);
    return out;
  }
}

/**
 * A LangChain object keeps the fields it was built with twice: as its own
 * fields and in `lc_kwargs`, the very same values. Stored once: `order` is
 * every key of `lc_kwargs` in order, and `fields` is the object's own
 * fields (a shallow copy, in order) whose `lc_kwargs` holds only the
 * entries that are not the object's field of that name (Object.is);
 * revive.ts puts the field itself back in each missing entry. Undefined
 * when nothing repeats, or `lc_kwargs` is not a plain object the ordinary
 * path would save exactly (a symbol key on it is refused there, so it must
 * stay there).
 */
function repeatedKwargs(obj: object): { order: string[]; fields: object } | undefined {
  const kwargs = (obj as { lc_kwargs?: unknown }).lc_kwargs;
  if (kwargs === null || typeof kwargs !== "object") return undefined;
  if (Object.getPrototypeOf(kwargs) !== Object.prototype) return undefined;
  if (Object.getOwnPropertySymbols(kwargs).length > 0) return undefined;
  const fields = obj as Record<string, unknown>;
  const order = Object.keys(kwargs);
  const rest: Record<string, unknown> = {};
  let repeated = 0;
  for (const key of order) {
    const value = (kwargs as Record<string, unknown>)[key];
    const isField =
      key !== "lc_kwargs" &&
      Object.prototype.propertyIsEnumerable.call(obj, key) &&
      Object.is(fields[key], value);
    if (isField) repeated++;
    else defineOwn(rest, key, value);
  }
  if (repeated === 0) return undefined;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(obj)) {
    const value = key === "lc_kwargs" ? rest : fields[key];
    if (key === "__proto__") defineOwn(copy, key, value);
    else copy[key] = value;
  }
  return { order, fields: copy };
}
