import {
  type ChannelBlob,
  type ChannelVersion,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointMetadata,
  CorruptValueError,
  channelBlobs,
  channelValuesOf,
  checkIdentifier,
  checkpointWithoutValues,
  checkStoredCheckpoint,
  decodeStored,
  dumpTyped,
  fullListWrite,
  indexWrites,
  joinListChain,
  type ListChains,
  type ListLink,
  type ListWrite,
  loadTyped,
  type Owner,
  type PendingWrite,
  quote,
  type SerializerProtocol,
  type StoredLocation,
  type TypedValue,
} from "@savepoint/core";
import { blobField, SEP, toHex } from "./keys.js";

// A stored record is one line of JSON header, a newline, then the serialized
// value. JSON.stringify never emits a raw newline, so the first 0x0a always
// ends the header, and the body can be any bytes (a 10 MB value included)
// without escaping. The header's first element is the record format version.
//
//   checkpoint:    [2, blob fields, parentId | null, type]   (channel_values left out)
//                  [1, parentId | null, type]                (before: channel_values inline)
//   metadata:      [1, type]
//   write:         [1, taskId, idx, channel, taskPath, type]
//   channel value: [1, type], or [1, null] and no body for a channel emptied at that version
//                  [2, base field, base length, type]: a list stored as its tail (the
//                  elements after the first `base length` of the same channel's version
//                  named by `base field`; see core's saver-kit/list-chains.ts)
//
// A checkpoint's blob fields are `channel!version` in hex (keys.ts's
// blobField) for every channel it lists, joined by `,`, and come first so the
// read scripts find them with one anchored pattern (CHECKPOINT_BLOBS). Format
// 2 is new with that layout: an older @savepoint/redis reading such a record
// says it was written by another version, rather than reading a checkpoint
// without its values.
//
// Reading a record back never trusts it: a header of the wrong shape, a body
// the serializer cannot decode, or a value of the wrong shape is a
// CorruptValueError naming the thread, namespace and checkpoint (and the
// task and channel of a write or a channel value) it was read from.

const FORMAT = 1;
const CHECKPOINT_FORMAT = 2;
const TAIL_FORMAT = 2;
// The type of a list's text: Savepoint's serializer's (chains are only kept with it).
const LIST_TYPE = "savepoint-json";
const NEWLINE = 0x0a;
const EMPTY_BLOB = `${JSON.stringify([FORMAT, null])}\n`;

/**
 * The Lua pattern that captures the blob fields of a checkpoint record
 * (format 2); a record it does not match lists none.
 *
 * @example
 * ```ts
 * `local list = string.match(cp, '${CHECKPOINT_BLOBS}')`;
 * ```
 */
export const CHECKPOINT_BLOBS = '^%[2,"([0-9a-f!,]*)"';

/**
 * The Lua pattern that captures the base field of a channel value record
 * that holds a list tail (format 2); a full value does not match it.
 *
 * @example
 * ```ts
 * `local base = string.match(rec, '${TAIL_BASE}')`;
 * ```
 */
export const TAIL_BASE = '^%[2,"([0-9a-f!]*)"';

/**
 * Where a put's list values may become tails: the saver's chains and the
 * put's thread, namespace and parent. `whole` stores every list whole (a
 * retry after the script found a tail's base gone).
 *
 * @example
 * ```ts
 * const lists: PutLists = { chains, threadId: "t1", ns: "", parentId, whole: false };
 * ```
 */
export interface PutLists {
  chains: ListChains;
  threadId: string;
  ns: string;
  parentId: string | undefined;
  whole: boolean;
}

/**
 * A write as its record holds it: the pieces of a pending write and its sort key.
 *
 * @example
 * ```ts
 * const write: DecodedWrite = { taskId: "0:step", idx: 0, channel: "__return__", taskPath: "", value: 1 };
 * ```
 */
export interface DecodedWrite {
  taskId: string;
  idx: number;
  channel: string;
  taskPath: string;
  value: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

/**
 * Serializes values for storage and back. Core's `dumpTyped`/`loadTyped`
 * decide whether the serializer in use is Savepoint's own (synchronous JSON
 * text) or another one (bytes, through a promise).
 *
 * @example
 * ```ts
 * const codec = new RecordCodec(defaultSerializer);
 * const rec = await codec.encode([], { source: "input" });
 * const metadata = await codec.decodeMetadata(Buffer.from(rec), { threadId: "t", ns: "", checkpointId: "c" });
 * ```
 */
export class RecordCodec {
  constructor(readonly serde: SerializerProtocol) {}

