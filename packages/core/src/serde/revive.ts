// JSON tree → value. It works in place on a fresh tree (from JSON.parse or
// the encoder), never assigns through a setter (a "__proto__" key stays an
// ordinary own property), and never calls a constructor the data names:
// tagged values are rebuilt by the tag's own code, codecs by the name they
// were registered under, errors by a registry of known classes. Anything
// malformed is a CorruptValueError, never a raw TypeError or SyntaxError.
import * as savepointErrors from "../errors/index.js";
import { CorruptValueError, quote, SavepointError } from "../errors/index.js";
import { classFor, knownClassNamed, ModuleNeeded } from "../interop/known-classes.js";
import type { CodecRegistry } from "./codecs.js";
import { defineOwn, ESCAPED_KEY, TAG } from "./tags.js";

/**
 * Any class whose instances are errors.
 *
 * @inline
 */
type ErrorClass = abstract new (...args: any[]) => Error;

// Error classes that revive as themselves (by name) rather than as a plain
// Error: the built-ins, Savepoint's own (listed here rather than registered by
// whichever module happens to load first, so importing core has no side
// effect), and whatever registerErrorClass adds.
const ERROR_CLASSES = new Map<string, ErrorClass>(
  Object.entries({
    AggregateError,
    Error,
    TypeError,
    RangeError,
    SyntaxError,
    ReferenceError,
    EvalError,
    URIError,
  }),
);
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

export class Reviver {
  constructor(private readonly codecs: CodecRegistry) {}

  /** Revives a whole stored tree. */
  reviveRoot(node: unknown): unknown {
    try {
      return this.revive(node);
    } catch (error) {
      // Only a tree the encoder would have refused nests deep enough for this.
      if (error instanceof RangeError) {
        throw new CorruptValueError("a value nested too deeply to read", { cause: error });
      }
      throw error;
    }
  }

  private revive(node: unknown): unknown {
    if (node === null || typeof node !== "object") return node;
    return Array.isArray(node)
      ? this.reviveArray(node)
      : this.reviveObject(node as Record<string, unknown>);
  }

  private reviveArray(node: unknown[]): unknown[] {
    for (let i = 0; i < node.length; i++) {
      const v = node[i];
      if (v === null || typeof v !== "object") continue;
      if (!Array.isArray(v) && (v as Record<string, unknown>)[TAG] === "hole") delete node[i];
      else node[i] = this.revive(v);
    }
    return node;
  }

