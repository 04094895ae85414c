import {
  CorruptValueError,
  dumpTyped,
  loadTyped,
  type Owner,
  type SerializerProtocol,
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

/**
 * Serializes values for storage and back. Core's `dumpTyped`/`loadTyped`
 * decide whether the serializer in use is Savepoint's own (synchronous JSON
 * text) or another one (bytes, through a promise).
 *
 * @example
 * ```ts
 * const codec = new RecordCodec(defaultSerializer);
 * const rec = await codec.encode(["md"], { source: "input" });
 * const { header, value } = await codec.decode(Buffer.from(rec));
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

  /** The header (without the format version) and the decoded value of a record. */
  async decode(record: Buffer): Promise<{ header: unknown[]; value: unknown }> {
    const header = readHeader(record);
    const type = header[header.length - 1];
    if (typeof type !== "string") throw new CorruptValueError("record without a value type");
    const body = record.subarray(record.indexOf(NEWLINE) + 1);
    // A plain Uint8Array view, as another serializer's `loadsTyped` expects.
    const data = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    return { header: header.slice(0, -1), value: await loadTyped(this.serde, type, data) };
  }

  /** A write record decoded, its header checked. */
  async decodeWrite(record: Buffer): Promise<DecodedWrite> {
    const [taskId, idx, channel, taskPath] = readHeader(record);
    if (typeof taskId !== "string" || typeof idx !== "number" || typeof channel !== "string") {
      throw new CorruptValueError("write record with a malformed header");
    }
    const { value } = await this.decode(record);
    return { taskId, idx, channel, taskPath: typeof taskPath === "string" ? taskPath : "", value };
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
 * The header of a record, without its format version.
 *
 * @example
 * ```ts
 * readHeader(Buffer.from('[1,"t",0,"ch","","savepoint-json"]\n"x"')); // ["t", 0, "ch", "", "savepoint-json"]
 * ```
 */
export function readHeader(record: Buffer): unknown[] {
  const end = record.indexOf(NEWLINE);
  if (end < 0) throw new CorruptValueError("record without a header line");
  let header: unknown;
  try {
    header = JSON.parse(record.toString("utf8", 0, end));
  } catch (cause) {
    throw new CorruptValueError("record header is not JSON", { cause });
  }
  if (!Array.isArray(header) || header[0] !== FORMAT) {
    throw new CorruptValueError(
      `record header ${JSON.stringify(header).slice(0, 80)} is not format ${FORMAT} (written by another version of @savepoint/redis?)`,
    );
  }
  return header.slice(1);
}