  /**
   * A record: `header` followed by the serialized value's type. A string,
   * synchronously, when the serializer produces text (ioredis writes it as
   * UTF-8 without a copy here); else a Buffer, in a promise.
   */
  encode(
    header: readonly unknown[],
    value: unknown,
    owner?: Owner,
  ): string | Buffer | Promise<string | Buffer> {
    const typed = dumpTyped(this.serde, value, owner);
    return typed instanceof Promise ? typed.then((t) => record(header, t)) : record(header, typed);
  }

  /** The record of one write of task `taskId` (see the layout above). */
  encodeWrite(write: DecodedWrite, owner?: Owner): string | Buffer | Promise<string | Buffer> {
    return this.encode(
      [write.taskId, write.idx, write.channel, write.taskPath],
      write.value,
      owner,
    );
  }

  /**
   * A checkpoint record (format 2): the checkpoint without `channel_values`,
   * its parent, and the blob fields of the versions it lists.
   */
  encodeCheckpoint(
    parentId: string | undefined,
    checkpoint: Checkpoint,
    owner?: Owner,
  ): string | Buffer | Promise<string | Buffer> {
    const fields = Object.entries(checkpoint.channel_versions ?? {}).map(([channel, version]) =>
      blobField(channel, version),
    );
    const header = [fields.join(","), parentId ?? null];
    const typed = dumpTyped(this.serde, checkpointWithoutValues(checkpoint), owner);
    return typed instanceof Promise
      ? typed.then((t) => record(header, t, CHECKPOINT_FORMAT))
      : record(header, typed, CHECKPOINT_FORMAT);
  }

  /** The record of one channel value, or the marker of a channel emptied at that version. */
  encodeBlob(blob: ChannelBlob, owner?: Owner): string | Buffer | Promise<string | Buffer> {
    return blob.present ? this.encode([], blob.value, owner) : EMPTY_BLOB;
  }

  /**
   * A checkpoint record: the checkpoint (shape-checked), its parent's id, and
   * (format 2) the blob fields its channel values come from, in the order the
   * read scripts return the blobs. `channel_values` are rebuilt from those
   * blobs when the stored checkpoint has none (a checkpoint that has them,
   * such as any record of format 1, keeps its own).
   */
  async decodeCheckpoint(
    record: Buffer,
    where: StoredLocation,
    blobs: readonly (Buffer | null)[] = [],
  ): Promise<{ checkpoint: Checkpoint; parentId: string | undefined }> {
    const at = { ...where, part: "checkpoint" };
    const { format, fields: header } = readRecordHeader(record, at, [FORMAT, CHECKPOINT_FORMAT]);
    const list = format === CHECKPOINT_FORMAT ? header[0] : "";
    const [parentId] = format === CHECKPOINT_FORMAT ? header.slice(1) : header;
    if (
      header.length !== (format === CHECKPOINT_FORMAT ? 3 : 2) ||
      typeof list !== "string" ||
      (parentId !== null && typeof parentId !== "string")
    ) {
      throw new CorruptValueError(`a checkpoint record header ${quote(header)}`, { where: at });
    }
    const value = await this.value(record, header, at);
    // Format 1 holds its channel values inline (a record without them is damaged).
    if (format === CHECKPOINT_FORMAT && isRecord(value) && !("channel_values" in value)) {
      const fields = list === "" ? [] : list.split(",");
      value.channel_values = await this.channelValues(value, fields, blobs, where);
    }
    return { checkpoint: checkStoredCheckpoint(value, where), parentId: parentId ?? undefined };
  }

  // `channel_values` of a stored checkpoint from the blobs of its versions
  // (`blobs[i]` is the record of `fields[i]`, null when none was stored).
  // After them come the links of lists stored as tails: for each field in
  // order whose record is a tail, its base's record, and so on down to the
  // full copy (or a null where a base is missing), as the read scripts walk them.
  private async channelValues(
    checkpoint: Record<string, unknown>,
    fields: readonly string[],
    blobs: readonly (Buffer | null)[],
    where: StoredLocation,
  ): Promise<Record<string, unknown>> {
    const versions = checkpoint.channel_versions;
    if (!isRecord(versions)) return {};
    const channels = new Map<string, string>();
    for (const channel of Object.keys(versions)) {
      channels.set(blobField(channel, versions[channel] as ChannelVersion), channel);
    }
    const found = new Map<string, { present: boolean; value?: unknown }>();
    let next = fields.length;
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!;
      let blob = blobs[i];
      if (!blob) continue;
      const channel = channels.get(field);
      const at = { ...where, channel };
      let decoded = await this.decodeBlob(blob, at);
      if (decoded.offset !== undefined) {
        const links: ListLink[] = [{ value: decoded.value, offset: decoded.offset }];
        while (decoded.offset !== undefined) {
          blob = blobs[next++];
          if (!blob) break;
          decoded = await this.decodeBlob(blob, at);
          links.push(
            decoded.offset === undefined
              ? { value: decoded.value }
              : { value: decoded.value, offset: decoded.offset },
          );
        }
        decoded = {
          present: true,
          value: joinListChain(links, { ...at, part: "channel value" }),
        };
      }
      if (channel !== undefined) found.set(field, decoded);
    }
    return channelValuesOf(versions as ChannelVersions, (channel, version) =>
      found.get(blobField(channel, version)),
    );
  }

