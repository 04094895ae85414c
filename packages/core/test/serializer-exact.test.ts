// What the serializer keeps exactly, what it refuses, and what it calls damage.
import { describe, expect, it } from "vitest";
import {
  CorruptValueError,
  InvalidArgumentError,
  SavepointSerializer,
  UnserializableValueError,
} from "../src/index.js";

const fresh = () => new SavepointSerializer();
const serde = fresh();
const roundTrip = <T>(value: T, s = serde): T => s.decode(s.encode(value)) as T;

describe("SavepointSerializer keeps values exactly or refuses them", () => {
  it("refuses subclasses of Map, Set and Date, which would come back as the base class", () => {
    class Registry extends Map<string, number> {}
    class Tags extends Set<string> {}
    class Stamp extends Date {}
    for (const value of [new Registry(), new Tags(), new Stamp(0)]) {
      expect(() => serde.encode({ value }, "The test value")).toThrow(UnserializableValueError);
      expect(() => serde.canonicalize({ value })).toThrow(/subclass of (Map|Set|Date).*codec/);
    }
    try {
      serde.encode({ deep: [new Registry()] }, 'The result of task "t"');
      expect.unreachable();
    } catch (error) {
      expect((error as UnserializableValueError).path).toBe("$.deep[0]");
      expect((error as Error).message).toContain('The result of task "t"');
    }
  });

  it("keeps a Buffer a Buffer and a Uint8Array a Uint8Array", () => {
    const back = roundTrip({ buf: Buffer.from("hi"), bytes: new Uint8Array([1, 2]) });
    expect(Buffer.isBuffer(back.buf)).toBe(true);
    expect(back.buf.toString()).toBe("hi");
    expect(Buffer.isBuffer(back.bytes)).toBe(false);
    expect(back.bytes).toBeInstanceOf(Uint8Array);
    expect([...back.bytes]).toEqual([1, 2]);
  });

  it("keeps the holes of a sparse array as holes", () => {
    // biome-ignore lint/suspicious/noSparseArray: the hole is what is tested
    const sparse = [1, , 3];
    sparse[6] = 7;
    for (const back of [roundTrip(sparse), serde.canonicalize(sparse)]) {
      expect(back.length).toBe(7);
      expect(1 in back).toBe(false);
      expect(5 in back).toBe(false);
      expect(Object.keys(back)).toEqual(["0", "2", "6"]);
      expect(back[6]).toBe(7);
    }
    // An own undefined stays an own undefined.
    const dense = roundTrip([undefined]);
    expect(0 in dense).toBe(true);
  });

  it("keeps a null-prototype object without a prototype", () => {
    const dict = Object.assign(Object.create(null), { a: 1, nested: { b: 2 } });
    for (const back of [roundTrip(dict), serde.canonicalize(dict)]) {
      expect(Object.getPrototypeOf(back)).toBeNull();
      expect(back.a).toBe(1);
      expect(Object.getPrototypeOf(back.nested)).toBe(Object.prototype);
    }
  });

  it("refuses a value nested deeper than it can save, naming the owner and the depth", () => {
    let deep: unknown = { leaf: true };
    for (let i = 0; i < 3000; i++) deep = { child: deep };
    for (const attempt of [
      () => serde.encode(deep, 'The value returned by task "deep"'),
      () => serde.canonicalize(deep, 'The value returned by task "deep"'),
    ]) {
      try {
        attempt();
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(UnserializableValueError);
        expect((error as Error).message).toContain('task "deep"');
        expect((error as Error).message).toMatch(/nested (more than|about) \d+ levels deep/);
      }
    }
  });

  it("turns malformed tagged values into CorruptValueError, never a raw TypeError or SyntaxError", () => {
    const bad = [
      '{"$sp":"map","v":5}',
      '{"$sp":"map","v":[1]}',
      '{"$sp":"set","v":"x"}',
      '{"$sp":"bigint","v":"1.5"}',
      '{"$sp":"bigint","v":7}',
      '{"$sp":"url","v":"not a url"}',
      '{"$sp":"regexp","source":"(","flags":""}',
      '{"$sp":"regexp","source":"a","flags":"zz"}',
      '{"$sp":"date","v":5}',
      '{"$sp":"num","v":"12"}',
      '{"$sp":"bytes","v":3}',
      '{"$sp":"nullproto","v":[1]}',
      '{"$sp":"hole"}',
      '{"$sp":"codec","name":"nobody","v":1}',
      '{"$sp":"nope"}',
    ];
    for (const text of bad) {
      expect(() => serde.decode(text), text).toThrow(CorruptValueError);
    }
  });
});

describe("SavepointSerializer.register (codecs for your own classes)", () => {
  class Money {
    constructor(
      readonly cents: number,
      readonly currency: string,
    ) {}
  }
  const money = {
    name: "test.Money",
    class: Money,
    encode: (m: Money) => ({ cents: m.cents, currency: m.currency, at: new Date(0) }),
    decode: (d: unknown) => {
      const data = d as { cents: number; currency: string; at: Date };
      expect(data.at).toBeInstanceOf(Date); // codec data goes through the serializer too
      return new Money(data.cents, data.currency);
    },
  };

  it("round-trips a registered class by its registered name, first run equal to replay", () => {
    const s = fresh().register(money);
    const value = { price: new Money(250, "EUR"), list: [new Money(1, "USD")] };
    const back = roundTrip(value, s);
    expect(back.price).toBeInstanceOf(Money);
    expect(back.price).toEqual(new Money(250, "EUR"));
    expect(s.canonicalize(value)).toEqual(back);
    expect(s.encode(new Money(1, "X"))).toContain('"name":"test.Money"');
    expect(s.encode(new Money(1, "X"))).not.toContain("constructor");
  });

  it("matches by exact class; a subclass needs its own codec or a test", () => {
    class Special extends Money {}
    const s = fresh().register(money);
    expect(() => s.encode(new Special(1, "X"))).toThrow(UnserializableValueError);
    const t = fresh().register({
      name: "test.AnyMoney",
      test: (v) => v instanceof Money,
      encode: (m: Money) => [m.cents, m.currency],
      decode: (d) => new Money((d as [number, string])[0], (d as [number, string])[1]),
    });
    expect(roundTrip(new Special(2, "Y"), t)).toEqual(new Money(2, "Y"));
  });

  it("refuses to read a codec name it does not have, naming it", () => {
    const text = fresh().register(money).encode(new Money(1, "X"));
    expect(() => fresh().decode(text)).toThrow(/codec "test\.Money".*register/);
  });

  it("refuses bad registrations with InvalidArgumentError", () => {
    const s = fresh().register(money);
    expect(() => s.register(money)).toThrow(InvalidArgumentError);
    expect(() => s.register({ ...money, name: "other" })).toThrow(/already has a codec/);
    expect(() => fresh().register({ ...money, name: "map" })).toThrow(InvalidArgumentError);
    expect(() => fresh().register({ ...money, name: "" })).toThrow(InvalidArgumentError);
    expect(() =>
      fresh().register({ name: "x", encode: (v: unknown) => v, decode: (v: unknown) => v }),
    ).toThrow(/class or a test/);
  });

  it("wraps a codec's own decode failure as CorruptValueError", () => {
    const s = fresh().register({
      ...money,
      decode: () => {
        throw new TypeError("boom");
      },
    });
    expect(() => s.decode(s.encode(new Money(1, "X")))).toThrow(CorruptValueError);
  });
});
