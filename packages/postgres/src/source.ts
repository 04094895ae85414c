// What a string given to `new PostgresSaver(string)` means. A string is one
// of three things, and anything else is refused before it is used for
// anything, so a mistyped URL never becomes a PGlite directory named after
// its password:
//
// - a Postgres URL: starts with `postgres://` or `postgresql://` (any case)
//   and parses as one (what postgres.js accepts, several hosts included);
// - `memory://` (optionally `memory://<name>`): in-memory PGlite;
// - a PGlite data directory: an absolute path (`/data/pglite`, and on
//   Windows `C:\data` or `\\server\share`), a path starting with `./` or
//   `../` (or `.`/`..` themselves), or a plain relative path that holds no
//   `:` and no `//` (`data/pglite`, `.savepoint/pglite`).
//
// Refused, with an InvalidArgumentError that lists these forms: an empty
// string; leading or trailing whitespace; any other string holding `://`
// (`mysql://`, `pg://`, `file://`); a plain relative path holding `:` (a
// scheme-like `word:` as in `postgresql:/u@h/db` or `pg:x`) or `//` (a URL
// that lost its colon, `postgres//u@h/db`); and a postgres URL that does not
// parse or holds whitespace or control characters.
//
// Messages show the string only after `redact`, which runs first: a
// password, a query string and everything before the last `@` never reach
// an error, whatever the form.
import { isAbsolute, win32 } from "node:path";
import { InvalidArgumentError, quote } from "@savepoint/core";

/**
 * A source string, classified; `location` names it for messages (never a password).
 *
 * @example
 * ```ts
 * parseSource("./data"); // { kind: "directory", path: "./data", location: 'PGlite at "./data"' }
 * ```
 */
export type ParsedSource =
  | { kind: "url"; url: string; location: string }
  | { kind: "memory"; location: string }
  | { kind: "directory"; path: string; location: string };

