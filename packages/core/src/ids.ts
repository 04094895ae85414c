import { createHash, randomFillSync, randomUUID } from "node:crypto";

// Checkpoint ids are UUIDv7: 48 bits of Unix milliseconds, then a 12-bit
// counter, so string order is creation order. "Latest" and "newest first" are
// orderings on the id, which lets every saver index them as plain text.
let lastMs = 0;
let lastSeq = 0;
// Random bytes drawn in batches: one system call per 256 ids, not one per id.
const pool = Buffer.alloc(8 * 256);
let poolOffset = pool.length;

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
  const msHex = hex(ms, 12);
  const variant = hex(0x8000 | (pool.readUInt16BE(at) & 0x3fff), 4);
  return `${msHex.slice(0, 8)}-${msHex.slice(8)}-7${hex(seq, 3)}-${variant}-${pool.toString("hex", at + 2, at + 8)}`;
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
  return createHash("sha256")
    .update(`${runId}\u0000${scopePath}\u0000${index}`)
    .digest("hex")
    .slice(0, 32);
}

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
