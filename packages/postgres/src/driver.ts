import { mkdir } from "node:fs/promises";
import type { PGliteInterface } from "@electric-sql/pglite";
import { InvalidArgumentError, StorageUnavailableError } from "@savepoint/core";
import type { Sql, TransactionSql } from "postgres";
import { toSavepointError } from "./errors.js";

/** A result row as both drivers return it: column name to parsed value. */
export type Row = Record<string, unknown>;

/**
 * What the saver needs from a connection: parameterised statements and
 * parameterless scripts. Both drivers' errors come out as core's typed errors.
 *
 * @example
 * ```ts
 * const rows = await db.query("select $1::text as x", ["hello"]);
 * ```
 */
export interface Queryable {
  /** One statement with bound parameters; prepared and cached where the driver can. */
  query(text: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Several parameterless statements sent as one script (DDL). */
  exec(script: string): Promise<void>;
}

/**
 * The one SQL layer over postgres.js and PGlite.
 *
 * @example
 * ```ts
 * const db = await openDriver("memory://");
 * await db.transaction(async (tx) => tx.query("select 1"));
 * await db.close();
 * ```
 */
export interface SqlDriver extends Queryable {
  /** Where the database is, for messages: "Postgres at host:5432/db", "in-memory PGlite". Never a password. */
  readonly location: string;
  /** Runs `fn` in one transaction on one connection; commits when it resolves. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Closes the connection if this driver opened it; otherwise does nothing. */
  close(): Promise<void>;
}

/**
 * Anything `PostgresSaver` can store in: a postgres.js client, a
 * `postgres://` / `postgresql://` URL, a PGlite instance, `"memory://"`, or
 * any other string as a PGlite data directory.
 *
 * @example
 * ```ts
 * const sources: PostgresSource[] = ["postgresql://postgres@127.0.0.1:5432/app", "./data/pglite", "memory://"];
 * ```
 */
export type PostgresSource = Sql<any> | PGliteInterface | string;

/**
 * Where the saver keeps its data when given no source: PGlite in the working directory.
 *
 * @example
 * ```ts
 * new PostgresSaver(); // same as new PostgresSaver(DEFAULT_DATA_DIR)
 * ```
 */
export const DEFAULT_DATA_DIR = ".savepoint/pglite";

const URL_PREFIX = /^postgres(ql)?:\/\//i;

function isPostgresJs(source: unknown): source is Sql<any> {
  return (
    typeof source === "function" &&
    typeof (source as Partial<Sql<any>>).unsafe === "function" &&
    typeof (source as Partial<Sql<any>>).begin === "function"
  );
}

function isPGlite(source: unknown): source is PGliteInterface {
  return (
    typeof source === "object" &&
    source !== null &&
    typeof (source as Partial<PGliteInterface>).query === "function" &&
    typeof (source as Partial<PGliteInterface>).exec === "function" &&
    typeof (source as Partial<PGliteInterface>).transaction === "function"
  );
}

function postgresJsLocation(sql: Sql<any>): string {
  const o = (
    sql as { options?: { host?: unknown; port?: unknown; database?: unknown; path?: unknown } }
  ).options;
  if (!o) return "Postgres";
  if (typeof o.path === "string" && o.path)
    return `Postgres at ${o.path}/${String(o.database ?? "")}`;
  const hosts = Array.isArray(o.host) ? o.host : [o.host];
  const ports = Array.isArray(o.port) ? o.port : [o.port];
  const where = hosts
    .map((h, i) => `${String(h)}:${String(ports[i] ?? ports[0] ?? 5432)}`)
    .join(",");
  return `Postgres at ${where}/${String(o.database ?? "")}`;
}

function postgresJsSecret(sql: Sql<any>): string | undefined {
  const pass = (sql as { options?: { pass?: unknown } }).options?.pass;
  return typeof pass === "string" ? pass : undefined;
}

class PostgresJsDriver implements SqlDriver {
  readonly location: string;
  private readonly secret: string | undefined;

  constructor(
    private readonly sql: Sql<any>,
    private readonly owned: boolean,
  ) {
    this.location = postgresJsLocation(sql);
    this.secret = postgresJsSecret(sql);
  }

  query(text: string, params: readonly unknown[] = []): Promise<Row[]> {
    return run(this.sql, text, params, this.location, this.secret);
  }

  async exec(script: string): Promise<void> {
    try {
      await this.sql.unsafe(script);
    } catch (err) {
      throw toSavepointError(err, this.location, this.secret);
    }
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    try {
      return (await this.sql.begin((tx) =>
        fn({
          query: (text, params = []) => run(tx, text, params, this.location, this.secret),
          exec: async (script) => {
            try {
              await tx.unsafe(script);
            } catch (err) {
              throw toSavepointError(err, this.location, this.secret);
            }
          },
        }),
      )) as T;
    } catch (err) {
      throw toSavepointError(err, this.location, this.secret);
    }
  }

