import { InvalidArgumentError, quote } from "@savepoint/core";
import type { RedisOptions } from "ioredis";

// Connection URLs carry passwords, and a malformed one is exactly what ends
// up in an error message. So a URL is redacted before anything else looks at
// it: every message about it is built from the redacted text, and the
// secrets found in it are scrubbed from whatever ioredis says later. The URL
// is parsed here (WHATWG URL, as ioredis 5 does) into ioredis options, so
// ioredis never sees the string itself.

/**
 * The forms `new RedisSaver(url)` accepts, as error messages name them.
 *
 * @example
 * ```ts
 * console.log(`RedisSaver takes ${ACCEPTED_URLS}`);
 * ```
 */
export const ACCEPTED_URLS =
  "redis://[[user]:password@]host[:port][/db] or rediss://[[user]:password@]host[:port][/db] (TLS)";

// "scheme:" plus the slashes after it, wherever a URL starts in a text.
const SCHEME = /^[a-z][a-z0-9+.-]*:\/*/i;
const IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/*)((?:[^\s@]*@)+)/gi;

// The user info of a URL (everything before its last "@") shown without the
// password: "user:***", or "***" when there is no ":" (a password alone).
function maskUserInfo(userInfo: string): string {
  const colon = userInfo.indexOf(":");
  return colon < 0 ? "***" : `${userInfo.slice(0, colon)}:***`;
}

/**
 * `text` with the password of every URL in it replaced by `***`: the whole
 * user info up to the last `@` of the URL, so a password holding an
 * unencoded `@` or `:` does not leak its tail.
 *
 * @example
 * ```ts
 * redactUrl("redis://:hunter2@cache:6379"); // "redis://:***@cache:6379"
 * redactUrl("redis://app:p@ss@cache"); // "redis://app:***@cache"
 * ```
 */
export function redactUrl(text: string): string {
  return text.replace(IN_TEXT, (_, scheme: string, userInfo: string) => {
    return `${scheme}${maskUserInfo(userInfo.slice(0, -1))}@`;
  });
}

/** One connection URL, redacted, and the secrets it holds. */
export interface RedactedUrl {
  /** The URL as messages may show it: no password, no query values. */
  readonly redacted: string;
  /** The password (as written and percent-decoded) and query values, to scrub from messages. */
  readonly secrets: readonly string[];
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

// Shorter strings would match ordinary text ("127", "end"); no password that short is a secret.
const MIN_SECRET = 4;

/**
 * Redacts one whole connection string, well-formed or not: the user info
 * after the scheme up to the last `@` (white space included), and every
 * query value (`?password=` is an ioredis option too).
 *
 * @example
 * ```ts
 * redactConnectionString(" redis:/:pw word@host").redacted; // " redis:/:***@host"
 * ```
 */
export function redactConnectionString(raw: string): RedactedUrl {
  const lead = /^\s*/.exec(raw)![0];
  const head = lead + (SCHEME.exec(raw.slice(lead.length))?.[0] ?? "");
  const rest = raw.slice(head.length);
  const at = rest.lastIndexOf("@");
  const secrets: string[] = [];
  let redacted = raw;
  if (at >= 0) {
    const userInfo = rest.slice(0, at);
    const colon = userInfo.indexOf(":");
    const password = colon < 0 ? userInfo : userInfo.slice(colon + 1);
    secrets.push(password, decoded(password));
    redacted = `${head}${maskUserInfo(userInfo)}${rest.slice(at)}`;
  }
  redacted = redacted.replace(/([?&][^=&#\s]*=)([^&#\s]*)/g, (_, key: string, value: string) => {
    secrets.push(value, decoded(value));
    return `${key}***`;
  });
  return { redacted, secrets: [...new Set(secrets)].filter((s) => s.length >= MIN_SECRET) };
}

/**
 * `text` with every secret replaced by `***`.
 *
 * @example
 * ```ts
 * scrub("auth failed for hunter2", ["hunter2"]); // "auth failed for ***"
 * ```
 */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join("***");
  return out;
}

/** A connection URL parsed into ioredis options. */
export interface ParsedRedisUrl extends RedactedUrl {
  /** host, port, username, password, db, tls (for rediss://) and query options. */
  readonly options: RedisOptions;
}

/**
 * Parses `redis://` and `rediss://` URLs (surrounding white space ignored)
 * into ioredis options; anything else is an InvalidArgumentError that shows
 * the URL redacted and says which forms are accepted.
 *
 * @example
 * ```ts
 * parseRedisUrl("redis://:p%40ss@cache:6380/2").options; // { host: "cache", port: 6380, password: "p@ss", db: 2 }
 * ```
 */
export function parseRedisUrl(raw: string): ParsedRedisUrl {
  // Before anything else looks at the string.
  const { redacted, secrets } = redactConnectionString(raw);
  const refuse = (why: string) =>
    new InvalidArgumentError(
      `RedisSaver cannot use ${quote(redacted)} as a Redis URL: ${why}. Pass ${ACCEPTED_URLS}, ` +
        `with "@", ":", "/", "?", "#" and spaces in the user name or password percent-encoded ` +
        `(%40, %3A, %2F, %3F, %23, %20), or pass an ioredis Redis or Cluster client.`,
    );
  const text = raw.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1]?.toLowerCase();
  if (scheme !== "redis" && scheme !== "rediss") {
    throw refuse(
      scheme === undefined
        ? "it does not start with redis:// or rediss://"
        : `${quote(`${scheme}:`)} is not a scheme RedisSaver connects with`,
    );
  }
  if (!/^[a-z]+:\/\/[^/]/i.test(text))
    throw refuse(`${scheme}: must be followed by "//" and a host`);
  if (/\s/.test(text)) throw refuse("it contains white space");
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // The TypeError carries the whole URL as `input`: it is not passed on.
    throw refuse("it is not a well-formed URL (a port that is not a number, a stray character?)");
  }
  if (url.hostname === "") throw refuse("it names no host");
  if (url.hash !== "") throw refuse('it has a "#" fragment (an unencoded "#" in the password?)');
  const db = /^\/(\d+)$/.exec(url.pathname)?.[1];
  if (db === undefined && url.pathname !== "" && url.pathname !== "/") {
    throw refuse("its path must be a database number, like /0");
  }
  let username: string;
  let password: string;
  try {
    username = decodeURIComponent(url.username);
    password = decodeURIComponent(url.password);
  } catch {
    throw refuse("its user name or password is not valid percent-encoding");
  }
  const options: Record<string, unknown> = { host: url.hostname.replace(/^\[|\]$/g, "") };
  if (url.port !== "") options.port = Number(url.port);
  if (username !== "") options.username = username;
  if (password !== "") options.password = password;
  if (db !== undefined) options.db = Number(db);
  // Query items are ioredis options, as ioredis reads them from a URL.
  for (const [key, value] of url.searchParams) {
    const family = Number.parseInt(value, 10);
    options[key] = key === "family" && !Number.isNaN(family) ? family : value;
  }
  if (scheme === "rediss") options.tls = {};
  const found = [...secrets, password, url.password].filter((s) => s.length >= MIN_SECRET);
  return { redacted, secrets: [...new Set(found)], options: options as RedisOptions };
}
