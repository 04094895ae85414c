import { describe, expect, it } from "vitest";
import { extendableCopy, keyedCopy } from "../src/runtime/extendable-copy.js";

for (const [name, copyOf] of [
  ["extendableCopy", extendableCopy],
  ["keyedCopy", keyedCopy],
] as const) {
  it(`${name} copies exactly what a spread copies`, () => {
    const symbol = Symbol("s");
    const hostile = JSON.parse('{"a":1,"__proto__":{"polluted":true},"b":{"c":2}}');
    Object.defineProperty(hostile, "hidden", { value: 1, enumerable: false });
    hostile[symbol] = 3;
    const copy = copyOf(hostile);
    expect(copy).toStrictEqual({ ...hostile });
    expect(Reflect.ownKeys(copy)).toStrictEqual(Reflect.ownKeys({ ...hostile }));
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(copy.b).toBe(hostile.b);
    expect(copyOf(undefined)).toStrictEqual({});
    expect(copyOf(null)).toStrictEqual({});
  });
}

describe("extendableCopy", () => {
  it("lays `more` over the source as a second spread would, keeping key order", () => {
    const copy = extendableCopy<Record<string, unknown>>(
      { x: 1, source: "user", y: 2 },
      {
        source: "input",
        step: 0,
      },
    );
    expect(Object.entries(copy)).toStrictEqual([
      ["x", 1],
      ["source", "input"],
      ["y", 2],
      ["step", 0],
    ]);
  });

  it("is a fresh object the caller may extend", () => {
    const source = { a: 1 };
    const copy = extendableCopy(source) as Record<string, unknown>;
    copy.b = 2;
    expect(source).toStrictEqual({ a: 1 });
  });
});

describe("keyedCopy", () => {
  it("takes new keys as an ordinary object does, and leaves its source alone", () => {
    const source = { first: 1 };
    const copy = keyedCopy(source) as Record<string, unknown>;
    copy["57969e095f515679cbaf827a8caadd28"] = true;
    copy.first = 2;
    expect(Object.entries(copy)).toStrictEqual([
      ["first", 2],
      ["57969e095f515679cbaf827a8caadd28", true],
    ]);
    expect(JSON.stringify(copy)).toBe('{"first":2,"57969e095f515679cbaf827a8caadd28":true}');
    expect(source).toStrictEqual({ first: 1 });
  });
});