  async close(): Promise<void> {
    if (this.owned) await this.sql.end({ timeout: 5 });
  }
}

async function run(
  sql: Sql<any> | TransactionSql<any>,
  text: string,
  params: readonly unknown[],
  location: string,
  secret: string | undefined,
): Promise<Row[]> {
  try {
    return (await sql.unsafe(text, params as any[], { prepare: true })) as unknown as Row[];
  } catch (err) {
    throw toSavepointError(err, location, secret);
  }
}

type PGliteQueryable = Pick<PGliteInterface, "query" | "exec">;

class PGliteDriver implements SqlDriver {
  constructor(
    private readonly pg: PGliteInterface,
    private readonly owned: boolean,
    readonly location: string,
  ) {}

  query(text: string, params: readonly unknown[] = []): Promise<Row[]> {
    return pgliteQuery(this.pg, text, params, this.location);
  }

  exec(script: string): Promise<void> {
    return pgliteExec(this.pg, script, this.location);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    try {
      return await this.pg.transaction((tx) =>
        fn({
          query: (text, params = []) => pgliteQuery(tx, text, params, this.location),
          exec: (script) => pgliteExec(tx, script, this.location),
        }),
      );
    } catch (err) {
      throw toSavepointError(err, this.location);
    }
  }

  async close(): Promise<void> {
    if (this.owned && !this.pg.closed) await this.pg.close();
  }
}

async function pgliteQuery(
  pg: PGliteQueryable,
  text: string,
  params: readonly unknown[],
  location: string,
): Promise<Row[]> {
  try {
    return (await pg.query<Row>(text, params as unknown[])).rows;
  } catch (err) {
    throw toSavepointError(err, location);
  }
}

async function pgliteExec(pg: PGliteQueryable, script: string, location: string): Promise<void> {
  try {
    await pg.exec(script);
  } catch (err) {
    throw toSavepointError(err, location);
  }
}

function pgliteLocation(dataDir: string | undefined): string {
  return !dataDir || dataDir.startsWith("memory://") ? "in-memory PGlite" : `PGlite at ${dataDir}`;
}

async function importOptional<T>(name: string, location: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (cause) {
    throw new StorageUnavailableError(
      `${location} needs the "${name}" package, which is not installed: npm install ${name}`,
      { cause },
    );
  }
}

/** Host, port and database of a URL, for messages; the password never leaves this function. */
function urlLocation(url: string): string {
  try {
    const u = new URL(url);
    return `Postgres at ${u.hostname || "localhost"}:${u.port || "5432"}${u.pathname || "/"}`;
  } catch {
    return "Postgres (unparseable URL)";
  }
}

/**
 * Opens (or wraps) the connection a source names. A URL or data directory is
 * opened here and closed by `close()`; an injected client is only borrowed.
 *
 * @example
 * ```ts
 * const db = await openDriver(postgres("postgresql://postgres@127.0.0.1:5432/test"));
 * await db.query("select 1");
 * await db.close(); // leaves the injected client open
 * ```
 */
export async function openDriver(source: PostgresSource | undefined): Promise<SqlDriver> {
  if (source === undefined) source = DEFAULT_DATA_DIR;
  if (isPostgresJs(source)) return new PostgresJsDriver(source, false);
  if (isPGlite(source)) {
    return new PGliteDriver(
      source,
      false,
      pgliteLocation((source as { dataDir?: string }).dataDir),
    );
  }
  if (typeof source !== "string") {
    throw new InvalidArgumentError(
      "PostgresSaver needs a postgres.js client, a postgres:// URL, a PGlite instance or a PGlite " +
        `data directory; got ${source === null ? "null" : typeof source}.`,
    );
  }
  if (URL_PREFIX.test(source)) {
    const location = urlLocation(source);
    const mod = await importOptional<{
      default: (url: string, options: { onnotice: () => void }) => Sql<any>;
    }>("postgres", location);
    let sql: Sql<any>;
    try {
      // Notices ("schema already exists") are noise for a library.
      sql = mod.default(source, { onnotice: () => {} });
    } catch (err) {
      throw toSavepointError(err, location);
    }
    return new PostgresJsDriver(sql, true);
  }
  const location = pgliteLocation(source);
  const mod = await importOptional<typeof import("@electric-sql/pglite")>(
    "@electric-sql/pglite",
    location,
  );
  try {
    const inMemory = source.startsWith("memory://");
    // PGlite makes only the last directory of the path; make the rest, so
    // the default ".savepoint/pglite" works in a fresh checkout.
    if (!inMemory && !/^[a-z][a-z0-9+.-]*:\/\//i.test(source))
      await mkdir(source, { recursive: true });
    const pg = await mod.PGlite.create(inMemory ? undefined : source);
    return new PGliteDriver(pg, true, location);
  } catch (err) {
    if (err instanceof StorageUnavailableError) throw err;
    const detail = err instanceof Error ? err.message : String(err);
    throw new StorageUnavailableError(`${location} could not be opened: ${detail}`, { cause: err });
  }
}