  private reviveObject(obj: Record<string, unknown>): unknown {
    if (Object.hasOwn(obj, TAG)) return this.reviveTagged(obj[TAG], obj);
    let needsRename = false;
    for (const key of Object.keys(obj)) {
      const v = obj[key];
      if (v !== null && typeof v === "object") {
        const r = this.revive(v);
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

  private reviveTagged(tag: unknown, obj: Record<string, unknown>): unknown {
    try {
      return this.build(tag, obj);
    } catch (error) {
      if (error instanceof SavepointError || error instanceof ModuleNeeded) throw error;
      throw new CorruptValueError(`a malformed ${JSON.stringify(tag)} value`, { cause: error });
    }
  }

  private build(tag: unknown, obj: Record<string, unknown>): unknown {
    const v = obj.v;
    const malformed = () => new CorruptValueError(`a malformed ${JSON.stringify(tag)} value`);
    switch (tag) {
      case "undef":
        return undefined;
      case "num":
        if (v !== "-0" && v !== "NaN" && v !== "Infinity" && v !== "-Infinity") throw malformed();
        return v === "-0" ? -0 : Number(v);
      case "bigint":
        if (typeof v !== "string") throw malformed();
        return BigInt(v);
      case "date":
        if (v !== null && typeof v !== "string") throw malformed();
        return new Date(v === null ? Number.NaN : v);
      case "map":
        if (!Array.isArray(v)) throw malformed();
        return new Map(
          v.map((entry) => {
            if (!Array.isArray(entry) || entry.length !== 2) throw malformed();
            return [this.revive(entry[0]), this.revive(entry[1])];
          }),
        );
      case "set":
        if (!Array.isArray(v)) throw malformed();
        return new Set(v.map((item) => this.revive(item)));
      case "bytes":
      case "buffer": {
        if (typeof v !== "string") throw malformed();
        const buffer = Buffer.from(v, "base64");
        return tag === "buffer" ? buffer : new Uint8Array(buffer);
      }
      case "regexp":
        if (typeof obj.source !== "string" || typeof obj.flags !== "string") throw malformed();
        return new RegExp(obj.source, obj.flags);
      case "url":
        if (typeof v !== "string") throw malformed();
        return new URL(v);
      case "error":
        return this.reviveError(obj);
      case "nullproto": {
        if (v === null || typeof v !== "object" || Array.isArray(v)) throw malformed();
        const plain = this.revive(v) as Record<string, unknown>;
        const out = Object.create(null) as Record<string, unknown>;
        for (const key of Object.keys(plain)) defineOwn(out, key, plain[key]);
        return out;
      }
      case "codec": {
        const name = obj.name;
        const codec = typeof name === "string" ? this.codecs.named(name) : undefined;
        if (!codec) {
          throw new CorruptValueError(
            `a value saved by codec ${JSON.stringify(name)}, which this serializer does not have; register it (serializer.register) before reading`,
          );
        }
        return codec.decode(this.revive(v));
      }
      case "known":
        return this.reviveKnown(obj.name, v, obj.symbols, obj.kw);
      case "hole":
        // Only meaningful as an array element (handled there).
        throw malformed();
      default:
        throw new CorruptValueError(`unknown tag ${JSON.stringify(tag)}`);
    }
  }

  private reviveKnown(name: unknown, fields: unknown, symbols: unknown, kw: unknown): unknown {
    const known = typeof name === "string" ? knownClassNamed(name) : undefined;
    if (!known) {
      throw new CorruptValueError(
        `a value of class ${quote(name)}, which is not one Savepoint revives (LangChain messages and documents and LangGraph's Send and Command are built in; register a codec for any other class)`,
      );
    }
    if (fields === null || typeof fields !== "object" || Array.isArray(fields)) {
      throw new CorruptValueError(`a malformed ${known.exportName} value`);
    }
    const ctor = classFor(known);
    if (!ctor) {
      throw new CorruptValueError(
        `a ${known.exportName} of ${known.module}, which is not installed in this program; install it to read this value`,
      );
    }
    const plain = this.revive(fields) as Record<string, unknown>;
    // The same class with exactly the stored fields: no constructor runs.
    const out = Object.create(ctor.prototype) as Record<string, unknown>;
    const kwargs = kw === undefined ? undefined : kwargsOf(plain, kw, known.exportName);
    for (const key of Object.keys(plain)) {
      defineOwn(out, key, kwargs !== undefined && key === "lc_kwargs" ? kwargs : plain[key]);
    }
    if (symbols !== undefined) {
      if (symbols === null || typeof symbols !== "object") {
        throw new CorruptValueError(`a malformed ${known.exportName} value`);
      }
      const values = this.revive(symbols) as Record<string, unknown>;
      for (const key of Object.keys(values)) {
        Object.defineProperty(out, Symbol.for(key), {
          value: values[key],
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
    }
    return out;
  }

  private reviveError(obj: Record<string, unknown>): Error {
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
    if (Object.hasOwn(obj, "cause")) hidden("cause", this.revive(obj.cause));
    if (obj.props !== null && typeof obj.props === "object") {
      const props = this.revive(obj.props) as Record<string, unknown>;
      for (const key of Object.keys(props)) defineOwn(err, key, props[key]);
    }
    return err;
  }
}

/**
 * The `lc_kwargs` of a known object stored with its repeated entries left
 * out (encode.ts, repeatedKwargs): every key of `kw` in order, from the
 * stored entries where there is one, else the object's own field, the same
 * value it repeated when saved.
 */
function kwargsOf(plain: Record<string, unknown>, kw: unknown, exportName: string): object {
  const stored = plain.lc_kwargs;
  if (!Array.isArray(kw)) throw badKwargs(exportName, "key list is not an array");
  if (stored === null || typeof stored !== "object" || Array.isArray(stored)) {
    throw badKwargs(exportName, "entries are not an object");
  }
  const entries = stored as Record<string, unknown>;
  const kwargs: Record<string, unknown> = {};
  let fromEntries = 0;
  for (const key of kw) {
    if (typeof key !== "string" || Object.hasOwn(kwargs, key)) {
      throw badKwargs(exportName, "key list is not a list of distinct names");
    }
    let value: unknown;
    if (Object.hasOwn(entries, key)) {
      value = entries[key];
      fromEntries++;
    } else if (key !== "lc_kwargs" && Object.hasOwn(plain, key)) {
      value = plain[key];
    } else {
      throw badKwargs(exportName, `names ${JSON.stringify(key)}, a field the value does not have`);
    }
    // Assigned, not defined (reads are hot): only "__proto__" needs defining to stay an own key.
    if (key === "__proto__") defineOwn(kwargs, key, value);
    else kwargs[key] = value;
  }
  if (fromEntries !== Object.keys(entries).length) {
    throw badKwargs(exportName, "hold entries its key list does not name");
  }
  return kwargs;
}

function badKwargs(exportName: string, what: string): CorruptValueError {
  return new CorruptValueError(`a malformed ${exportName} value: its lc_kwargs ${what}`);
}
