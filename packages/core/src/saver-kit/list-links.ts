// The read side of list chains (list-chains.ts is the write side): how a
// stored tail is tagged, and how a read joins a chain's links back into
// the list, refusing links that do not fit together.
import { CorruptValueError, type StoredLocation } from "../errors/index.js";

/**
 * The type tag a saver stores beside a list tail (its text is the tail's
 * JSON, Savepoint's serializer's); a reader that does not know it refuses it.
 *
 * @example
 * ```ts
 * if (type === LIST_TAIL_TYPE) links.push({ value: serializer.decode(text), offset });
 * ```
 */
export const LIST_TAIL_TYPE = "savepoint-list-tail";

/**
 * One stored link of a list chain, decoded: a tail (with the length of the
 * base it extends) or the full copy the chain ends at.
 *
 * @example
 * ```ts
 * const link: ListLink = { value: ["hello"], offset: 3 };
 * ```
 */
export interface ListLink {
  /** The decoded list: the whole value, or the elements after the base's. */
  value: unknown;
  /** For a tail, the number of elements its base holds; absent for the full copy. */
  offset?: number;
}

/**
 * The list a chain stores, from its links newest first (the value's own
 * link first, the full copy last). A chain that does not fit together (a
 * missing link, a base of another length than its tail says) is a
 * CorruptValueError naming `where`: never a list rebuilt from wrong parts.
 *
 * @example
 * ```ts
 * joinListChain([{ value: ["c"], offset: 2 }, { value: ["a", "b"] }], where); // ["a", "b", "c"]
 * ```
 */
export function joinListChain(links: readonly ListLink[], where: StoredLocation): unknown[] {
  const full = links[links.length - 1];
  if (!full || full.offset !== undefined || !Array.isArray(full.value)) {
    throw new CorruptValueError("a list chain that does not end at a full copy", { where });
  }
  const out = full.value as unknown[];
  for (let i = links.length - 2; i >= 0; i--) {
    const link = links[i]!;
    if (!Array.isArray(link.value) || link.offset !== out.length) {
      throw new CorruptValueError(
        `a list tail on a base of ${out.length} elements where it expects ${String(link.offset)}`,
        { where },
      );
    }
    for (const element of link.value as unknown[]) out.push(element);
  }
  return out;
}