  // A channel value record: a value, `present: false` for the "emptied"
  // marker, or a list tail (its value and the length of its base in `offset`).
  private async decodeBlob(
    record: Buffer,
    where: StoredLocation,
  ): Promise<{ present: boolean; value?: unknown; offset?: number }> {
    const at = { ...where, part: "channel value" };
    const { format, fields: header } = readRecordHeader(record, at, [FORMAT, TAIL_FORMAT]);
    if (format === TAIL_FORMAT) {
      const [base, offset, type] = header;
      if (
        header.length !== 3 ||
        typeof base !== "string" ||
        !Number.isInteger(offset) ||
        typeof type !== "string"
      ) {
        throw new CorruptValueError(`a list tail record header ${quote(header)}`, { where: at });
      }
      const value = await this.value(record, header, at);
      return { present: true, value, offset: offset as number };
    }
    if (header.length !== 1 || (header[0] !== null && typeof header[0] !== "string")) {
      throw new CorruptValueError(`a channel value record header ${quote(header)}`, { where: at });
    }
    if (header[0] === null) return { present: false };
    return { present: true, value: await this.value(record, header, at) };
  }

  /** A metadata record: an object. */
  async decodeMetadata(record: Buffer, where: StoredLocation): Promise<CheckpointMetadata> {
    const at = { ...where, part: "metadata" };
    const header = readHeader(record, at);
    if (header.length !== 1) {
      throw new CorruptValueError(`a metadata record header ${quote(header)}`, { where: at });
    }
    const value = await this.value(record, header, at);
    if (!isRecord(value))
      throw new CorruptValueError(`metadata that is ${kindOf(value)}`, { where: at });
    return value as CheckpointMetadata;
  }

  /**
   * The (blob field, record) pairs of the channels `versions` names: the
   * tail of put's arguments. With `lists`, list values go through its chains
   * (a tail record names its base's field); `writes` are those list writes.
   */
  async blobArguments(
    checkpoint: Checkpoint,
    versions: ChannelVersions,
    lists?: PutLists,
  ): Promise<{ args: (string | Buffer)[]; writes: Map<string, ListWrite> }> {
    const out: (string | Buffer)[] = [];
    const writes = new Map<string, ListWrite>();
    for (const blob of channelBlobs(checkpoint, versions)) {
      const owner = () => `Channel ${quote(blob.channel)} of checkpoint ${quote(checkpoint.id)}`;
      let list = lists?.chains.encodeBlob(lists, blob, owner);
      if (list && lists?.whole) list = fullListWrite(list);
      let record: string | Buffer | Promise<string | Buffer>;
      if (list) {
        writes.set(blob.channel, list);
        const header =
          list.base === undefined
            ? [FORMAT, LIST_TYPE]
            : [TAIL_FORMAT, blobField(blob.channel, list.base), list.offset, LIST_TYPE];
        record = `${JSON.stringify(header)}\n${list.text}`;
      } else record = this.encodeBlob(blob, owner);
      if (record instanceof Promise) record = await record;
      out.push(blobField(blob.channel, blob.version), record);
    }
    return { args: out, writes };
  }

