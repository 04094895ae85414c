import * as savepointErrors from "../errors.js";
import { CorruptValueError, UnserializableValueError } from "../errors.js";

/**
 * How a checkpoint saver turns values into bytes and back. The method pair is
 * LangGraph's, so a saver can be handed either library's serializer.
 *
 * @example
 * ```ts
 * const [type, bytes] = await serde.dumpsTyped({ at: new Date() });
 * const value = await serde.loadsTyped(type, bytes);
 * ```
 */
export interface SerializerProtocol {
  /** Encodes a value as `[typeTag, bytes]`. */
  dumpsTyped(data: unknown): Promise<[string, Uint8Array]>;
  /** Decodes what `dumpsTyped` produced, given its type tag. */
  loadsTyped(type: string, data: Uint8Array | string): Promise<unknown>;
}

// Tagged values are objects with this key; a user object that has a key made
// of one or more "$" followed by "sp" gets one more "$" on the way out and
// loses it on the way in, so no user data can be mistaken for a tag.
const TAG = "$sp";
const ESCAPED_KEY = /^\$+sp$/;

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

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Any class whose instances are errors.
 *
 * @inline
 */
type ErrorClass = abstract new (...args: any[]) => Error;

const BUILTIN_ERRORS: Record<string, ErrorClass> = {
  AggregateError,
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

function describe(value: unknown): string {
  if (typeof value === "function") return `a function${value.name ? ` (${value.name})` : ""}`;
  if (typeof value === "symbol") return `a symbol (${String(value)})`;
  const ctor = (value as object).constructor;
  const name = typeof ctor === "function" && ctor.name ? ctor.name : "an unknown class";
  return `an instance of ${name}`;
}

function propPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

class Encoder {
  private readonly ancestors = new Set<object>();
  constructor(private readonly owner: Owner) {}

  fail(path: string, what: string): never {
    throw new UnserializableValueError(
      typeof this.owner === "function" ? this.owner() : this.owner,
      path,
      what,
    );
  }

  encode(value: unknown, path: string): Json {
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
        return this.fail(path, describe(value));
    }
    if (value === null) return null;
    const obj = value as object;
    if (this.ancestors.has(obj)) this.fail(path, "a circular reference");
    this.ancestors.add(obj);
    try {
      return this.encodeObject(obj, path);
    } finally {
      this.ancestors.delete(obj);
    }
  }

  private encodeObject(obj: object, path: string): Json {
    if (Array.isArray(obj)) {
      const out: Json[] = new Array(obj.length);
      for (let i = 0; i < obj.length; i++) out[i] = this.encode(obj[i], `${path}[${i}]`);
      return out;
    }
    const proto = Object.getPrototypeOf(obj);
    if (proto === Object.prototype || proto === null) return this.encodePlain(obj, path);
    if (obj instanceof Date) {
      const t = obj.getTime();
      return { [TAG]: "date", v: Number.isNaN(t) ? null : obj.toISOString() };
    }
    if (obj instanceof Map) {
      const entries: Json[] = [];
      let i = 0;
      for (const [k, v] of obj) {
        entries.push([this.encode(k, `${path}.keys[${i}]`), this.encode(v, `${path}.get(${i})`)]);
        i++;
      }
      return { [TAG]: "map", v: entries };
    }
    if (obj instanceof Set) {
      const items: Json[] = [];
      let i = 0;
      for (const v of obj) items.push(this.encode(v, `${path}.values[${i++}]`));
      return { [TAG]: "set", v: items };
    }
    if (obj instanceof Uint8Array) {
      return {
        [TAG]: "bytes",
        v: Buffer.from(obj.buffer, obj.byteOffset, obj.byteLength).toString("base64"),
      };
    }
    if (obj instanceof RegExp) return { [TAG]: "regexp", source: obj.source, flags: obj.flags };
    if (obj instanceof URL) return { [TAG]: "url", v: obj.href };
    if (obj instanceof Error) return this.encodeError(obj, path);
    return this.fail(path, describe(obj));
  }

  private encodePlain(obj: object, path: string): Json {
    if (Object.getOwnPropertySymbols(obj).length > 0) {
      const sym = Object.getOwnPropertySymbols(obj)[0]!;
      if (Object.prototype.propertyIsEnumerable.call(obj, sym)) {
        this.fail(path, `a symbol-keyed property (${String(sym)})`);
      }
    }
    const out: { [key: string]: Json } = {};
    for (const key of Object.keys(obj)) {
      const encoded = this.encode((obj as Record<string, unknown>)[key], propPath(path, key));
      const outKey = ESCAPED_KEY.test(key) ? `$${key}` : key;
      // defineProperty: a "__proto__" key must become an own property, not a prototype.
      if (outKey === "__proto__") {
        Object.defineProperty(out, outKey, {
          value: encoded,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else {
        out[outKey] = encoded;
      }
    }
    return out;
  }

  private encodeError(err: Error, path: string): Json {
    const out: { [key: string]: Json } = { [TAG]: "error", name: err.name, message: err.message };
    if (typeof err.stack === "string") out.stack = err.stack;
    if ("cause" in err) out.cause = this.encode(err.cause, `${path}.cause`);
    const extra: Record<string, unknown> = {};
    let hasExtra = false;
    for (const key of Object.keys(err)) {
      if (key === "name" || key === "message" || key === "stack" || key === "cause") continue;
      extra[key] = (err as unknown as Record<string, unknown>)[key];
      hasExtra = true;
    }
    if (hasExtra) out.props = this.encodePlain(extra, path);
    return out;
  }
}

function defineOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

// Turns a tree produced by JSON.parse (or by Encoder) back into values. It
// works in place on that fresh tree, and never assigns through a setter, so a
// "__proto__" key stays an ordinary own property.
function revive(node: unknown): unknown {
  if (node === null || typeof node !== "object") return node;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const v = node[i];
      if (v !== null && typeof v === "object") node[i] = revive(v);
    }
    return node;
  }
  const obj = node as Record<string, unknown>;
  const tag = Object.hasOwn(obj, TAG) ? obj[TAG] : undefined;
  if (tag !== undefined) return reviveTagged(tag, obj);
  let needsRename = false;
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    if (v !== null && typeof v === "object") {
      const r = revive(v);
      if (r !== v) defineOwn(obj, key, r);
    }
    if (key.charCodeAt(0) === 36 /* $ */ && ESCAPED_KEY.test(key)) needsRename = true;
  }
  if (!needsRename) return obj;
  const renamed: Record<string, unknown> = {};
  for (const key of Object.keys(obj)) {
    defineOwn(renamed, ESCAPED_KEY.test(key) ? key.slice(1) : key, obj[key]);
  }
  return renamed;
}

