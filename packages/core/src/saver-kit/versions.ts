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
  // parseInt stops at the ".": the counter of a "counter.random" version.
  const parsed = Number.parseInt(current, 10);
  return Number.isFinite(parsed) ? parsed + 1 : 1;
}

/**
 * The next version as every Savepoint saver's `getNextVersion` returns it:
 * the counter after `current`, zero-padded to 16 digits so versions sort as
 * text (a counter never exceeds 2^53, 16 digits), and a part unique to this
 * call (a random part drawn once per process and a sequence). It keeps two
 * branches forked from one checkpoint apart: both take the counter after
 * their parent's, and a saver that stores each channel value once per
 * (channel, version) must not let one branch's value answer for the other's.
 * A version written with LangGraph's wider 32-digit padding still sorts
 * before the one that follows it.
 *
 * @example
 * ```ts
 * nextUniqueVersion(undefined); // "0000000000000001.0k3j9x2m1"
 * ```
 */
export function nextUniqueVersion(current: ChannelVersion | undefined): string {
  const counter = String(nextIntegerVersion(current));
  return `${ZEROS.slice(counter.length)}${counter}.${uniqueSuffix()}`;
}

const ZEROS = "0".repeat(16);

// Unique per call: a random prefix drawn once per process, and a counter.
// (A random draw per version costs more than the version is worth.) Versions
// are stored in every checkpoint and every value's key, so they stay short.
const PROCESS_PART = Math.floor(Math.random() * 36 ** 8)
  .toString(36)
  .padStart(8, "0");
let sequence = 0;

function uniqueSuffix(): string {
  sequence = (sequence + 1) % 2 ** 48;
  return `${PROCESS_PART}${sequence.toString(36)}`;
}