  /**
   * Appends the (field suffix, replaces, record) triples of a task's writes
   * to putWrites' arguments. Every task's write comes through here, and an
   * await is not free: it returns a promise only when a value encodes
   * asynchronously (a serializer other than ours).
   */
  writeArguments(
    args: (string | Buffer)[],
    taskId: string,
    taskPath: string,
    writes: PendingWrite[],
  ): Promise<void> | undefined {
    const taskHex = toHex(taskId);
    const rows = indexWrites(writes);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const record = this.writeRecord(row, taskId, taskPath);
      if (record instanceof Promise) {
        return this.laterArguments(args, taskId, taskPath, taskHex, rows.slice(i), record);
      }
      args.push(`${taskHex}${SEP}${row.idx}`, row.replaces ? "1" : "0", record);
    }
    return undefined;
  }

  // writeArguments from the first write that encodes asynchronously on, in order.
  private async laterArguments(
    args: (string | Buffer)[],
    taskId: string,
    taskPath: string,
    taskHex: string,
    rows: ReturnType<typeof indexWrites>,
    first: Promise<string | Buffer>,
  ): Promise<void> {
    for (const [i, row] of rows.entries()) {
      const record = await (i === 0 ? first : this.writeRecord(row, taskId, taskPath));
      args.push(`${taskHex}${SEP}${row.idx}`, row.replaces ? "1" : "0", record);
    }
  }

  private writeRecord(
    { idx, channel, value }: ReturnType<typeof indexWrites>[number],
    taskId: string,
    taskPath: string,
  ): string | Buffer | Promise<string | Buffer> {
    checkIdentifier("putWrites: write channel", channel, { allowEmpty: true });
    const owner = () => `Write to ${quote(channel)} of task ${quote(taskId)}`;
    return this.encodeWrite({ taskId, idx, channel, taskPath, value }, owner);
  }

  /** A record of `encode([], value)` (a thread record's interrupts or one metadata value): the value. */
  async decodeValue(record: Buffer, where: StoredLocation): Promise<unknown> {
    const header = readHeader(record, where);
    if (header.length !== 1) {
      throw new CorruptValueError(`a value record header ${quote(header)}`, { where });
    }
    return this.value(record, header, where);
  }

  /**
   * A write record, its header checked. `where` names the task when the
   * caller knows it from the write's field, so a broken header still says
   * whose write it is.
   */
  async decodeWrite(record: Buffer, where: StoredLocation): Promise<DecodedWrite> {
    const at = { ...where, part: "write" };
    const header = readHeader(record, at);
    const [taskId, idx, channel, taskPath] = header;
    if (
      header.length !== 5 ||
      typeof taskId !== "string" ||
      !Number.isInteger(idx) ||
      typeof channel !== "string" ||
      typeof taskPath !== "string"
    ) {
      throw new CorruptValueError(`a write record header ${quote(header)}`, { where: at });
    }
    const value = await this.value(record, header, { ...at, taskId, channel });
    return { taskId, idx: idx as number, channel, taskPath, value };
  }

  // The value after the header line, decoded by its stored type.
  private async value(record: Buffer, header: unknown[], where: StoredLocation): Promise<unknown> {
    const type = header[header.length - 1];
    if (typeof type !== "string") {
      throw new CorruptValueError("a record without a value type", { where });
    }
    const body = record.subarray(record.indexOf(NEWLINE) + 1);
    // A plain Uint8Array view, as another serializer's `loadsTyped` expects.
    const data = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    return decodeStored(where, () => loadTyped(this.serde, type, data));
  }
}

function record(
  header: readonly unknown[],
  [type, data]: TypedValue,
  format = FORMAT,
): string | Buffer {
  const line = `${JSON.stringify([format, ...header, type])}\n`;
  if (typeof data === "string") return line + data;
  return Buffer.concat([
    Buffer.from(line, "utf8"),
    Buffer.from(data.buffer, data.byteOffset, data.byteLength),
  ]);
}

/**
 * The header of a record of format 1, without its format version; a damaged
 * one is a CorruptValueError naming `where`.
 *
 * @example
 * ```ts
 * readHeader(Buffer.from('[1,"t",0,"ch","","savepoint-json"]\n"x"')); // ["t", 0, "ch", "", "savepoint-json"]
 * ```
 */
export function readHeader(record: Buffer, where?: StoredLocation): unknown[] {
  return readRecordHeader(record, where, [FORMAT]).fields;
}

/**
 * The format version of a record and the rest of its header, when the format
 * is one of `formats`; else (or when damaged) a CorruptValueError naming `where`.
 *
 * @example
 * ```ts
 * readRecordHeader(Buffer.from('[2,"",null,"savepoint-json"]\n{}'), undefined, [1, 2]);
 * // { format: 2, fields: ["", null, "savepoint-json"] }
 * ```
 */
export function readRecordHeader(
  record: Buffer,
  where: StoredLocation | undefined,
  formats: readonly number[],
): { format: number; fields: unknown[] } {
  const options = where ? { where } : undefined;
  const end = record.indexOf(NEWLINE);
  if (end < 0) throw new CorruptValueError("a record without a header line", options);
  let header: unknown;
  try {
    header = JSON.parse(record.toString("utf8", 0, end));
  } catch (cause) {
    throw new CorruptValueError("a record header that is not JSON", { ...options, cause });
  }
  if (!Array.isArray(header) || !formats.includes(header[0])) {
    throw new CorruptValueError(
      `a record header ${quote(header)} that is not format ${formats.join(" or ")}: written by another version of @savepoint/redis?`,
      options,
    );
  }
  return { format: header[0] as number, fields: header.slice(1) };
}
