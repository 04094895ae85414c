// The stored form shared by the encoder and the reviver: JSON, where a value
// JSON cannot hold is an object with the key "$sp" naming what it is. A user
// object with a key made of one or more "$" followed by "sp" gets one more
// "$" on the way out and loses it on the way in, so no user data can be
// mistaken for a tag.

/** The key that marks a tagged value. */
export const TAG = "$sp";

/** Keys the encoder escapes (and the reviver unescapes). */
export const ESCAPED_KEY = /^\$+sp$/;

/**
 * How deep a value may nest (objects, arrays, Maps… inside each other).
 * Deeper values are refused when saved, with an error naming the depth,
 * rather than overflowing the stack half-way.
 */
export const MAX_DEPTH = 1024;

/** The JSON tree the encoder produces and the reviver reads. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** What a value is, for error messages. */
export function describe(value: unknown): string {
  if (typeof value === "function") return `a function${value.name ? ` (${value.name})` : ""}`;
  if (typeof value === "symbol") return `a symbol (${String(value)})`;
  const ctor = (value as object).constructor;
  const name = typeof ctor === "function" && ctor.name ? ctor.name : "an unknown class";
  return `an instance of ${name}`;
}

/** Sets an own, enumerable property even for a key like "__proto__". */
export function defineOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
