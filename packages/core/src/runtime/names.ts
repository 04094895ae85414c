import { InvalidArgumentError, quote } from "../errors/index.js";
import { isWellFormedText } from "../saver-kit/identifiers.js";

/**
 * `name` if it can name a task or an entrypoint: a non-empty string of
 * well-formed text. The name is stored in every task id, so text storage
 * would change (a lone surrogate) could never match its own record on
 * replay; it is refused when the task or entrypoint is defined.
 */
export function checkName(what: "task()" | "entrypoint()", name: unknown): string {
  if (typeof name !== "string" || name.length === 0) {
    throw new InvalidArgumentError(`${what} needs a non-empty name, got ${quote(name)}.`);
  }
  if (!isWellFormedText(name)) {
    throw new InvalidArgumentError(
      `${what} name ${quote(name)} holds a lone UTF-16 surrogate, which storage cannot keep; use well-formed text.`,
    );
  }
  return name;
}
