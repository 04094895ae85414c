import { SavepointError, StorageError, StorageUnavailableError } from "@savepoint/core";

// Node socket errors and postgres.js connection codes that mean "could not
// reach the server" rather than "the server refused this statement".
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "EPIPE",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
]);

// SQLSTATEs that mean the session could not be had: connection exceptions
// (class 08), authorization (28), shutdown/startup (57P0x), too many
// connections, and an unknown database.
function isUnavailableSqlState(code: string): boolean {
  return (
    code.startsWith("08") ||
    code.startsWith("28") ||
    code === "57P01" ||
    code === "57P02" ||
    code === "57P03" ||
    code === "53300" ||
    code === "3D000"
  );
}

// The codes of a connection that could not be made at all (as opposed to one
// that was made and then lost).
const CONNECT_FAILURES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "CONNECT_TIMEOUT",
]);

/**
 * True when `err` says the server could not be reached at all: refused,
 * unknown host, no route, or no answer to the connect.
 *
 * @example
 * ```ts
 * isUnreachable(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })); // true
 * ```
 */
export function isUnreachable(err: unknown): boolean {
  const code = codeOf(err);
  return code !== undefined && CONNECT_FAILURES.has(code);
}

function codeOf(err: unknown): string | undefined {
  if (err === null || typeof err !== "object") return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string") return code;
  // Node reports a refused multi-address connect as an AggregateError whose
  // members carry the codes.
  const inner = (err as { errors?: unknown }).errors;
  if (Array.isArray(inner)) {
    for (const e of inner) {
      const c = codeOf(e);
      if (c) return c;
    }
  }
  return undefined;
}

function messageOf(err: unknown): string {
  if (err instanceof Error) {
    if (err.message) return err.message;
    const inner = (err as { errors?: unknown }).errors;
    if (Array.isArray(inner) && inner[0] instanceof Error) return inner[0].message;
    return err.name;
  }
  return String(err);
}

/**
 * Turns whatever a driver threw into one of core's typed errors. The message
 * names where the database is (`location`, never a URL, so never a password)
 * and, as a second line of defence, has `secret` scrubbed out of it.
 *
 * @example
 * ```ts
 * try {
 *   await sql.unsafe("select 1");
 * } catch (err) {
 *   throw toSavepointError(err, "Postgres at 127.0.0.1:5432/test");
 * }
 * ```
 */
export function toSavepointError(err: unknown, location: string, secret?: string): SavepointError {
  if (err instanceof SavepointError) return err;
  const code = codeOf(err);
  let detail = messageOf(err);
  if (secret && secret.length >= 3) detail = detail.split(secret).join("***");
  const closed = /PGlite is closed|connection.*(closed|ended)/i.test(detail);
  if ((code && (UNREACHABLE_CODES.has(code) || isUnavailableSqlState(code))) || closed) {
    return new StorageUnavailableError(
      `${location} is unavailable${code ? ` (${code})` : ""}: ${detail}. Check that the database ` +
        `is running and that the connection settings are right.`,
      { cause: err },
    );
  }
  const sqlState = code && /^[0-9A-Z]{5}$/.test(code) ? ` (SQLSTATE ${code})` : "";
  return new StorageError(`${location} failed a statement${sqlState}: ${detail}`, { cause: err });
}
