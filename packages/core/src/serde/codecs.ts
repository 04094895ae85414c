// Named codecs: how a serializer learns to save a class it does not know.
// What is stored is the codec's registered name and the data its `encode`
// returned; reading calls the `decode` registered under that name. Stored
// data never names a constructor to call, so bytes from storage can only
// ever build what the program registered.
import { InvalidArgumentError } from "../errors/index.js";

/**
 * How to save one kind of value: match it by its class (exactly that class,
 * not subclasses) or by a test, turn it into data the serializer can store,
 * and back.
 *
 * @example
 * ```ts
 * const money: Codec<Money> = {
 *   name: "acme.Money",
 *   class: Money,
 *   encode: (m) => ({ amount: m.amount, currency: m.currency }),
 *   decode: (data) => new Money((data as any).amount, (data as any).currency),
 * };
 * serializer.register(money);
 * ```
 */
export interface Codec<T = any> {
  /** The stored name: unique in the serializer; keep it stable once data is written. */
  name: string;
  /** Values whose prototype is exactly `class.prototype` use this codec. */
  class?: {
    /** The prototype its instances have (the serializer never calls the constructor). */
    readonly prototype: T;
    /** Its name, for error messages. */
    readonly name: string;
  };
  /** Or: values for which this returns true (checked after class matches). */
  test?: (value: unknown) => boolean;
  /** The value as data the serializer can save (JSON plus the built-in types, other codecs included). */
  encode(value: T): unknown;
  /** The value back from what `encode` returned (after it went through storage). */
  decode(data: unknown): T;
}

const RESERVED = new Set([
  "undef",
  "num",
  "bigint",
  "date",
  "map",
  "set",
  "bytes",
  "buffer",
  "regexp",
  "url",
  "error",
  "hole",
  "nullproto",
  "codec",
  "known",
]);

/** The codecs of one serializer, by prototype, by test and by name. */
export class CodecRegistry {
  private readonly byName = new Map<string, Codec>();
  private readonly byPrototype = new Map<object, Codec>();
  private readonly tested: Codec[] = [];

  /** Adds `codec`; a name or class already registered is an InvalidArgumentError. */
  register(codec: Codec): void {
    const name = codec?.name;
    if (typeof name !== "string" || name.length === 0 || RESERVED.has(name)) {
      throw new InvalidArgumentError(
        `A codec needs a non-empty name that is not one of the serializer's own tags (${[...RESERVED].join(", ")}); got ${JSON.stringify(name)}.`,
      );
    }
    if (typeof codec.encode !== "function" || typeof codec.decode !== "function") {
      throw new InvalidArgumentError(`Codec "${name}" needs encode and decode functions.`);
    }
    if (!codec.class && typeof codec.test !== "function") {
      throw new InvalidArgumentError(
        `Codec "${name}" needs a class or a test to know which values it saves.`,
      );
    }
    if (this.byName.has(name)) {
      throw new InvalidArgumentError(
        `A codec named "${name}" is already registered on this serializer; names must be unique.`,
      );
    }
    const proto = codec.class?.prototype as object | undefined;
    if (proto && this.byPrototype.has(proto)) {
      throw new InvalidArgumentError(
        `Class ${codec.class!.name} already has a codec ("${this.byPrototype.get(proto)!.name}") on this serializer.`,
      );
    }
    this.byName.set(name, codec);
    if (proto) this.byPrototype.set(proto, codec);
    else this.tested.push(codec);
  }

  /** True when no codec is registered: the encoder's fast path skips the lookup. */
  get empty(): boolean {
    return this.byName.size === 0;
  }

  /** The codec that saves `value` (an object that is not plain), if any. */
  forValue(value: object, proto: object | null): Codec | undefined {
    if (proto !== null) {
      const exact = this.byPrototype.get(proto);
      if (exact) return exact;
    }
    for (const codec of this.tested) if (codec.test!(value)) return codec;
    return undefined;
  }

  /** The codec registered under `name`. */
  named(name: string): Codec | undefined {
    return this.byName.get(name);
  }
}
