import { types } from "node:util";
import { describe, expect, it } from "vitest";
import {
  CorruptValueError,
  registerErrorClass,
  SavepointSerializer,
  TaskTimeoutError,
  UnserializableValueError,
} from "../src/index.js";

const serde = new SavepointSerializer();
const roundTrip = <T>(value: T): T => serde.decode(serde.encode(value)) as T;

describe("SavepointSerializer", () => {
  it("round-trips JSON values unchanged", () => {
    const value = { a: 1, b: "two", c: [true, false, null], d: { e: [1.5, -2, "é漢🎉"] } };
    expect(roundTrip(value)).toStrictEqual(value);
    expect(serde.canonicalize(value)).toStrictEqual(value);
  });

  it("round-trips Date, Map, Set, BigInt, Uint8Array, undefined, RegExp and URL", () => {
    const value = {
      date: new Date("2020-02-02T02:02:02.002Z"),
      invalid: new Date(Number.NaN),
      map: new Map<unknown, unknown>([
        [{ k: 1 }, "object key"],
        [2n, new Set([1])],
      ]),
      set: new Set(["a", 1, null]),
      big: -(2n ** 100n),
      bytes: new Uint8Array([0, 255, 7]),
      missing: undefined,
      holes: [undefined, 1],
      re: /x\/y+/gimsuy,
      url: new URL("https://example.com:8080/p?q=1#h"),
    };
    for (const copy of [roundTrip(value), serde.canonicalize(value)]) {
      expect(copy).toStrictEqual(value);
      expect([...copy.map.keys()][1]).toBe(2n);
      expect(Number.isNaN(copy.invalid.getTime())).toBe(true);
      expect(Object.hasOwn(copy, "missing")).toBe(true);
      expect(copy.re.flags).toBe("dgimsuy".replace("d", ""));
    }
  });

  it("round-trips the numbers JSON loses: NaN, ±Infinity and -0", () => {
    const copy = roundTrip([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0]);
    expect(Number.isNaN(copy[0])).toBe(true);
    expect(copy[1]).toBe(Number.POSITIVE_INFINITY);
    expect(copy[2]).toBe(Number.NEGATIVE_INFINITY);
    expect(Object.is(copy[3], -0)).toBe(true);
    expect(Object.is(copy[4], 0)).toBe(true);
  });

  it("round-trips errors with name, message, cause, stack and own fields, as their class", () => {
    const cause = new Error("root cause");
    const error = Object.assign(new RangeError("too big", { cause }), {
      code: "E_BIG",
      detail: { max: 3 },
    });
    const copy = roundTrip(error);
    expect(copy).toBeInstanceOf(RangeError);
    expect(types.isNativeError(copy)).toBe(true);
    expect(copy).toEqual(error);
    expect(copy.message).toBe("too big");
    expect(copy.stack).toBe(error.stack);
    expect((copy.cause as Error).message).toBe("root cause");
    expect(copy.code).toBe("E_BIG");
    expect(copy.detail).toStrictEqual({ max: 3 });
  });

  it("revives Savepoint's and registered error classes as themselves", () => {
    class PaymentDeclined extends Error {
      override name = "PaymentDeclined";
    }
    registerErrorClass(PaymentDeclined);
    const declined = roundTrip(new PaymentDeclined("card declined"));
    expect(declined).toBeInstanceOf(PaymentDeclined);
    expect(declined.name).toBe("PaymentDeclined");
    const unknown = roundTrip(Object.assign(new Error("x"), { name: "NotRegistered" }));
    expect(unknown).toBeInstanceOf(Error);
    expect(unknown.name).toBe("NotRegistered");
  });

  it("refuses functions, symbols, class instances and cycles, naming the owner and the path", () => {
    class Point {
      x = 1;
    }
    const cyclic: Record<string, unknown> = { a: [1] };
    (cyclic.a as unknown[]).push(cyclic);
    const cases: [unknown, string, string][] = [
      [{ f: () => 1 }, "$.f", "a function"],
      [[1, Symbol("s")], "$[1]", "a symbol"],
      [{ p: new Point() }, "$.p", "an instance of Point"],
      [{ "odd key": { deep: new WeakMap() } }, '$["odd key"].deep', "an instance of WeakMap"],
      [cyclic, "$.a[1]", "a circular reference"],
      [{ [Symbol("k")]: 1 }, "$", "a symbol-keyed property"],
      [new Map([["k", () => 1]]), "$.get(0)", "a function"],
    ];
    for (const [value, path, what] of cases) {
      const error = (() => {
        try {
          serde.encode(value, 'The value returned by task "t"');
        } catch (e) {
          return e as UnserializableValueError;
        }
      })();
      expect(error).toBeInstanceOf(UnserializableValueError);
      expect(error?.code).toBe("UNSERIALIZABLE_VALUE");
      expect(error?.path).toBe(path);
      expect(error?.message).toContain(what);
      expect(error?.message).toContain('task "t"');
    }
  });

  it("keeps shared (non-circular) references as copies", () => {
    const shared = { n: 1 };
    const copy = roundTrip({ a: shared, b: shared });
    expect(copy).toStrictEqual({ a: { n: 1 }, b: { n: 1 } });
  });

  it("never mistakes user data for its tags, and never pollutes a prototype", () => {
    const tricky = JSON.parse('{"$sp":"date","v":"x","$$sp":1,"__proto__":{"polluted":true}}');
    const copy = roundTrip(tricky);
    expect(copy).toStrictEqual(tricky);
    expect(Object.keys(copy)).toStrictEqual(["$sp", "v", "$$sp", "__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    const hostile = serde.decode(
      '{"a":{"__proto__":{"polluted":true}},"constructor":{"prototype":{"x":1}}}',
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((hostile as any).a.polluted).toBeUndefined();
  });

  it("reads a tag or an escaped key the same however the stored text spells it", () => {
    // Plain text skips the reviver; a "$sp" written as \u escapes must not slip past it.
    expect(
      serde.decode('{"at":{"\\u0024sp":"date","v":"1970-01-01T00:00:00.005Z"}}'),
    ).toStrictEqual({
      at: new Date(5),
    });
    expect(serde.decode('{"\\u0024$sp":1}')).toStrictEqual({ $sp: 1 });
    expect(() => serde.decode('{"\\u0024sp":"nope"}')).toThrow(CorruptValueError);
    const plain = '{"a":[1,"x",{"b":null}],"__proto__":{"polluted":true}}';
    const value = serde.decode(plain) as Record<string, unknown>;
    expect(value).toStrictEqual(JSON.parse(plain));
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("rejects bytes it did not write with CorruptValueError", async () => {
    expect(() => serde.decode("{not json")).toThrow(CorruptValueError);
    expect(() => serde.decode('{"$sp":"nope"}')).toThrow(CorruptValueError);
    await expect(serde.loadsTyped("msgpack", new Uint8Array([1]))).rejects.toThrow(
      CorruptValueError,
    );
    await expect(serde.loadsTyped("savepoint-json", new Uint8Array([0xff, 0xfe]))).rejects.toThrow(
      CorruptValueError,
    );
  });

  it("speaks LangGraph's dumpsTyped/loadsTyped", async () => {
    const [type, bytes] = await serde.dumpsTyped({ at: new Date(5) });
    expect(type).toBe("savepoint-json");
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(await serde.loadsTyped(type, bytes)).toStrictEqual({ at: new Date(5) });
  });

  it("handles deep nesting", () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 1000; i++) deep = { child: deep };
    expect(roundTrip(deep)).toStrictEqual(deep);
  });

  it("returns primitives from canonicalize as they are", () => {
    for (const v of ["s", 1, -0, Number.NaN, true, null, undefined, 10n]) {
      expect(Object.is(serde.canonicalize(v), v)).toBe(true);
    }
    expect(() => serde.canonicalize(() => 1)).toThrow(UnserializableValueError);
  });

  it("revives Savepoint errors with their code", () => {
    const copy = roundTrip(new TaskTimeoutError("slow", 10));
    expect(copy).toBeInstanceOf(TaskTimeoutError);
    expect(copy.code).toBe("TASK_TIMEOUT");
  });
});
