import {
  CorruptValueError,
  isSavepointSerializer,
  type Owner,
  type SerializerProtocol,
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
 * Serializes values for storage and back, using the synchronous fast path of
 * Savepoint's own serializer when it is the one in use.
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
   * A record: `header` followed by the serialized value's type. A string when
   * the serializer produced text (ioredis writes it as UTF-8 without a copy
   * here), else a Buffer.
   */
  async encode(
    header: readonly unknown[],
    value: unknown,
    owner?: Owner,
  ): Promise<string | Buffer> {
    const sync = this.encodeSync(header, value, owner);
    if (sync !== undefined) return sync;
    const [type, bytes] = await this.serde.dumpsTyped(value);
    return Buffer.concat([
      Buffer.from(`${JSON.stringify([FORMAT, ...header, type])}\n`, "utf8"),
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    ]);
  }

  /** {@link RecordCodec.encode} without a promise, when the serializer is synchronous; else undefined. */
  encodeSync(header: readonly unknown[], value: unknown, owner?: Owner): string | undefined {
    const serde = this.serde;
    if (!isSavepointSerializer(serde)) return undefined;
    return `${JSON.stringify([FORMAT, ...header, serde.type])}\n${serde.encode(value, owner)}`;
  }

  /** The header (without the format version) and the decoded value of a record. */
  async decode(record: Buffer): Promise<{ header: unknown[]; value: unknown }> {
    const header = readHeader(record);
    const type = header[header.length - 1];
    if (typeof type !== "string") throw new CorruptValueError("record without a value type");
    const body = record.subarray(record.indexOf(NEWLINE) + 1);
    const serde = this.serde;
    const value =
      isSavepointSerializer(serde) && (type === serde.type || type === "json")
        ? serde.decode(body.toString("utf8"))
        : await serde.loadsTyped(
            type,
            new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
          );
    return { header: header.slice(0, -1), value };
  }
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
