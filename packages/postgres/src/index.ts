/**
 * Postgres checkpoint saver for Savepoint: on a Postgres server through
 * postgres.js, or on PGlite (embedded Postgres) with nothing to install or run.
 *
 * ```sh
 * npm install @savepoint/core @savepoint/postgres @electric-sql/pglite   # embedded
 * npm install @savepoint/core @savepoint/postgres postgres               # a server
 * ```
 *
 * ```ts
 * import { entrypoint, interrupt, task } from "@savepoint/core";
 * import { PostgresSaver } from "@savepoint/postgres";
 *
 * // PGlite in ./.savepoint/pglite; or new PostgresSaver("postgresql://user@host:5432/db"),
 * // with { timeouts: { connectMs, queryMs, idleMs } } to bound every wait on the server
 * const checkpointer = new PostgresSaver();
 *
 * const writeEssay = task("writeEssay", async (topic: string) => `An essay about ${topic}`);
 * const workflow = entrypoint({ name: "workflow", checkpointer }, async (topic: string) => {
 *   const essay = await writeEssay(topic);
 *   return { essay, approved: interrupt({ essay, action: "approve?" }) };
 * });
 *
 * await workflow.invoke("cats", { configurable: { thread_id: "essay-1" } });
 * await checkpointer.close();
 * ```
 *
 * @module
 */
export { DEFAULT_DATA_DIR, type PostgresSource } from "./driver.js";
export { MIGRATIONS, type Migration, SCHEMA_VERSION } from "./migrations.js";
export type { PostgresSaverOptions } from "./options.js";
export { PostgresSaver } from "./saver.js";
export type { Sweeper, SweeperOptions } from "./sweeper.js";
export { DEFAULT_TIMEOUTS, type PostgresTimeouts } from "./timeouts.js";
