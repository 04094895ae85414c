import { CorruptValueError, InvalidArgumentError } from "../errors/index.js";
import { loadModule, ModuleNeeded } from "../interop/known-classes.js";
import { type Codec, CodecRegistry } from "./codecs.js";
import { copyPlainJson, Encoder, isPlainJson, type Owner } from "./encode.js";
import { Reviver, registerErrorClass } from "./revive.js";

export type { Codec, Owner };
export { registerErrorClass };

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

const TYPE = "savepoint-json";
// Texts up to this length skip the reviver when they hold no tag (see parse).
const PLAIN_TEXT_MAX = 2048;
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * The default serializer. It round-trips JSON plus `Date`, `Map`, `Set`,
 * `BigInt`, `Uint8Array`, `Buffer`, `undefined`, `NaN`/`±Infinity`/`-0`,
 * `Error` (name, message, cause, own fields), `RegExp`, `URL`, sparse arrays
 * (holes stay holes) and null-prototype objects, plus any class registered
 * with {@link SavepointSerializer.register}. It refuses, with an
 * `UnserializableValueError` naming the owner and the path, what it cannot
 * give back exactly: functions, symbols, circular references, values nested
 * deeper than 1,000 levels, subclasses of the built-in types and unknown class
 * instances. Decoding never touches an object's prototype and never calls a
 * constructor the data names, so untrusted bytes cannot pollute a prototype or
 * build an object the program did not register.
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
  private readonly codecs = new CodecRegistry();

  /**
   * Teaches this serializer to save a class of your own: instances whose
   * prototype is exactly `codec.class.prototype` (or for which `codec.test`
   * is true) are stored as `codec.name` plus what `codec.encode` returns, and
   * come back through `codec.decode`. A stored name no codec has is a
   * `CorruptValueError` naming it. Register before the first value is saved
   * or read; `defaultSerializer.register` reaches every saver that uses the
   * default.
   *
   * @example
   * ```ts
   * class Money { constructor(readonly cents: number, readonly currency: string) {} }
   * defaultSerializer.register({
   *   name: "acme.Money",
   *   class: Money,
   *   encode: (m) => ({ cents: m.cents, currency: m.currency }),
   *   decode: (d: any) => new Money(d.cents, d.currency),
   * });
   * ```
   */
  register<T>(codec: Codec<T>): this {
    this.codecs.register(codec);
    return this;
  }

  /** Value to JSON text. `owner` names the value in errors ("Task \"x\" returned a value"). */
  encode(value: unknown, owner: Owner = "The value"): string {
    if (isPlainJson(value)) return JSON.stringify(value);
    return JSON.stringify(new Encoder(owner, this.codecs).encodeRoot(value));
  }

  /** JSON-safe tree (what `encode` stringifies), for drivers that store JSON natively. */
  toJson(value: unknown, owner: Owner = "The value"): unknown {
    return new Encoder(owner, this.codecs).encodeRoot(value);
  }

  /** The inverse of {@link SavepointSerializer.toJson}; takes ownership of (and may modify) `tree`. */
  fromJson(tree: unknown): unknown {
    try {
      return new Reviver(this.codecs).reviveRoot(tree);
    } catch (error) {
      if (!(error instanceof ModuleNeeded)) throw error;
      throw new InvalidArgumentError(
        `The value holds a class from ${error.module}, which this process has not loaded yet: import ${error.module} before reading it.`,
      );
    }
  }

  /**
   * JSON text to value. A value holding a LangChain or LangGraph class whose
   * package this process has not loaded yet cannot be read synchronously:
   * that is an InvalidArgumentError saying to use `loadsTyped` (which loads it).
   */
  decode(text: string): unknown {
    try {
      return this.parse(text);
    } catch (error) {
      if (!(error instanceof ModuleNeeded)) throw error;
      throw new InvalidArgumentError(
        `The value holds a class from ${error.module}, which this process has not loaded yet: read it with loadsTyped (it loads the package), or import ${error.module} before decoding.`,
      );
    }
  }

  /**
   * {@link SavepointSerializer.decode}, loading the LangChain or LangGraph
   * package a value needs first: the value, or a promise of it when a package
   * had to be loaded.
   */
  decodeOrLoad(text: string): unknown {
    try {
      return this.parse(text);
    } catch (error) {
      if (!(error instanceof ModuleNeeded)) throw error;
      return loadModule(error.module).then(() => this.decodeOrLoad(text));
    }
  }

  private parse(text: string): unknown {
    let tree: unknown;
    try {
      tree = JSON.parse(text);
    } catch (cause) {
      throw new CorruptValueError("not valid JSON", { cause });
    }
    // Only a tag ("$sp") or an escaped key ("$…sp") makes the reviver change
    // anything, and neither can appear without the text holding "$sp" or a
    // \u escape that spells it: most stored values (checkpoints, metadata,
    // task results) are such text, and are their own tree. A short text
    // also cannot nest deep enough for the reviver's depth refusal.
    if (text.length <= PLAIN_TEXT_MAX && !text.includes("$sp") && !text.includes("\\u"))
      return tree;
    return new Reviver(this.codecs).reviveRoot(tree);
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
    if (isPlainJson(value)) return copyPlainJson(value) as T;
    return new Reviver(this.codecs).reviveRoot(
      new Encoder(owner, this.codecs).encodeRoot(value),
    ) as T;
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
    return this.decodeOrLoad(text);
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
