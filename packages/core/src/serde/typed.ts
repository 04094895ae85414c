// The one place that asks "is this Savepoint's own serializer?". Ours encodes
// synchronously to JSON text, which matters on the per-task path (an await per
// value costs more than encoding a small one); any other serializer goes
// through LangGraph's async `dumpsTyped`/`loadsTyped` pair. Savers and the
// runtime both go through here, so the rule is written once.
import { CorruptValueError, UnserializableValueError } from "../errors/index.js";
import {
  defaultSerializer,
  isSavepointSerializer,
  type Owner,
  type SerializerProtocol,
} from "./serializer.js";

/**
 * A value as a serializer encoded it: its type tag and its data. Savepoint's
 * serializer gives JSON text; another serializer gives bytes.
 *
 * @example
 * ```ts
 * const [type, data]: TypedValue = ["savepoint-json", '{"a":1}'];
 * ```
 */
export type TypedValue = [type: string, data: string | Uint8Array];

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Encodes `value` with `serde`: synchronously (JSON text) for Savepoint's
 * serializer, else through `dumpsTyped` (bytes, in a promise).
 *
 * @example
 * ```ts
 * let typed = dumpTyped(saver.serde, value, () => `Write of task "${taskId}"`);
 * if (typed instanceof Promise) typed = await typed;
 * ```
 */
export function dumpTyped(
  serde: SerializerProtocol | undefined,
  value: unknown,
  owner?: Owner,
): TypedValue | Promise<TypedValue> {
  const ours = serde ?? defaultSerializer;
  if (isSavepointSerializer(ours)) return [ours.type, ours.encode(value, owner)];
  return ours.dumpsTyped(value);
}

/**
 * Decodes what {@link dumpTyped} produced: synchronously when Savepoint's
 * serializer wrote it, else through `loadsTyped`.
 *
 * @example
 * ```ts
 * const value = await loadTyped(saver.serde, type, data);
 * ```
 */
export function loadTyped(
  serde: SerializerProtocol | undefined,
  type: string,
  data: string | Uint8Array,
): unknown {
  const ours = serde ?? defaultSerializer;
  if (isSavepointSerializer(ours) && (type === ours.type || type === "json")) {
    let text: string;
    try {
      text = typeof data === "string" ? data : utf8.decode(data);
    } catch (cause) {
      throw new CorruptValueError("not valid UTF-8", { cause });
    }
    return ours.decodeOrLoad(text);
  }
  return ours.loadsTyped(type, data);
}

/**
 * Savepoint's serializer when `serde` is one (or absent: the default), else
 * `undefined`: for savers that store JSON natively through `toJson`.
 *
 * @example
 * ```ts
 * const json = savepointSerializerOf(saver.serde) ?? defaultSerializer;
 * ```
 */
export function savepointSerializerOf(serde: SerializerProtocol | undefined) {
  const ours = serde ?? defaultSerializer;
  return isSavepointSerializer(ours) ? ours : undefined;
}

/**
 * A value exactly as the saver will give it back. With Savepoint's serializer
 * this is synchronous (`canonicalize`: validated and deep-copied without the
 * text); any other serializer round-trips the value, in a promise. The
 * runtime hands this copy to the workflow, so first run and replay agree.
 *
 * @example
 * ```ts
 * let copy = canonicalValue(saver.serde, value, "The input");
 * if (copy instanceof Promise) copy = await copy;
 * ```
 */
export function canonicalValue(
  serde: SerializerProtocol | undefined,
  value: unknown,
  owner: Owner,
): unknown {
  const ours = serde ?? defaultSerializer;
  if (isSavepointSerializer(ours)) return ours.canonicalize(value, owner);
  return ours.dumpsTyped(value).then(([type, bytes]) => ours.loadsTyped(type, bytes));
}

/**
 * An error as it will come back from storage (see {@link canonicalValue});
 * one that cannot be saved whole is saved as a plain `Error` that keeps its
 * name, message and stack.
 *
 * @example
 * ```ts
 * const saved = await canonicalError(saver.serde, new Error("card declined"));
 * ```
 */
export async function canonicalError(
  serde: SerializerProtocol | undefined,
  error: unknown,
): Promise<unknown> {
  try {
    return await canonicalValue(serde, error, "The error");
  } catch (cause) {
    if (!(cause instanceof UnserializableValueError)) throw cause;
    const plain = new Error(error instanceof Error ? error.message : String(error));
    if (error instanceof Error) {
      plain.name = error.name;
      plain.stack = error.stack;
    }
    return canonicalValue(serde, plain, "The error");
  }
}
