import {
  defaultSerializer,
  dumpTyped,
  loadTyped,
  type Owner,
  type SavepointSerializer,
  type SerializerProtocol,
  savepointSerializerOf,
  type TypedValue,
} from "@savepoint/core";

/** The type Savepoint's serializer writes; its value column holds the JSON text itself. */
const TEXT_TYPE = defaultSerializer.type;

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** A value as its two columns: the type tag and the text. */
type Columns = [type: string, text: string];

// The value column is text: JSON text stays as it is (a foreign serializer
// that writes our type writes UTF-8 JSON too); other bytes go in as base64.
function toColumns([type, data]: TypedValue): Columns {
  if (typeof data === "string") return [type, data];
  if (type === TEXT_TYPE) return [type, utf8.decode(data)];
  return [type, Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64")];
}

/**
 * Turns values into `(type, text)` column pairs and back, through core's
 * `dumpTyped`/`loadTyped`. With Savepoint's serializer (the default) the text
 * is its JSON, encoded synchronously; any other serializer's bytes are stored
 * as base64 next to the type it names.
 *
 * @example
 * ```ts
 * const codec = new ValueCodec(defaultSerializer);
 * const [type, text] = await codec.encode(new Date(0));
 * await codec.decode(type, text); // Date(0)
 * ```
 */
export class ValueCodec {
  /** The serializer metadata goes through: the saver's own if it is Savepoint's, else the default. */
  readonly json: SavepointSerializer;
  private readonly sync: boolean;

  constructor(readonly serde: SerializerProtocol) {
    const ours = savepointSerializerOf(serde);
    this.sync = ours !== undefined;
    this.json = ours ?? defaultSerializer;
  }

  /** The synchronous path, when the serializer has one (Savepoint's); else `undefined`. */
  encodeSync(value: unknown, owner?: Owner): Columns | undefined {
    // Asking another serializer would start an encoding nobody awaits.
    if (!this.sync) return undefined;
    const columns = this.encode(value, owner);
    return columns instanceof Promise ? undefined : columns;
  }

  /** The columns of `value`: at once for Savepoint's serializer, else in a promise. */
  encode(value: unknown, owner?: Owner): Columns | Promise<Columns> {
    const typed = dumpTyped(this.serde, value, owner);
    return typed instanceof Promise ? typed.then(toColumns) : toColumns(typed);
  }

  /** The value of two columns: at once for Savepoint's JSON text, else in a promise. */
  decode(type: string, text: string): unknown {
    return loadTyped(
      this.serde,
      type,
      type === TEXT_TYPE ? text : new Uint8Array(Buffer.from(text, "base64")),
    );
  }

  /** Metadata as jsonb input text (Dates and the like survive; see {@link toJsonb}). */
  metadataToJsonb(metadata: unknown, owner: Owner = "Checkpoint metadata"): string {
    return toJsonb(JSON.stringify(this.json.toJson(metadata, owner)));
  }

  /** The inverse of {@link ValueCodec.metadataToJsonb}, from the column's text output. */
  metadataFromJsonb(text: string): unknown {
    return this.json.fromJson(JSON.parse(fromJsonb(text)));
  }

  /**
   * A list filter as jsonb texts: the whole filter (for containment) and each
   * key with its value (for exact equality), encoded exactly as metadata is.
   */
  filterToJsonb(
    filter: Record<string, unknown>,
  ): [whole: string, entries: [key: string, value: string][]] {
    const tree = this.json.toJson(filter, "A list filter") as Record<string, unknown>;
    const entries: [string, string][] = Object.keys(tree).map((key) => [
      JSON.parse(toJsonb(JSON.stringify(key))) as string,
      toJsonb(JSON.stringify(tree[key])),
    ]);
    return [toJsonb(JSON.stringify(tree)), entries];
  }
}

// jsonb refuses two things JSON allows: the NUL character and unpaired
// surrogates. Metadata may hold both, so strings are escaped on the way in
// with U+0001 as the escape character: U+0001 -> U+0001 U+0001, NUL ->
// U+0001 U+0002, an unpaired surrogate \udXXX -> U+0001 U+0003 "dXXX". The
// map is one-to-one, so jsonb equality (list filters) still means equality.
// It works on JSON.stringify's text, where these only ever appear as
// lowercase \u escapes; "\\" is matched first so an escaped backslash is
// never mistaken for the start of an escape.
const TO_JSONB = /\\(\\|u0000|u0001|ud[89a-f][0-9a-f]{2})/g;
const FROM_JSONB = /\\(\\|u0001\\u0001|u0001\\u0002|u0001\\u0003(d[89a-f][0-9a-f]{2}))/g;

/**
 * JSON text (as `JSON.stringify` writes it) to text jsonb accepts, one-to-one.
 *
 * @example
 * ```ts
 * toJsonb(JSON.stringify("a\u0000")); // '"a\\u0001\\u0002"'
 * ```
 */
export function toJsonb(json: string): string {
  if (!json.includes("\\u")) return json;
  return json.replace(TO_JSONB, (all, esc: string) => {
    if (esc === "\\") return all;
    if (esc === "u0000") return "\\u0001\\u0002";
    if (esc === "u0001") return "\\u0001\\u0001";
    return `\\u0001\\u0003${esc.slice(1)}`;
  });
}

/**
 * The inverse of {@link toJsonb}, on jsonb's text output.
 *
 * @example
 * ```ts
 * JSON.parse(fromJsonb('"a\\u0001\\u0002"')); // "a\u0000"
 * ```
 */
export function fromJsonb(text: string): string {
  if (!text.includes("\\u0001")) return text;
  return text.replace(FROM_JSONB, (all, esc: string, surrogate: string | undefined) => {
    if (esc === "\\") return all;
    if (surrogate) return `\\u${surrogate}`;
    return esc === "u0001\\u0001" ? "\\u0001" : "\\u0000";
  });
}
