import {
  type Checkpoint,
  type CheckpointMetadata,
  CorruptValueError,
  checkStoredCheckpoint,
  decodeStored,
  dumpTyped,
  loadTyped,
  type Owner,
  quote,
  type SerializerProtocol,
  type StoredLocation,
  type TypedValue,
} from "@savepoint/core";

// A stored record is one line of JSON header, a newline, then the serialized
// value. JSON.stringify never emits a raw newline, so the first 0x0a always
// ends the header, and the body can be any bytes (a 10 MB value included)
// without escaping. The header's first element is the record format version.
//
//   checkpoint: [1, parentId | null, type]
//   metadata:   [1, type]
//   write:      [1, taskId, idx, channel, taskPath, type]
//
// Reading a record back never trusts it: a header of the wrong shape, a body
// the serializer cannot decode, or a value of the wrong shape is a
// CorruptValueError naming the thread, namespace and checkpoint (and the
// task and channel of a write) it was read from.

const FORMAT = 1;
const NEWLINE = 0x0a;

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

  /** A checkpoint record: the checkpoint (shape-checked) and its parent's id. */
  async decodeCheckpoint(
    record: Buffer,
    where: StoredLocation,
  ): Promise<{ checkpoint: Checkpoint; parentId: string | undefined }> {
    const at = { ...where, part: "checkpoint" };
    const header = readHeader(record, at);
    const [parentId] = header;
    if (header.length !== 2 || (parentId !== null && typeof parentId !== "string")) {
      throw new CorruptValueError(`a checkpoint record header ${quote(header)}`, { where: at });
    }
    const value = await this.value(record, header, at);
    return { checkpoint: checkStoredCheckpoint(value, where), parentId: parentId ?? undefined };
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

function record(header: readonly unknown[], [type, data]: TypedValue): string | Buffer {
  const line = `${JSON.stringify([FORMAT, ...header, type])}\n`;
  if (typeof data === "string") return line + data;
  return Buffer.concat([
    Buffer.from(line, "utf8"),
    Buffer.from(data.buffer, data.byteOffset, data.byteLength),
  ]);
}

/**
 * The header of a record, without its format version; a damaged one is a
 * CorruptValueError naming `where`.
 *
 * @example
 * ```ts
 * readHeader(Buffer.from('[1,"t",0,"ch","","savepoint-json"]\n"x"')); // ["t", 0, "ch", "", "savepoint-json"]
 * ```
 */
export function readHeader(record: Buffer, where?: StoredLocation): unknown[] {
  const options = where ? { where } : undefined;
  const end = record.indexOf(NEWLINE);
  if (end < 0) throw new CorruptValueError("a record without a header line", options);
  let header: unknown;
  try {
    header = JSON.parse(record.toString("utf8", 0, end));
  } catch (cause) {
    throw new CorruptValueError("a record header that is not JSON", { ...options, cause });
  }
  if (!Array.isArray(header) || header[0] !== FORMAT) {
    throw new CorruptValueError(
      `a record header ${quote(header)} that is not format ${FORMAT}: written by another version of @savepoint/redis?`,
      options,
    );
  }
  return header.slice(1);
}