const POSTGRES_URL = /^postgres(ql)?:\/\//i;
const SCHEME_PREFIX = /^([A-Za-z][A-Za-z0-9+.-]*:)(\/*)/;
// Whitespace and control characters: never part of a URL (the WHATWG parser
// would silently drop some of them, and connect somewhere else).
function hasSpaceOrControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit <= 0x20 || unit === 0x7f) return true;
  }
  return /\s/.test(text);
}

/** The forms a string may take, for every refusal. */
export const ACCEPTED_FORMS =
  "PostgresSaver takes a postgres:// or postgresql:// URL " +
  '("postgresql://user:password@host:5432/database"), "memory://" for in-memory PGlite, or a ' +
  'PGlite data directory: an absolute path, a path starting with "./" or "../", or a relative ' +
  'path without ":" or "//" (write "./name" for a directory whose name looks like a URL)';

/**
 * `text` with anything that may be a secret taken out: everything up to the
 * last `@` after the scheme (the user and password, whatever characters the
 * password holds), the query string, and, without an `@`, whatever follows a
 * `:` after the scheme (or everything after a scheme without `//`). What is
 * left is the scheme, the host and the path.
 *
 * @example
 * ```ts
 * redactSource("postgresql://u:p@ss@db:5432/app?password=x"); // "postgresql://***@db:5432/app?***"
 * redactSource("mysql://root:secret"); // "mysql://root:***"
 * redactSource("pg:secret"); // "pg:***"
 * ```
 */
export function redactSource(text: string): string {
  const lead = /^\s*/.exec(text)![0];
  let rest = text.slice(lead.length);
  const scheme = SCHEME_PREFIX.exec(rest);
  const prefix = scheme ? scheme[0] : "";
  rest = rest.slice(prefix.length);
  const at = rest.lastIndexOf("@");
  if (at >= 0) rest = `***@${rest.slice(at + 1)}`;
  // "pg:secret": after a bare scheme, anything may be a secret.
  else if (scheme && scheme[2] === "" && rest !== "") rest = "***";
  else if (rest.includes(":")) rest = `${rest.slice(0, rest.indexOf(":"))}:***`;
  const query = rest.indexOf("?");
  if (query >= 0) rest = `${rest.slice(0, query)}?***`;
  return lead + prefix + rest;
}

function refuse(text: string, reason: string): never {
  throw new InvalidArgumentError(
    `PostgresSaver cannot use the string ${quote(redactSource(text))}: ${reason}. ${ACCEPTED_FORMS}.`,
  );
}

/**
 * The hosts of a postgres URL (`host[:port]`, comma-separated as postgres.js
 * takes several), checked; `undefined` when the URL does not parse.
 */
function urlParts(url: string): { hosts: string[]; database: string } | undefined {
  const start = url.indexOf("://") + 3;
  const authorityEnd = url.slice(start).search(/[/?]/);
  const authority = authorityEnd < 0 ? url.slice(start) : url.slice(start, start + authorityEnd);
  const at = authority.lastIndexOf("@");
  const hostList = authority.slice(at + 1);
  const hosts = hostList === "" ? [] : hostList.split(",");
  const rest = url.slice(start + authority.length);
  try {
    for (const host of hosts) {
      if (host === "") return undefined;
      const u = new URL(`postgresql://${host}`);
      if (u.pathname !== "" || u.search !== "" || u.username !== "") return undefined;
    }
    // Parsed as postgres.js parses it: the URL with its first host only.
    const single = `${url.slice(0, start)}${authority.slice(0, at + 1)}${hosts[0] ?? ""}${rest}`;
    const parsed = new URL(single);
    return {
      hosts: hosts.length > 0 ? hosts : ["localhost"],
      database: decodeURIComponent(parsed.pathname.replace(/^\//, "")),
    };
  } catch {
    return undefined;
  }
}

/**
 * A database name as messages show it: as it is when it is a plain name, else
 * quoted (escaped and cut short), so no name can forge a log line.
 *
 * @example
 * ```ts
 * databaseLabel("app"); // "app"
 * databaseLabel("a\nb"); // "\"a\\nb\""
 * ```
 */
export function databaseLabel(name: string): string {
  return /^[\w.$-]{0,63}$/.test(name) ? name : quote(name);
}

function hostLabel(host: string): string {
  const u = new URL(`postgresql://${host}`);
  return `${u.hostname || "localhost"}:${u.port || "5432"}`;
}

function isDirectoryPath(text: string): boolean {
  if (isAbsolute(text)) return true;
  if (process.platform === "win32" && win32.isAbsolute(text)) return true;
  return /^\.\.?([/\\]|$)/.test(text);
}

/**
 * What a source string names, or an InvalidArgumentError (see the rule at
 * the top of this file). Pure: nothing is opened or created here.
 *
 * @example
 * ```ts
 * parseSource("postgresql://app@db:5432/app").kind; // "url"
 * parseSource("pg://u:pw@h/db"); // throws InvalidArgumentError, without "pw" in the message
 * ```
 */
export function parseSource(text: string): ParsedSource {
  if (text.length === 0) refuse(text, "it is empty");
  if (text.trim() !== text) refuse(text, "it has leading or trailing whitespace");
  if (POSTGRES_URL.test(text)) {
    if (hasSpaceOrControl(text)) refuse(text, "a URL cannot hold whitespace or control characters");
    const parts = urlParts(text);
    if (!parts) refuse(text, "it is not a well-formed postgres:// URL");
    const where = parts.hosts.map(hostLabel).join(",");
    return {
      kind: "url",
      url: text,
      location: `Postgres at ${where}/${databaseLabel(parts.database)}`,
    };
  }
  if (text.startsWith("memory://")) return { kind: "memory", location: "in-memory PGlite" };
  const scheme = SCHEME_PREFIX.exec(text);
  if (text.includes("://")) {
    refuse(
      text,
      scheme
        ? `${quote(scheme[1])} is not a scheme PostgresSaver knows`
        : "it holds :// but is not a URL",
    );
  }
  if (!isDirectoryPath(text)) {
    if (scheme && scheme[2] !== "")
      refuse(text, `it starts like a URL (${quote(`${scheme[1]}${scheme[2]}`)}) but is not one`);
    if (text.includes(":")) refuse(text, 'a relative directory path cannot hold ":"');
    if (text.includes("//")) refuse(text, 'it holds "//", as a URL missing its ":" would');
  }
  return { kind: "directory", path: text, location: `PGlite at ${quote(text)}` };
}
