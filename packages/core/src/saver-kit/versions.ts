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
