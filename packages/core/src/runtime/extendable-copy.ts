// Shallow copies the runtime goes on to add keys to: channel maps, answers,
// configs, metadata. `{ ...source }` alone makes V8 (Node 20) clone the
// source's shape into one without cached transitions, so every key added to
// the copy afterwards builds a new shape: about 0.4 µs a key, several keys an
// invoke, and shapes left for the old-generation collector. Spreading onto an
// empty object first copies the same keys the same way (own enumerable
// properties, defined, so a "__proto__" key stays data) into an ordinary shape.
const NOTHING: Readonly<Record<string, never>> = Object.freeze({});

/**
 * `{ ...source, ...more }`, as a copy that stays cheap to add keys to.
 *
 * @example
 * ```ts
 * const values = extendableCopy(parent.channel_values);
 * values.__end__ = output;
 * ```
 */
export function extendableCopy<T extends object>(
  source: T | null | undefined,
  more?: Partial<T>,
): T {
  return { ...NOTHING, ...source, ...more } as T;
}