function reviveTagged(tag: unknown, obj: Record<string, unknown>): unknown {
  switch (tag) {
    case "undef":
      return undefined;
    case "num":
      return obj.v === "-0" ? -0 : Number(obj.v);
    case "bigint":
      return BigInt(obj.v as string);
    case "date":
      return new Date(obj.v === null ? Number.NaN : (obj.v as string));
    case "map":
      return new Map((obj.v as unknown[][]).map(([k, v]) => [revive(k), revive(v)]));
    case "set":
      return new Set((obj.v as unknown[]).map(revive));
    case "bytes":
      return new Uint8Array(Buffer.from(obj.v as string, "base64"));
    case "regexp":
      return new RegExp(obj.source as string, obj.flags as string);
    case "url":
      return new URL(obj.v as string);
    case "error":
      return reviveError(obj);
    default:
      throw new CorruptValueError(`unknown tag ${JSON.stringify(tag)}`);
  }
}

// Error classes that revive as themselves (by name) rather than as a plain
// Error: the built-ins, Savepoint's own (listed here rather than registered by
// whichever module happens to load first, so importing core has no side
// effect), and whatever registerErrorClass adds.
const ERROR_CLASSES = new Map<string, ErrorClass>(Object.entries(BUILTIN_ERRORS));
for (const value of Object.values(savepointErrors)) {
  if (typeof value === "function" && value.prototype instanceof Error)
    ERROR_CLASSES.set(value.name, value as unknown as ErrorClass);
}

/**
 * Makes errors named `name` come back from storage as instances of `ctor`
 * (prototype, name, message, stack, cause and own fields), so `instanceof`
 * holds on replay. Savepoint's own error classes are registered already.
 *
 * @example
 * ```ts
 * class PaymentDeclined extends Error { override name = "PaymentDeclined"; }
 * registerErrorClass(PaymentDeclined);
 * ```
 */
export function registerErrorClass(ctor: ErrorClass, name: string = ctor.name): void {
  ERROR_CLASSES.set(name, ctor);
}

