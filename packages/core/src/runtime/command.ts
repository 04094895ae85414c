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

/**
 * True for a {@link Command}, also one built by another copy of this package or by
 * `@langchain/langgraph` (anything with `lg_name === "Command"` or our class).
 *
 * @example
 * ```ts
 * isCommand(new Command({ resume: 1 })); // true
 * ```
 */
export function isCommand(value: unknown): value is Command {
  if (value instanceof Command) return true;
  return (
    typeof value === "object" &&
    value !== null &&
    "resume" in value &&
    ((value as { lg_name?: unknown }).lg_name === "Command" ||
      value.constructor?.name === "Command")
  );
}
