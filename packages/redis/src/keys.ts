import { type ChannelVersion, InvalidArgumentError, quote } from "@savepoint/core";

// Key layout. Every key of one thread is `<prefix>:{<thread hex>}:<part>`, so
// they share one hash tag (one Cluster slot) and one Lua script can change a
// thread atomically. A thread owns a fixed set of eight keys whatever its
// size (the eighth, its thread record, exists once a run records a status,
// or a ttl keeps the thread's last write time there),
// which is what lets a write refresh the TTL of the whole thread in O(1) and
// lets `deleteThread` be a single DEL.
//
// Ids are written as lowercase hex of their UTF-8 bytes. Hex holds no `{`,
// `}`, `:`, `*` or `!`, so no id can close the hash tag early, reach another
// thread's keys or be mistaken for a separator; and hex order is byte order,
// which for UTF-8 is code-point order, so sorted sets order ids as strings.
//
// Inside a thread, members and fields join hex parts with `!` (0x21). It sorts
// below every hex digit, and `"` (0x22) right after it bounds a prefix range:
// every member starting with `p!` lies in [`p!`, `p"`) and no other does.
//
// Channel values are stored once per (namespace, channel, version), in the
// `cv` hash under field `ns!channel!version` (the version as its text, so 3
// and "3" are one version, as in LangGraph's savers), first stored wins. The
// checkpoint record holds everything but `channel_values`; a read rebuilds
// them from the versions the checkpoint lists. Those versions are inside the
// serialized checkpoint, which a script cannot decode (the serializer may
// write any bytes), so the checkpoint record's header line repeats them as
// the blob fields to read, `channel!version` joined by `,` (see records.ts).
// That choice over a list kept beside each checkpoint (an eighth key, or a
// field per checkpoint in another hash): the list lives and dies with the
// record that needs it, is written by the same HSET, costs no extra lookup,
// and a record restored, damaged or deleted takes its list with it. The read
// scripts find the list at a fixed place, by one anchored pattern (hex, `!`
// and `,` only), and fetch the blobs in the same call, so `getTuple` and a
// `list` page stay one round trip. A record written before this layout
// (format 1, `channel_values` inline) has no list and reads as it always did.
/** Joins hex parts of members and fields. */
export const SEP = "!";
/** The character right after {@link SEP}: the exclusive end of a prefix range. */
export const SEP_END = '"';

/**
 * The eight keys of one thread, in the order every script takes them as `KEYS`.
 *
 * @example
 * ```ts
 * const keys = threadKeys("savepoint", "order-42");
 * keys.all; // ["savepoint:{6f726465722d3432}:idx", ...]
 * ```
 */
export interface ThreadKeys {
  /** Hex of the thread id, as it appears in the hash tag and the thread index. */
  readonly threadHex: string;
  /** Sorted set (all scores 0) of `ns!cid`: latest and newest-first per namespace. */
  readonly byNamespace: string;
  /** Sorted set (all scores 0) of `cid!ns`: newest-first across the thread's namespaces. */
  readonly byId: string;
  /** Hash `ns!cid` → checkpoint record. */
  readonly checkpoints: string;
  /** Hash `ns!cid` → metadata record. */
  readonly metadata: string;
  /** Hash `ns!cid!task!idx` → write record. */
  readonly writes: string;
  /** Sorted set (all scores 0) of the fields of `writes`: a checkpoint's writes are one range. */
  readonly writeIndex: string;
  /** Hash `ns!channel!version` → channel value record (or the "emptied" marker). */
  readonly channelValues: string;
  /** Hash: the thread's record (status, interrupts, metadata, lease; see thread-records.ts). */
  readonly record: string;
  /** All of the above, in `KEYS` order. */
  readonly all: readonly string[];
  /** `writes` and `writeIndex`: the `KEYS` of a task write that touches nothing else. */
  readonly writeKeys: readonly string[];
}

/**
 * Lowercase hex of the UTF-8 bytes of `text`.
 *
 * @example
 * ```ts
 * toHex("a{b}"); // "617b627d"
 * ```
 */
export function toHex(text: string): string {
  return Buffer.from(text, "utf8").toString("hex");
}

/**
 * The inverse of {@link toHex}.
 *
 * @example
 * ```ts
 * fromHex("617b627d"); // "a{b}"
 * ```
 */
export function fromHex(hex: string): string {
  return Buffer.from(hex, "hex").toString("utf8");
}

/**
 * Checks a key prefix: it must not hold `{` or `}`, which would move the hash
 * tag out of the thread id and put every thread in one slot (or split one).
 *
 * @example
 * ```ts
 * checkPrefix("savepoint"); // ok
 * checkPrefix("app{1}"); // throws InvalidArgumentError
 * ```
 */
