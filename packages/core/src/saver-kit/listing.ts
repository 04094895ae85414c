// What `list`'s options mean, in one place, so every saver filters and counts alike.
import { InvalidArgumentError } from "../errors/index.js";
import { defaultSerializer } from "../serde/serializer.js";

/**
 * How many tuples `list({ limit })` may yield: `Infinity` without a limit; a
 * fractional limit rounds up; zero, a negative number or `NaN` yields nothing.
 * Anything but a number is an `InvalidArgumentError`.
 *
 * @example
 * ```ts
 * listLimit(undefined); // Infinity
 * listLimit(1.5); // 2
 * ```
 */
export function listLimit(limit: unknown): number {
  if (limit === undefined || limit === null) return Number.POSITIVE_INFINITY;
  if (typeof limit !== "number") {
    throw new InvalidArgumentError(
      `list: options.limit must be a number, got ${typeof limit}; pass a positive integer or leave it out.`,
    );
  }
  const rounded = Math.ceil(limit);
  // NaN fails the comparison too, and yields nothing.
  if (!(rounded > 0)) return 0;
  return rounded;
}

/**
 * True when every key of `filter` is in `metadata` with an equal value. This
 * is what `list`'s `filter` means in every Savepoint saver: plain objects and
 * arrays compare key by key; any other object (a `Date`, a `Map`) compares by
 * its stored form, so a `Date` matches only the same instant.
 *
 * @example
 * ```ts
 * matchesMetadataFilter({ source: "input", step: -1, parents: {} }, { source: "input" }); // true
 * ```
 */
export function matchesMetadataFilter(
  metadata: Record<string, unknown> | undefined,
  filter: Record<string, unknown> | undefined,
): boolean {
  if (!filter) return true;
  for (const key of Object.keys(filter)) {
    if (!metadata || !Object.hasOwn(metadata, key) || !sameValue(metadata[key], filter[key]))
      return false;
  }
  return true;
}

function isPlainContainer(value: object): boolean {
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    // BigInts compare by value; everything else already failed Object.is.
    return typeof a === "bigint" && typeof b === "bigint" && a === b;
  }
  if (!isPlainContainer(a) || !isPlainContainer(b)) {
    const stored = storedForm(a);
    return stored !== undefined && stored === storedForm(b);
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (
      !Object.hasOwn(b, k) ||
      !sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])
    ) {
      return false;
    }
  }
  return true;
}

function storedForm(value: unknown): string | undefined {
  try {
    return JSON.stringify(defaultSerializer.toJson(value, "A metadata filter value"));
  } catch {
    // A value that cannot be stored equals nothing stored.
    return undefined;
  }
}
