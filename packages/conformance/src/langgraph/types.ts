import type { BaseCheckpointSaver } from "@langchain/langgraph";

/**
 * How the LangGraph program suite gets the saver it tests: the same shape as
 * the main suite's `SaverInitializer`, with a saver LangGraph accepts as a
 * `checkpointer`. `create()` is called once per program group; programs
 * isolate themselves by random thread ids, so savers may share storage.
 *
 * @example
 * ```ts
 * const init: LangGraphProgramsInitializer = {
 *   name: "MySaver",
 *   create: () => new MySaver(),
 *   destroy: (saver) => saver.close(),
 * };
 * ```
 */
export interface LangGraphProgramsInitializer<
  Saver extends BaseCheckpointSaver = BaseCheckpointSaver,
> {
  /** Shown in the test names. */
  name: string;
  /** A saver, passed to `compile({ checkpointer })` as it is: no cast. */
  create(): Saver | Promise<Saver>;
  /** Releases a saver made by `create` (close clients it opened). */
  destroy?(saver: Saver): void | Promise<void>;
  /** Runs once before the suite (start a server, create a schema). */
  beforeAll?(): void | Promise<void>;
  /** Runs once after the suite. */
  afterAll?(): void | Promise<void>;
  /** Skip the whole suite (for example when the service is not reachable), or some programs. */
  skip?: boolean | LangGraphProgramName[];
}

/**
 * The programs of the suite, in the order they run.
 *
 * @example
 * ```ts
 * describeLangGraphPrograms(init, ["chat", "tools"] satisfies LangGraphProgramName[]);
 * ```
 */
export type LangGraphProgramName =
  | "chat"
  | "tools"
  | "interrupt"
  | "send"
  | "subgraph"
  | "time-travel"
  | "parallel"
  | "history";

/**
 * One program: a LangGraph graph run on a checkpointer. `run` returns what the
 * program observed (results, states, histories); the suite runs it on the
 * saver under test and on LangGraph's own `MemorySaver`, normalises both
 * with {@link normalizeForComparison} and requires them equal, then `check`
 * asserts what the program is about on the saver's (normalised) result.
 *
 * @example
 * ```ts
 * const program: LangGraphProgram = {
 *   name: "chat",
 *   title: "two turns of a MessagesAnnotation chat",
 *   run: async (checkpointer, threadId) => ({ ... }),
 *   check: (result) => expect(result).toMatchObject({ ... }),
 * };
 * ```
 */
export interface LangGraphProgram {
  name: LangGraphProgramName;
  /** The test title. */
  title: string;
  run(checkpointer: BaseCheckpointSaver, threadId: string): Promise<unknown>;
  check(result: any): void;
}
