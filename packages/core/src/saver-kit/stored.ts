// Reading back what a saver stored: every decode failure becomes a
// CorruptValueError that names where the damage is (thread, namespace,
// checkpoint, task, channel), and a decoded checkpoint is checked for the
// shape the runtime relies on. A damaged value never surfaces as a raw
// TypeError or SyntaxError, and never reads as an empty, finished thread.
import type { Checkpoint } from "../contract/checkpoint.js";
import { CorruptValueError, SavepointError, type StoredLocation } from "../errors/index.js";

/**
 * `error` from decoding a stored value, as the error to throw: a
 * CorruptValueError that names `where` (another serializer's raw error
 * becomes one). For savers that catch decoding errors themselves, so the hot
 * path builds no location until something fails.
 *
 * @example
 * ```ts
 * try { value = serde.decode(text); } catch (e) { throw locateDecodeError(e, { threadId, ns, checkpointId }); }
 * ```
 */
export function locateDecodeError(error: unknown, where: StoredLocation): unknown {
  if (error instanceof CorruptValueError) {
    if (error.where) return error;
    const detail = /\(([^)]*)\)/.exec(error.message)?.[1] ?? "damaged bytes";
    return new CorruptValueError(detail, { cause: error.cause ?? error, where });
  }
  // Another serializer's own failure (a SyntaxError from JSON.parse, a
  // TypeError from a bad shape): the stored bytes are what is wrong.
  if (error instanceof Error && !(error instanceof SavepointError)) {
    return new CorruptValueError(`${error.name}: ${error.message}`, { cause: error, where });
  }
  return error;
}

/**
 * Runs `decode` (sync or async) and names `where` in any decoding failure.
 *
 * @example
 * ```ts
 * const value = await decodeStored({ threadId, ns, checkpointId, taskId, channel }, () =>
 *   loadTyped(serde, type, data),
 * );
 * ```
 */
export function decodeStored<T>(where: StoredLocation, decode: () => T): T {
  let result: T;
  try {
    result = decode();
  } catch (error) {
    throw locateDecodeError(error, where);
  }
  if (result instanceof Promise) {
    return result.catch((error: unknown) => {
      throw locateDecodeError(error, where);
    }) as T;
  }
  return result;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * `value` as a checkpoint, after checking the shape the runtime reads
 * (`id`, and `channel_values`, `channel_versions`, `versions_seen` as
 * objects); otherwise a CorruptValueError naming `where`.
 *
 * @example
 * ```ts
 * const checkpoint = checkStoredCheckpoint(await decode(row.checkpoint), { threadId, ns, checkpointId });
 * ```
 */
export function checkStoredCheckpoint(value: unknown, where: StoredLocation): Checkpoint {
  const problem = !isRecord(value)
    ? `a checkpoint that is ${value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`}`
    : typeof value.id !== "string"
      ? "a checkpoint without a string id"
      : !isRecord(value.channel_values)
        ? "a checkpoint whose channel_values is not an object"
        : !isRecord(value.channel_versions)
          ? "a checkpoint whose channel_versions is not an object"
          : value.versions_seen !== undefined && !isRecord(value.versions_seen)
            ? "a checkpoint whose versions_seen is not an object"
            : undefined;
  if (problem) throw new CorruptValueError(problem, { where: { ...where, part: "checkpoint" } });
  return value as unknown as Checkpoint;
}
