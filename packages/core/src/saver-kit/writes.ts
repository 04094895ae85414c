// How writes are indexed, deduplicated and ordered: the part of the write
// contract every saver must agree on to the letter.
import type { PendingWrite } from "../contract/checkpoint.js";

/**
 * Fixed indexes of the special write channels. A write to one of these
 * replaces the previous one of the same task; other writes take their
 * position in the `writes` array and the first stored wins. The numbers are
 * LangGraph's.
 *
 * @example
 * ```ts
 * const idx = WRITES_IDX_MAP[channel] ?? position;
 * ```
 */
export const WRITES_IDX_MAP: Readonly<Record<string, number>> = Object.freeze({
  __error__: -1,
  __scheduled__: -2,
  __interrupt__: -3,
  __resume__: -4,
});

/**
 * The index a write is stored under: its fixed special index, or its position.
 *
 * @example
 * ```ts
 * writeIndex("__error__", 0); // -1
 * writeIndex("__return__", 0); // 0
 * ```
 */
export function writeIndex(channel: string, position: number): number {
  return Object.hasOwn(WRITES_IDX_MAP, channel) ? WRITES_IDX_MAP[channel]! : position;
}

/**
 * True for writes that replace an earlier write at the same index (the special channels).
 *
 * @example
 * ```ts
 * replacesOnWrite("__interrupt__"); // true
 * ```
 */
export function replacesOnWrite(channel: string): boolean {
  return Object.hasOwn(WRITES_IDX_MAP, channel);
}

/**
 * One write of a `putWrites` call as it is stored: its index, channel, value
 * and whether it replaces a stored write at that index.
 *
 * @example
 * ```ts
 * const row: IndexedWrite = { idx: -1, channel: "__error__", value: err, replaces: true };
 * ```
 */
export interface IndexedWrite {
  /** The index it is stored under. */
  idx: number;
  /** Its channel. */
  channel: string;
  /** Its value. */
  value: unknown;
  /** True for a special channel: it replaces a write stored at its index. */
  replaces: boolean;
}

/**
 * The writes of one `putWrites` call with their indexes. A special channel
 * written twice in one call keeps its last value, as two calls would, so a
 * store can apply the rows in one statement without touching a row twice.
 *
 * @example
 * ```ts
 * for (const { idx, channel, value, replaces } of indexWrites(writes)) store(idx, channel, value, replaces);
 * ```
 */
export function indexWrites(writes: readonly PendingWrite[]): IndexedWrite[] {
  const rows: IndexedWrite[] = [];
  let special: Map<number, number> | undefined;
  for (let i = 0; i < writes.length; i++) {
    const [channel, value] = writes[i]!;
    const replaces = replacesOnWrite(channel);
    const idx = replaces ? WRITES_IDX_MAP[channel]! : i;
    if (replaces) {
      special ??= new Map();
      const at = special.get(idx);
      if (at !== undefined) {
        rows[at] = { idx, channel, value, replaces };
        continue;
      }
      special.set(idx, rows.length);
    }
    rows.push({ idx, channel, value, replaces });
  }
  return rows;
}

/**
 * Compares two strings by Unicode code point (UTF-8 byte order), not by
 * UTF-16 code unit as `<` does; the order `pendingWrites` are returned in.
 *
 * @example
 * ```ts
 * compareCodePoints("\u{1F600}", "\uFFFF") > 0; // true, though "\u{1F600}" < "\uFFFF" in UTF-16
 * ```
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (D800-DFFF) encode code points above FFFF: move them above E000-FFFF.
    if (x >= 0xd800) x = x < 0xe000 ? x + 0x2000 : x - 0x800;
    if (y >= 0xd800) y = y < 0xe000 ? y + 0x2000 : y - 0x800;
    return x - y;
  }
  return a.length - b.length;
}

/**
 * Orders stored writes as every saver returns them: by task path, then task
 * id (both by code point), then index.
 *
 * @example
 * ```ts
 * rows.sort((a, b) => compareWrites(a.taskPath, a.taskId, a.idx, b.taskPath, b.taskId, b.idx));
 * ```
 */
export function compareWrites(
  pathA: string,
  taskA: string,
  idxA: number,
  pathB: string,
  taskB: string,
  idxB: number,
): number {
  return compareCodePoints(pathA, pathB) || compareCodePoints(taskA, taskB) || idxA - idxB;
}

/**
 * A stored write's sort key, for {@link compareStoredWrites}.
 *
 * @example
 * ```ts
 * const key: WriteOrderKey = { taskPath: "", taskId: "0:step", idx: 0 };
 * ```
 */
export interface WriteOrderKey {
  /** The task's path ("" when unknown). */
  readonly taskPath: string;
  /** The task id. */
  readonly taskId: string;
  /** The write index. */
  readonly idx: number;
}

/**
 * {@link compareWrites} over objects that carry the key, for `Array.sort`.
 *
 * @example
 * ```ts
 * writes.sort(compareStoredWrites);
 * ```
 */
export function compareStoredWrites(a: WriteOrderKey, b: WriteOrderKey): number {
  return compareWrites(a.taskPath, a.taskId, a.idx, b.taskPath, b.taskId, b.idx);
}
