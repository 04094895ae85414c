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

/**
 * A shallow copy of `source` that is cheap to add keys no other object has
 * (interrupt ids, fresh on every run). An ordinary object given such a key
 * builds a new shape, and a transition to it from the shape it had, which
 * every copy made here shares: a table that grows with every id the
 * process ever saw. V8 keeps an object whose property other than the last
 * was deleted as a hash table instead, where a new key is one entry. Keys
 * are copied as the spread copies them (own enumerable, defined as data, so
 * a "__proto__" key stays a key).
 *
 * @example
 * ```ts
 * const answers = keyedCopy(parent.channel_values.__resume__);
 * answers[interruptId] = value;
 * ```
 */
export function keyedCopy<T extends object>(source: T | null | undefined): T {
  const copy: Record<string, unknown> = { first: undefined, last: undefined };
  delete copy.first;
  delete copy.last;
  if (source) {
    for (const key of Reflect.ownKeys(source)) {
      if (!Object.prototype.propertyIsEnumerable.call(source, key)) continue;
      Object.defineProperty(copy, key, {
        value: (source as Record<PropertyKey, unknown>)[key],
        writable: true,
        enumerable: true,
        configurable: true,
      });
    }
  }
  return copy as T;
}
