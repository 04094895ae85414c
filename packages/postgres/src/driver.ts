import type { PGliteInterface } from "@electric-sql/pglite";
import { InvalidArgumentError, quote, StorageUnavailableError } from "@savepoint/core";
import type { Sql } from "postgres";
import { toSavepointError } from "./errors.js";
import { openPGlite, PGliteDriver, type PGliteModule } from "./pglite.js";
import { PostgresJsDriver } from "./postgresjs.js";
import { type ParsedSource, parseSource } from "./source.js";
import type { SqlDriver } from "./sql.js";
import { ownedPoolOptions, type PostgresTimeouts } from "./timeouts.js";

export type { Queryable, Row, SqlDriver } from "./sql.js";

/**
 * Anything `PostgresSaver` can store in: a postgres.js client, a
 * `postgres://` / `postgresql://` URL, a PGlite instance, `"memory://"`, or
 * a PGlite data directory (a path: see `parseSource` for what a string may be).
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

/**
 * A source, checked and classified, not yet opened: an injected client
 * (borrowed), or what a string names (opened, and owned, by the saver).
 *
 * @example
 * ```ts
 * const plan = planSource("memory://"); // { kind: "memory", location: "in-memory PGlite" }
 * ```
 */
export type SourcePlan =
  | { kind: "postgresjs"; sql: Sql<any> }
  | { kind: "pglite"; pg: PGliteInterface }
  | ParsedSource;

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

/**
 * Checks and classifies a source without opening anything, so a source that
 * cannot work fails where the saver is made (and no directory is created for
 * a string that is not a path).
 *
 * @example
 * ```ts
 * planSource(undefined); // the default directory
 * planSource("pg://u:pw@h/db"); // throws InvalidArgumentError (without "pw")
 * ```
 */
export function planSource(source: unknown): SourcePlan {
  if (source === undefined) return parseSource(DEFAULT_DATA_DIR);
  if (isPostgresJs(source)) return { kind: "postgresjs", sql: source };
  if (isPGlite(source)) return { kind: "pglite", pg: source };
  if (typeof source !== "string") {
    throw new InvalidArgumentError(
      "PostgresSaver needs a postgres.js client, a postgres:// URL, a PGlite instance or a PGlite " +
        `data directory; got ${source === null ? "null" : typeof source}.`,
    );
  }
  return parseSource(source);
}

function pgliteLocation(dataDir: string | undefined): string {
  return !dataDir || dataDir.startsWith("memory://")
    ? "in-memory PGlite"
    : `PGlite at ${quote(dataDir)}`;
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

type PostgresFactory = (url: string, options: Record<string, unknown>) => Sql<any>;

/**
 * Opens (or wraps) the connection a source names. A URL or data directory is
 * opened here and closed by `close()`; an injected client is only borrowed.
 *
 * @example
 * ```ts
 * const db = await openDriver(planSource(postgres(url)), resolveTimeouts(undefined));
 * await db.query("select 1");
 * await db.close(); // leaves the injected client open
 * ```
 */
export async function openDriver(
  plan: SourcePlan,
  timeouts: Required<PostgresTimeouts>,
): Promise<SqlDriver> {
  switch (plan.kind) {
    case "postgresjs":
      return new PostgresJsDriver(plan.sql, false, timeouts);
    case "pglite": {
      const location = pgliteLocation((plan.pg as { dataDir?: string }).dataDir);
      // The caller's instance came from this same package, so its module is
      // installed; without it, statements go unprepared through query().
      const mod = await importOptional<PGliteModule>("@electric-sql/pglite", location).catch(
        () => undefined,
      );
      return new PGliteDriver(plan.pg, false, location, mod);
    }
    case "url": {
      const { url, location } = plan;
      const mod = await importOptional<{ default: PostgresFactory }>("postgres", location);
      let sql: Sql<any>;
      try {
        // Notices ("schema already exists") are noise for a library.
        sql = mod.default(url, { onnotice: () => {}, ...ownedPoolOptions(timeouts) });
      } catch (err) {
        throw toSavepointError(err, location);
      }
      return new PostgresJsDriver(sql, true, timeouts, location);
    }
    default: {
      const mod = await importOptional<PGliteModule>("@electric-sql/pglite", plan.location);
      return openPGlite(mod, plan.kind === "memory" ? undefined : plan.path, plan.location);
    }
  }
}
