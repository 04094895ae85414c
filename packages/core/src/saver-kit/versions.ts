import type { ChannelVersion } from "../contract/checkpoint.js";

/**
 * The next integer version: what `getNextVersion` returns in every Savepoint
 * saver (and what the runtime uses for a saver without `getNextVersion`).
 *
 * @example
 * ```ts
 * nextIntegerVersion(undefined); // 1
 * nextIntegerVersion(4); // 5
 * ```
 */
export function nextIntegerVersion(current: ChannelVersion | undefined): number {
  if (current === undefined) return 1;
  if (typeof current === "number") return current + 1;
  const parsed = Number.parseInt(current.split(".")[0] ?? "", 10);
  return Number.isFinite(parsed) ? parsed + 1 : 1;
}

/**
 * The next version as every Savepoint saver's `getNextVersion` returns it:
 * the counter after `current`, zero-padded so versions sort as text, and a
 * random part. The random part keeps two branches forked from one checkpoint
 * apart: both take the counter after their parent's, and a saver that stores
 * each channel value once per (channel, version) must not let one branch's
 * value answer for the other's.
 *
 * @example
 * ```ts
 * nextUniqueVersion(undefined); // "00000000000000000000000000000001.4f9c2b7a1d3e5f60"
 * ```
 */
export function nextUniqueVersion(current: ChannelVersion | undefined): string {
  const counter = nextIntegerVersion(current);
  const random = Math.floor(Math.random() * 2 ** 52)
    .toString(16)
    .padStart(13, "0");
  return `${String(counter).padStart(32, "0")}.${random}`;
}
