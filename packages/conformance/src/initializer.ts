import type { CheckpointSaver, ThreadTtl } from "@savepoint/core";

/**
 * Storage of its own, for tests that sweep: a sweep expires every idle
 * thread of its storage, so the retention group gives each test a fresh one.
 *
 * @example
 * ```ts
 * const storage: IsolatedStorage = {
 *   create: (options) => new MySaver({ table: "retention_1", ttl: options?.ttl }),
 *   destroy: async () => { await dropTable("retention_1"); },
 * };
 * ```
 */
export interface IsolatedStorage<Saver extends CheckpointSaver = CheckpointSaver> {
  /** A saver over this storage, with `ttl` when given; every call reaches the same storage. */
  create(options?: { ttl?: ThreadTtl }): Saver | Promise<Saver>;
  /** Closes every saver `create` made and removes the storage (its schema, its keys). */
  destroy(): Promise<void>;
}

/**
 * How the conformance suite gets savers to test. `create()` may be called more
 * than once and must return savers over the same storage: the suite writes
 * with one instance and reads with a fresh one to test a restart (unless
 * `durable: false`). Tests isolate themselves by
 * random thread ids, so the storage never needs a flush.
 *
 * @example
 * ```ts
 * const initializer: SaverInitializer = {
 *   name: "my-saver",
 *   create: () => new MySaver(process.env.MY_URL),
 *   destroy: (saver) => saver.close(),
 * };
 * ```
 */
export interface SaverInitializer<Saver extends CheckpointSaver = CheckpointSaver> {
  /** Shown in the test names. */
  name: string;
  /** A saver on the shared storage. Called once per group, plus once per restart test. */
  create(): Saver | Promise<Saver>;
  /** Releases one saver made by `create` (close clients it opened). */
  destroy?(saver: Saver): void | Promise<void>;
  /** Runs once before the suite (start a server, create a schema). */
  beforeAll?(): void | Promise<void>;
  /** Runs once after the suite. */
  afterAll?(): void | Promise<void>;
  /**
   * `false` when every saver `create()` returns has storage of its own (it
   * keeps nothing for another instance to read): the restart tests are then
   * skipped with that reason. Left out, the suite checks that a second
   * instance sees what the first wrote, and fails once, saying so, if not.
   */
  durable?: boolean;
  /**
   * Fresh storage of its own, for the retention group (savers with
   * `capabilities.retention`): each of its tests opens one, so a sweep sees
   * only that test's threads. Left out, those tests are skipped, saying so.
   */
  isolated?(): Promise<IsolatedStorage<Saver>>;
  /** Skip the whole suite (for example when the service is not reachable), or just some groups. */
  skip?: boolean | GroupName[];
}

/**
 * The suite's groups, each exported on its own too.
 *
 * @example
 * ```ts
 * describeSaverConformance(init, ["contract", "restart"] satisfies GroupName[]);
 * ```
 */
export type GroupName =
  | "contract"
  | "restart"
  | "concurrency"
  | "payloads"
  | "identifiers"
  | "runtime"
  | "threads"
  | "retention"
  | "lists"
  | "properties";

/**
 * Every group name, in the order the suite runs them.
 *
 * @example
 * ```ts
 * GROUP_NAMES.includes("payloads"); // true
 * ```
 */
export const GROUP_NAMES: readonly GroupName[] = [
  "contract",
  "restart",
  "concurrency",
  "payloads",
  "identifiers",
  "runtime",
  "threads",
  "retention",
  "lists",
  "properties",
];
