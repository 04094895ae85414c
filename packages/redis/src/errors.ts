import { SavepointError, StorageError, StorageUnavailableError } from "@savepoint/core";
import type { Cluster, Redis } from "ioredis";
import { redactUrl, scrub } from "./url.js";

// ioredis reports a lost or refused connection in several shapes: a generic
// "Connection is closed." (the socket error itself goes to the client's
// 'error' event), MaxRetriesPerRequestError once a queued command has waited
// through its reconnect attempts, Cluster errors when no node answers, and
// node errors (ECONNREFUSED...) surfacing through the offline queue. Redis
// itself answers LOADING / CLUSTERDOWN / MASTERDOWN / TRYAGAIN while it cannot
// serve. All of these mean "try again later", hence StorageUnavailableError.
const UNAVAILABLE =
  /Connection is closed|Stream isn't writeable|enableOfflineQueue|max retries per request|None of startup nodes|Failed to refresh slots cache|Too many Cluster redirections|Command timed out|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|^LOADING|^CLUSTERDOWN|^MASTERDOWN|^TRYAGAIN|^BUSY /;
// Operations that change storage, each thread's change one script: the hint says so.
const WRITES = new Set(["put", "putWrites", "deleteThread", "prune", "copyThread"]);
const UNAVAILABLE_NAMES = new Set([
  "MaxRetriesPerRequestError",
  "ClusterAllFailedError",
  "AbortError",
]);

/**
 * Where a client connects, for error messages: host:port of a Redis, the
 * startup nodes of a Cluster. Never includes a password.
 *
 * @example
 * ```ts
 * describeClient(new Redis("redis://:secret@127.0.0.1:6379")); // "Redis at 127.0.0.1:6379"
 * ```
 */
export function describeClient(client: Redis | Cluster): string {
  if (client.isCluster) {
    // startupNodes is private in ioredis' types but stable; it is what the user passed.
    const startup = (client as unknown as { startupNodes: unknown[] }).startupNodes ?? [];
    const nodes = startup
      .map((n: any) => {
        if (typeof n === "string") return redactUrl(n);
        if (typeof n === "number") return `127.0.0.1:${n}`;
        return `${n.host ?? "127.0.0.1"}:${n.port ?? 6379}`;
      })
      .join(", ");
    return `Redis Cluster at ${nodes}`;
  }
  const opts = (client as Redis).options;
  if (opts.path) return `Redis at ${opts.path}`;
  return `Redis at ${opts.host ?? "127.0.0.1"}:${opts.port ?? 6379}`;
}

/**
 * Turns what ioredis threw into core's typed errors: StorageUnavailableError
 * when Redis cannot be reached, StorageError when it answered with an error.
 * Savepoint errors pass through unchanged. Messages and the cause are shown
 * without URL passwords or any of `secrets`.
 *
 * @example
 * ```ts
 * try { await client.ping(); } catch (err) { throw toSavepointError(err, "Redis at 127.0.0.1:6379", "getTuple"); }
 * ```
 */
export function toSavepointError(
  err: unknown,
  where: string,
  operation: string,
  lastConnectionError?: Error,
  secrets: readonly string[] = [],
): SavepointError {
  if (err instanceof SavepointError) return err;
  const clean = (text: string) => scrub(redactUrl(text), secrets);
  const message = clean(err instanceof Error ? err.message : String(err));
  const name = err instanceof Error ? err.name : "";
  const cause = cleanCause(err, clean);
  if (UNAVAILABLE_NAMES.has(name) || UNAVAILABLE.test(message)) {
    const last = lastConnectionError ? clean(lastConnectionError.message) : undefined;
    const reason =
      last && last !== message ? `${message} (last connection error: ${last})` : message;
    const write = WRITES.has(operation);
    const hint = write
      ? "The write is one atomic script, so it either committed whole or not at all; check that " +
        "Redis is running, read the thread again, then retry."
      : "Check that Redis is running, then retry.";
    return new StorageUnavailableError(
      `${where} is unavailable: ${operation} failed: ${reason}. ${hint}`,
      { cause },
    );
  }
  return new StorageError(`${where} answered ${operation} with an error: ${message}`, { cause });
}

// The error itself as the cause, unless its message or stack shows a URL's
// password or a known secret: then a copy without them (same name).
function cleanCause(err: unknown, clean: (text: string) => string): unknown {
  if (!(err instanceof Error)) return err;
  const message = clean(err.message);
  const stack = err.stack === undefined ? undefined : clean(err.stack);
  if (message === err.message && stack === err.stack) return err;
  const copy = new Error(message);
  copy.name = err.name;
  copy.stack = stack;
  return copy;
}