export function checkPrefix(prefix: unknown): string {
  if (typeof prefix !== "string" || prefix.length === 0 || /[{}]/.test(prefix)) {
    throw new InvalidArgumentError(
      `RedisSaver prefix ${quote(prefix)} is not usable: pass a non-empty string without ` +
        `"{" or "}" (the saver puts each thread id in a Redis Cluster hash tag after the prefix).`,
    );
  }
  return prefix;
}

/**
 * The keys of thread `threadId` under `prefix`.
 *
 * @example
 * ```ts
 * threadKeys("savepoint", "t1").byNamespace; // "savepoint:{7431}:idx"
 * ```
 */
export function threadKeys(prefix: string, threadId: string): ThreadKeys {
  const threadHex = toHex(threadId);
  const base = `${prefix}:{${threadHex}}:`;
  const keys = {
    threadHex,
    byNamespace: `${base}idx`,
    byId: `${base}byid`,
    checkpoints: `${base}cp`,
    metadata: `${base}md`,
    writes: `${base}w`,
    writeIndex: `${base}wi`,
    channelValues: `${base}cv`,
    record: `${base}thread`,
  };
  return {
    ...keys,
    all: [
      keys.byNamespace,
      keys.byId,
      keys.checkpoints,
      keys.metadata,
      keys.writes,
      keys.writeIndex,
      keys.channelValues,
      keys.record,
    ],
    writeKeys: [keys.writes, keys.writeIndex],
  };
}

/**
 * The key of the index of all threads under `prefix`. It has no hash tag: it
 * lives in its own slot, and is kept beside (not inside) the thread scripts.
 *
 * @example
 * ```ts
 * threadIndexKey("savepoint"); // "savepoint:threads"
 * ```
 */
export function threadIndexKey(prefix: string): string {
  return `${prefix}:threads`;
}

/**
 * A sorted set of the thread records of one workflow under `prefix`: `part`
 * is `"all"` or a stored status. Like the thread index it has no hash tag and
 * is kept beside the thread scripts (see thread-records.ts).
 *
 * @example
 * ```ts
 * threadListKey("savepoint", "review", "interrupted"); // "savepoint:threads:726576696577:interrupted"
 * ```
 */
export function threadListKey(prefix: string, entrypoint: string, part: string): string {
  return `${prefix}:threads:${toHex(entrypoint)}:${part}`;
}

/**
 * The keys of the idle clock of every thread under one prefix (see idle-clock.ts).
 *
 * @example
 * ```ts
 * const keys: IdleKeys = idleKeys("savepoint");
 * ```
 */
export interface IdleKeys {
  /** Sorted set: thread hex → its last write in ms (Redis clock), for threads written with a ttl. */
  readonly writes: string;
  /** Sorted set, the same for threads a sweep spared because they wait on an interrupt. */
  readonly waiting: string;
  /** Hash: thread hex → its workflow (entrypoint), so a sweep can clean listings of a thread Redis expired. */
  readonly workflows: string;
}

/**
 * The idle clock's keys under `prefix`. They share the hash tag `{idle}`
 * (never a thread's: thread tags are hex), so one script updates several,
 * in one slot of their own on a Cluster.
 *
 * @example
 * ```ts
 * idleKeys("savepoint").writes; // "savepoint:{idle}:writes"
 * ```
 */
export function idleKeys(prefix: string): IdleKeys {
  const base = `${prefix}:{idle}:`;
  return { writes: `${base}writes`, waiting: `${base}waiting`, workflows: `${base}workflows` };
}

const HEX = /^(?:[0-9a-f]{2})*$/;

/**
 * The namespace and checkpoint id of a member `nsHex!cidHex` (of the
 * by-namespace index, or a field of the checkpoint and metadata hashes);
 * `undefined` when it is not one.
 *
 * @example
 * ```ts
 * parseMember("!6331"); // { ns: "", checkpointId: "c1" }
 * ```
 */
export function parseMember(member: string): { ns: string; checkpointId: string } | undefined {
  const sep = member.indexOf(SEP);
  if (sep < 0) return undefined;
  const ns = member.slice(0, sep);
  const id = member.slice(sep + 1);
  if (id === "" || !HEX.test(ns) || !HEX.test(id)) return undefined;
  return { ns: fromHex(ns), checkpointId: fromHex(id) };
}

/**
 * The task id in a write field `ns!cid!task!idx`, or `undefined`.
 *
 * @example
 * ```ts
 * taskOfField("!6331!303a61!0"); // "0:a"
 * ```
 */
export function taskOfField(field: string): string | undefined {
  const parts = field.split(SEP);
  return parts.length === 4 && HEX.test(parts[2]!) ? fromHex(parts[2]!) : undefined;
}

/**
 * The field of a channel value without its namespace: `channel!version` in
 * hex, the version as text. The `cv` hash holds it after `ns!`, and a
 * checkpoint record's header lists these for its channel versions.
 *
 * @example
 * ```ts
 * blobField("a", 2); // "61!32"
 * ```
 */
export function blobField(channel: string, version: ChannelVersion): string {
  return `${toHex(channel)}${SEP}${toHex(String(version))}`;
}
