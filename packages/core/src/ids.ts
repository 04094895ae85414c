import * as crypto from "node:crypto";
import { createHash, randomFillSync, randomUUID } from "node:crypto";

// Checkpoint ids are UUIDv7: 48 bits of Unix milliseconds, then a 12-bit
// counter, so string order is creation order. "Latest" and "newest first" are
// orderings on the id, which lets every saver index them as plain text.
let lastMs = 0;
let lastSeq = 0;
// Random bytes drawn in batches: one system call per 256 ids, not one per id.
const pool = Buffer.alloc(8 * 256);
let poolOffset = pool.length;

// Two hex digits per byte, so an id's random part is eight lookups rather
// than a Buffer-to-hex call and its intermediate strings.
const BYTE_HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
// The id's first 15 characters depend on the millisecond only: built once per
// millisecond, not once per id (a busy process makes dozens of ids a millisecond).
let prefixMs = -1;
let prefix = "";

function hex(value: number, width: number): string {
  return value.toString(16).padStart(width, "0");
}

function parseTime(id: string): [ms: number, seq: number] | undefined {
  if (id.length !== 36 || id[14] !== "7") return undefined;
  const ms = Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
  const seq = Number.parseInt(id.slice(15, 18), 16);
  return Number.isFinite(ms) && Number.isFinite(seq) ? [ms, seq] : undefined;
}

/**
 * A new time-ordered checkpoint id (UUIDv7). Ids from one process are strictly
 * increasing; pass `after` (the parent's id) so that a child sorts after its
 * parent even when another machine's clock ran ahead of this one.
 *
 * @example
 * ```ts
 * const a = newCheckpointId();
 * const b = newCheckpointId(a);
 * a < b; // true
 * ```
 */
export function newCheckpointId(after?: string): string {
  let ms = Date.now();
  let seq: number;
  if (ms > lastMs) {
    seq = 0;
  } else {
    ms = lastMs;
    seq = lastSeq + 1;
  }
  const floor = after ? parseTime(after) : undefined;
  if (floor && (ms < floor[0] || (ms === floor[0] && seq <= floor[1]))) {
    ms = floor[0];
    seq = floor[1] + 1;
  }
  if (seq > 0xfff) {
    ms += 1;
    seq = 0;
  }
  lastMs = ms;
  lastSeq = seq;
  if (poolOffset + 8 > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const at = poolOffset;
  poolOffset += 8;
  if (ms !== prefixMs) {
    const msHex = hex(ms, 12);
    prefix = `${msHex.slice(0, 8)}-${msHex.slice(8)}-7`;
    prefixMs = ms;
  }
  const h = BYTE_HEX;
  // The variant's two top bits are 10: the first random byte keeps six.
  return `${prefix}${hex(seq, 3)}-${h[0x80 | (pool[at]! & 0x3f)]}${h[pool[at + 1]!]}-${h[pool[at + 2]!]}${h[pool[at + 3]!]}${h[pool[at + 4]!]}${h[pool[at + 5]!]}${h[pool[at + 6]!]}${h[pool[at + 7]!]}`;
}

/**
 * A new random id for a run (one `invoke` with a fresh input and all the
 * resumes that continue it).
 *
 * @example
 * ```ts
 * newRunId(); // "3b241101-e2bb-4255-8caf-4136c566a962"
 * ```
 */
export function newRunId(): string {
  return randomUUID();
}

/**
 * The id of an interrupt: a 32-hex-digit digest of where it was raised (the
 * run, the task position and the interrupt's order within that task), so the
 * same interrupt gets the same id on every replay and a resume map keyed by it
 * stays valid.
 *
 * @example
 * ```ts
 * interruptId(runId, "0", 0) === interruptId(runId, "0", 0); // true
 * ```
 */
export function interruptId(runId: string, scopePath: string, index: number): string {
  return sha256Hex(`${runId}\u0000${scopePath}\u0000${index}`).slice(0, 32);
}

// The digest stays SHA-256 (ids of threads paused by an earlier version must
// come out the same on their replay, or their saved answers would match
// nothing), but through the one-shot `crypto.hash` (Node 20.12+), which costs
// a third of a Hash object's create-update-digest; older Node keeps that.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: "hex") => string })
  .hash;
const sha256Hex: (text: string) => string = oneShot
  ? (text) => oneShot("sha256", text, "hex")
  : (text) => createHash("sha256").update(text).digest("hex");

/**
 * True when `value` looks like an interrupt id (32 lowercase hex digits).
 *
 * @example
 * ```ts
 * isInterruptId("0123456789abcdef0123456789abcdef"); // true
 * isInterruptId("approve"); // false
 * ```
 */
export function isInterruptId(value: string): boolean {
  return /^[0-9a-f]{32}$/.test(value);
}
