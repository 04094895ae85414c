// The SQL layer's shapes, apart from the drivers that implement them and
// the code that opens them, so that each can import them without a circle.

/**
 * A statement built for its arguments: the text and its bound parameters.
 *
 * @example
 * ```ts
 * const { text, params } = sql.listPage({}, undefined, 100);
 * await db.query(text, params);
 * ```
 */
export interface BoundQuery {
  text: string;
  params: unknown[];
}

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
 * The one SQL layer over postgres.js and PGlite (opened by `openDriver` in driver.ts).
 *
 * @example
 * ```ts
 * const db = await openDriver(planSource("memory://"), resolveTimeouts(undefined));
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
