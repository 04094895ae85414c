import { importOptional, loadedOptional } from "../interop/optional.js";

// Marks our Command across copies of this package (a dependency that bundles
// its own @savepoint/core): a registered symbol, which no parsed JSON, form
// field or request body can carry, so data can never pass for a Command.
const COMMAND = Symbol.for("@savepoint/core/Command");

/**
 * Continues a paused thread. `resume` answers its interrupts: a bare value
 * answers the first pending one; an object keyed by interrupt ids answers
 * several at once.
 *
 * @example
 * ```ts
 * await workflow.invoke(new Command({ resume: true }), config);
 * await workflow.invoke(new Command({ resume: { [idA]: "yes", [idB]: "no" } }), config);
 * ```
 */
export class Command<Resume = unknown> {
  /** The answer: a value for the first pending interrupt, or `{ [interruptId]: value }` for several. */
  readonly resume: Resume;
  constructor(args: { resume: Resume }) {
    this.resume = args.resume;
  }
}
Object.defineProperty(Command.prototype, COMMAND, { value: true });

const LANGGRAPH = "@langchain/langgraph";

type LangGraphModule = { Command?: abstract new (...args: any[]) => unknown };

/**
 * True for a {@link Command}: an instance of this class (or of the same class
 * from another copy of this package), or an instance of `@langchain/langgraph`'s
 * `Command` class as the user installed it. Recognised by identity, never by
 * shape: a plain object such as `{ lg_name: "Command", resume: true }` (what
 * JSON from a request gives) is not a Command, so user input cannot answer an
 * interrupt.
 *
 * @example
 * ```ts
 * isCommand(new Command({ resume: 1 })); // true
 * isCommand({ lg_name: "Command", resume: 1 }); // false: data, not a Command
 * ```
 */
export function isCommand(value: unknown): value is Command {
  if (typeof value !== "object" || value === null) return false;
  if ((value as Record<symbol, unknown>)[COMMAND] === true) return true;
  const LangGraphCommand = loadedOptional<LangGraphModule>(LANGGRAPH)?.Command;
  return typeof LangGraphCommand === "function" && value instanceof LangGraphCommand;
}

/**
 * Loads `@langchain/langgraph` (if installed) when `value` could be one of its
 * Commands, so {@link isCommand} can then recognise it by its class; returns
 * the load to await, or `undefined` (plain objects and our own Commands
 * never trigger one).
 */
export function prepareCommandCheck(value: unknown): Promise<unknown> | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  if ((value as Record<symbol, unknown>)[COMMAND] === true) return undefined;
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return undefined;
  if ((value as { lg_name?: unknown }).lg_name !== "Command") return undefined;
  return importOptional(LANGGRAPH);
}
