// Named prepared statements on PGlite. PGlite's `query()` sends every
// statement unnamed, so Postgres parses and plans it on each call, in six
// protocol round trips into the WebAssembly server. The saver sends a fixed
// set of statements, so each is parsed once per PGlite instance and then
// bound and executed in one round trip: a put measured 789 µs through
// `query()` and 104 µs prepared (docs/benchmarks.md, T2).
//
// Only PGlite's public protocol API is used (`execProtocolStream`, its
// serializers and result parser, `runExclusive`); values are serialized and
// rows parsed with the instance's own serializers and parsers, so a row
// reads exactly as `query()` would give it.
import type { PGliteInterface, Results } from "@electric-sql/pglite";
import type { Row } from "./sql.js";

/** The part of `import("@electric-sql/pglite")` this file uses. */
export type PGliteProtocol = Pick<typeof import("@electric-sql/pglite"), "protocol" | "parse">;

interface Prepared {
  name: string;
  /** The parameter type oids, as the server described them. */
  types: number[];
}

// Enough for every statement the saver sends (a listing's text varies with
// its filters); past it, a statement goes through `query()` unprepared, so a
// caller's unusual filters cannot grow the server's memory.
export const MAX_PREPARED = 200;

// "prepared statement does not exist": someone ran DEALLOCATE ALL or
// DISCARD ALL on a shared instance. The statement is prepared again, once.
const MISSING_STATEMENT = "26000";

let instances = 0;

/**
 * The prepared statements of one PGlite instance.
 *
 * @example
 * ```ts
 * const prepared = new PGlitePrepared(pg, await import("@electric-sql/pglite"));
 * const rows = await prepared.query("select $1::text as x", ["hi"], false);
 * ```
 */
export class PGlitePrepared {
  private readonly statements = new Map<string, Prepared>();
  // Names unique across savers sharing one instance, and apart from a user's own.
  private readonly prefix = `savepoint_${process.pid}_${++instances}_`;
  private next = 0;
  private ready = false;

  constructor(
    private readonly pg: PGliteInterface,
    private readonly mod: PGliteProtocol,
    private readonly max = MAX_PREPARED,
  ) {}

  /** Whether `text` is (or may become) a prepared statement. */
  accepts(text: string): boolean {
    return this.statements.has(text) || this.statements.size < this.max;
  }

  /**
   * Runs `text` prepared. `inTransaction`: the caller holds PGlite's
   * transaction, so only the query lock is taken and nothing is synced to
   * the file system before the commit; otherwise both locks are taken, as
   * `query()` does, and the data directory is synced after the statement.
   */
  async query(text: string, params: readonly unknown[], inTransaction: boolean): Promise<Row[]> {
    // An instance made with `new PGlite()` starts up in the background; query() waits too.
    if (!this.ready) {
      await this.pg.waitReady;
      this.ready = true;
    }
    const run = () => this.pg.runExclusive(() => this.bindAndExecute(text, params));
    if (inTransaction) return run();
    const rows = await this.pg._runExclusiveTransaction(run);
    await this.pg.syncToFs();
    return rows;
  }

  private async bindAndExecute(text: string, params: readonly unknown[]): Promise<Row[]> {
    try {
      return await this.execute(await this.prepare(text), params);
    } catch (err) {
      if ((err as { code?: unknown })?.code !== MISSING_STATEMENT) throw err;
      this.statements.delete(text);
      return this.execute(await this.prepare(text), params);
    }
  }

  private async prepare(text: string): Promise<Prepared> {
    const known = this.statements.get(text);
    if (known) return known;
    const { serialize } = this.mod.protocol;
    const name = `${this.prefix}${this.next++}`;
    const messages = await this.pg.execProtocolStream(
      join([
        serialize.parse({ name, text }),
        serialize.describe({ type: "S", name }),
        serialize.sync(),
      ]),
      { syncToFs: false },
    );
    const prepared = { name, types: this.mod.parse.parseDescribeStatementResults(messages) };
    this.statements.set(text, prepared);
    return prepared;
  }

  private async execute(prepared: Prepared, params: readonly unknown[]): Promise<Row[]> {
    const { serialize } = this.mod.protocol;
    const serializers = this.pg.serializers;
    const values = params.map((value, i) => {
      if (value === null || value === undefined) return null;
      const serializer = serializers[prepared.types[i] ?? -1];
      return serializer ? serializer(value) : String(value);
    });
    const messages = await this.pg.execProtocolStream(
      join([
        serialize.bind({ statement: prepared.name, values }),
        serialize.describe({ type: "P" }),
        serialize.execute({}),
        serialize.sync(),
      ]),
      { syncToFs: false },
    );
    const results: Results<Row>[] = this.mod.parse.parseResults(messages, this.pg.parsers);
    return results[0]?.rows ?? [];
  }
}

function join(parts: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const part of parts) size += part.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