function reviveError(obj: Record<string, unknown>): Error {
  const name = String(obj.name);
  const ctor = ERROR_CLASSES.get(name) ?? Error;
  // A real Error (util.types.isNativeError holds) with the class's prototype,
  // made without running the class's constructor, whose arguments we do not know.
  const err = Reflect.construct(Error, [], ctor) as Error;
  const hidden = (key: string, value: unknown) =>
    Object.defineProperty(err, key, {
      value,
      writable: true,
      configurable: true,
      enumerable: false,
    });
  hidden("message", String(obj.message));
  hidden("stack", typeof obj.stack === "string" ? obj.stack : `${name}: ${String(obj.message)}`);
  if (err.name !== name) defineOwn(err, "name", name);
  if (Object.hasOwn(obj, "cause")) hidden("cause", revive(obj.cause));
  if (obj.props !== null && typeof obj.props === "object") {
    const props = revive(obj.props) as Record<string, unknown>;
    for (const key of Object.keys(props)) defineOwn(err, key, props[key]);
  }
  return err;
}

const TYPE = "savepoint-json";
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * The default serializer. It round-trips JSON plus `Date`, `Map`, `Set`,
 * `BigInt`, `Uint8Array`, `undefined`, `NaN`/`±Infinity`/`-0`, `Error` (name,
 * message, cause, own fields), `RegExp` and `URL`, and refuses functions,
 * symbols, circular references and unknown class instances with an
 * {@link UnserializableValueError} that names the owner and the path. Decoding
 * never touches an object's prototype, so untrusted bytes cannot pollute one.
 *
 * @example
 * ```ts
 * const serde = new SavepointSerializer();
 * const text = serde.encode({ at: new Date(0), tags: new Set(["a"]) });
 * serde.decode(text); // { at: Date(1970-01-01), tags: Set { "a" } }
 * ```
 */
export class SavepointSerializer implements SerializerProtocol {
  /** The type tag this serializer writes next to its bytes. */
  readonly type = TYPE;

  /** Value to JSON text. `owner` names the value in errors ("Task \"x\" returned a value"). */
  encode(value: unknown, owner: Owner = "The value"): string {
    return JSON.stringify(new Encoder(owner).encode(value, "$"));
  }

  /** JSON-safe tree (what `encode` stringifies), for drivers that store JSON natively. */
  toJson(value: unknown, owner: Owner = "The value"): unknown {
    return new Encoder(owner).encode(value, "$");
  }

  /** The inverse of {@link SavepointSerializer.toJson}; takes ownership of (and may modify) `tree`. */
  fromJson(tree: unknown): unknown {
    return revive(tree);
  }

  /** JSON text to value. */
  decode(text: string): unknown {
    let tree: unknown;
    try {
      tree = JSON.parse(text);
    } catch (cause) {
      throw new CorruptValueError("not valid JSON", { cause });
    }
    return revive(tree);
  }

  /**
   * The value exactly as it will come back from storage: validated, and
   * deep-copied through the same rules as `encode` + `decode`, without the
   * text in between. The runtime hands this copy to the workflow on the first
   * run, so first run and replay see the same value.
   */
  canonicalize<T>(value: T, owner: Owner = "The value"): T {
    // Every primitive but a function or a symbol comes back as itself.
    if (
      value === null ||
      (typeof value !== "object" && typeof value !== "function" && typeof value !== "symbol")
    ) {
      return value;
    }
    return revive(new Encoder(owner).encode(value, "$")) as T;
  }

  async dumpsTyped(data: unknown): Promise<[string, Uint8Array]> {
    return [TYPE, encoder.encode(this.encode(data))];
  }

  async loadsTyped(type: string, data: Uint8Array | string): Promise<unknown> {
    if (type !== TYPE && type !== "json") {
      throw new CorruptValueError(`type "${type}" was not written by SavepointSerializer`);
    }
    let text: string;
    try {
      text = typeof data === "string" ? data : decoder.decode(data);
    } catch (cause) {
      throw new CorruptValueError("not valid UTF-8", { cause });
    }
    return this.decode(text);
  }
}

/**
 * True when `serde` is (or behaves as) Savepoint's own serializer, with the synchronous fast path.
 *
 * @example
 * ```ts
 * const text = isSavepointSerializer(saver.serde) ? saver.serde.encode(value) : undefined;
 * ```
 */
export function isSavepointSerializer(serde: unknown): serde is SavepointSerializer {
  return serde instanceof SavepointSerializer;
}

/**
 * The one shared default serializer instance.
 *
 * @example
 * ```ts
 * const copy = defaultSerializer.canonicalize({ at: new Date(0) }); // what storage would give back
 * ```
 */
export const defaultSerializer = new SavepointSerializer();
