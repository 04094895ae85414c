// The driver over PGlite: Postgres compiled to WebAssembly, in this process.
import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { PGliteInterface } from "@electric-sql/pglite";
import { StorageUnavailableError } from "@savepoint/core";
import { toSavepointError } from "./errors.js";
import { PGlitePrepared, type PGliteProtocol } from "./pglite-prepared.js";
import { pgliteTemplate } from "./pglite-template.js";
import type { Queryable, Row, SqlDriver } from "./sql.js";

type PGliteQueryable = Pick<PGliteInterface, "query" | "exec">;

/**
 * The driver over a PGlite instance; `owned` when the saver opened it (a
 * data directory, `memory://`), so that `close()` closes it. Given PGlite's
 * module (`protocol`), statements are prepared once and reused
 * (pglite-prepared.ts); without it, each goes through `query()`.
 *
 * @example
 * ```ts
 * const db = new PGliteDriver(await PGlite.create(), false, "in-memory PGlite", await import("@electric-sql/pglite"));
 * ```
 */
export class PGliteDriver implements SqlDriver {
  private readonly prepared: PGlitePrepared | undefined;

  constructor(
    private readonly pg: PGliteInterface,
    private readonly owned: boolean,
    readonly location: string,
    protocol?: PGliteProtocol,
    /** How an instance this driver opened began: from the shipped cluster, or by initdb (or it already existed). */
    readonly startedFrom: "template" | "initdb" | "existing" = "existing",
  ) {
    this.prepared =
      protocol && canPrepare(pg, protocol) ? new PGlitePrepared(pg, protocol) : undefined;
  }

  query(text: string, params: readonly unknown[] = []): Promise<Row[]> {
    // A closed instance goes through query(), whose error says it is closed.
    if (this.prepared?.accepts(text) && !this.pg.closed)
      return this.preparedQuery(text, params, false);
    return pgliteQuery(this.pg, text, params, this.location);
  }

  private async preparedQuery(
    text: string,
    params: readonly unknown[],
    inTransaction: boolean,
  ): Promise<Row[]> {
    try {
      return await this.prepared!.query(text, params, inTransaction);
    } catch (err) {
      throw toSavepointError(err, this.location);
    }
  }

  exec(script: string): Promise<void> {
    return pgliteExec(this.pg, script, this.location);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    try {
      return await this.pg.transaction((tx) =>
        fn({
          query: (text, params = []) =>
            this.prepared?.accepts(text)
              ? this.preparedQuery(text, params, true)
              : pgliteQuery(tx, text, params, this.location),
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

// A PGlite worker proxy, or an older PGlite, may lack the protocol methods.
function canPrepare(pg: PGliteInterface, mod: PGliteProtocol): boolean {
  const p = pg as Partial<PGliteInterface>;
  const m = mod as Partial<PGliteProtocol>;
  return (
    typeof m.protocol?.serialize?.bind === "function" &&
    typeof m.parse?.parseResults === "function" &&
    typeof m.parse.parseDescribeStatementResults === "function" &&
    typeof p.execProtocolStream === "function" &&
    typeof p.runExclusive === "function" &&
    typeof p._runExclusiveTransaction === "function" &&
    typeof p.syncToFs === "function" &&
    typeof p.serializers === "object" &&
    typeof p.parsers === "object"
  );
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

/** What `import("@electric-sql/pglite")` gives; only `PGlite` is used. */
export type PGliteModule = typeof import("@electric-sql/pglite");

// PostgreSQL arms a timer every 10 s to log startup progress
// (log_startup_progress_interval). PGlite runs the server in single-user
// mode, where reopening an existing data directory leaves that timer armed
// for as long as the process lives, so a finished script never exited.
// Turned off; it only ever logs.
function startParams(mod: PGliteModule): string[] | undefined {
  const defaults = (mod.PGlite as { defaultStartParams?: unknown }).defaultStartParams;
  if (!Array.isArray(defaults) || !defaults.every((p) => typeof p === "string")) return undefined;
  return [...defaults, "-c", "log_startup_progress_interval=0"];
}

/**
 * Opens PGlite at a data directory (`undefined`: in memory), making the
 * directory's parents first, and owns it. A new database (in memory, or a
 * directory that is empty) starts from the shipped cluster when it matches
 * the installed PGlite (pglite-template.ts), else by initdb.
 *
 * @example
 * ```ts
 * const db = await openPGlite(await import("@electric-sql/pglite"), "./data", 'PGlite at "./data"');
 * ```
 */
export async function openPGlite(
  mod: PGliteModule,
  dataDir: string | undefined,
  location: string,
  template: () => Promise<Blob | undefined> = pgliteTemplate,
): Promise<PGliteDriver> {
  try {
    // PGlite makes only the last directory of the path; make the rest, so
    // the default ".savepoint/pglite" works in a fresh checkout.
    if (dataDir !== undefined) await mkdir(dataDir, { recursive: true });
    const params = startParams(mod);
    const options = params ? { startParams: params } : {};
    const fresh = dataDir === undefined || (await readdir(dataDir)).length === 0;
    if (!fresh)
      return new PGliteDriver(await mod.PGlite.create(dataDir, options), true, location, mod);
    const cluster = await template();
    if (cluster) {
      try {
        const pg = await mod.PGlite.create(dataDir, { ...options, loadDataDir: cluster });
        return new PGliteDriver(pg, true, location, mod, "template");
      } catch {
        // The directory was empty before; empty it again and start as PGlite would.
        if (dataDir !== undefined) await emptyDirectory(dataDir);
      }
    }
    return new PGliteDriver(
      await mod.PGlite.create(dataDir, options),
      true,
      location,
      mod,
      "initdb",
    );
  } catch (err) {
    if (err instanceof StorageUnavailableError) throw err;
    const detail = err instanceof Error ? err.message : String(err);
    throw new StorageUnavailableError(`${location} could not be opened: ${detail}`, { cause: err });
  }
}

async function emptyDirectory(dir: string): Promise<void> {
  for (const entry of await readdir(dir))
    await rm(join(dir, entry), { recursive: true, force: true });
}
