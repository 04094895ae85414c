// One rule for every identifier a saver stores (thread ids, namespaces,
// checkpoint ids, task ids and paths, channel names): a well-formed string.
// Storage encodes text as UTF-8, where a lone surrogate (half of a UTF-16
// pair) becomes U+FFFD: "X\ud800" and "X\ufffd" would name one stored key and
// two threads would read each other's runs. Refusing ill-formed strings where
// they enter keeps every id distinct on every backend.

import type { RunnableConfig } from "../contract/checkpoint.js";
import { InvalidIdentifierError } from "../errors/index.js";

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const NATIVE_WELL_FORMED =
  typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === "function";

/**
 * True when `value` is an identifier {@link checkIdentifier} accepts, checked
 * without building its messages: the path every valid call takes.
 *
 * @example
 * ```ts
 * const id = isIdentifier(value, false) ? value : checkIdentifier("my id", value);
 * ```
 */
export function isIdentifier(value: unknown, allowEmpty: boolean): value is string {
  return typeof value === "string" && (allowEmpty || value.length > 0) && isWellFormedText(value);
}

/**
 * True when `text` holds no lone surrogate, so it survives UTF-8 unchanged.
 *
 * @example
 * ```ts
 * isWellFormedText("caf\u00e9"); // true
 * isWellFormedText("X\ud800"); // false
 * ```
 */
export function isWellFormedText(text: string): boolean {
  // Native where the engine has it (Node 20 does), else the scan below.
  if (NATIVE_WELL_FORMED) return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
  // Fast path: a string without any surrogate code unit is well formed.
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdfff) return !LONE_SURROGATE.test(text);
  }
  return true;
}

/**
 * Options of {@link checkIdentifier}.
 *
 * @example
 * ```ts
 * checkIdentifier("task_path", "", { allowEmpty: true });
 * ```
 */
export interface IdentifierRule {
  /** Accept `""` (a namespace, a task path). Default: false. */
  allowEmpty?: boolean;
  /** What to do instead, for the error message. Default: "pass a non-empty string". */
  hint?: string;
}

/**
 * `value` if it is an acceptable identifier: a string, non-empty unless
 * allowed, with no lone surrogate; otherwise an {@link InvalidIdentifierError}
 * that names `what` and says what to pass.
 *
 * @example
 * ```ts
 * checkIdentifier("putWrites: task_id", taskId);
 * ```
 */
export function checkIdentifier(what: string, value: unknown, rule: IdentifierRule = {}): string {
  if (isIdentifier(value, rule.allowEmpty === true)) return value;
  if (typeof value !== "string" || (!rule.allowEmpty && value.length === 0)) {
    throw new InvalidIdentifierError(
      what,
      value,
      rule.hint ?? (rule.allowEmpty ? "it must be a string" : "pass a non-empty string"),
    );
  }
  if (!isWellFormedText(value)) {
    throw new InvalidIdentifierError(
      what,
      value,
      "it holds a lone UTF-16 surrogate, which storage cannot keep apart from other ids; pass well-formed text",
    );
  }
  return value;
}

/**
 * The thread id of a config, checked: a well-formed non-empty string, or an
 * `InvalidIdentifierError` that says what to pass.
 *
 * @example
 * ```ts
 * const threadId = requireThreadId(config, "getTuple");
 * ```
 */
export function requireThreadId(config: RunnableConfig | undefined, method: string): string {
  const id = config?.configurable?.thread_id;
  if (isIdentifier(id, false)) return id;
  return checkIdentifier(`${method}: configurable.thread_id`, config?.configurable?.thread_id, {
    hint: "pass a non-empty string as { configurable: { thread_id } }",
  });
}

/**
 * A thread id given on its own (as `deleteThread` takes it), checked.
 *
 * @example
 * ```ts
 * await saver.deleteThread(checkThreadId(threadId, "deleteThread"));
 * ```
 */
export function checkThreadId(threadId: unknown, method: string): string {
  if (isIdentifier(threadId, false)) return threadId;
  return checkIdentifier(`${method}: thread_id`, threadId, {
    hint: "pass the thread id as a non-empty string",
  });
}

/**
 * The checkpoint id a config names for `putWrites`, checked.
 *
 * @example
 * ```ts
 * const checkpointId = requireCheckpointId(config, "putWrites");
 * ```
 */
export function requireCheckpointId(config: RunnableConfig | undefined, method: string): string {
  const id = config?.configurable?.checkpoint_id;
  if (isIdentifier(id, false)) return id;
  return checkIdentifier(
    `${method}: configurable.checkpoint_id`,
    config?.configurable?.checkpoint_id,
    { hint: "writes belong to a checkpoint: pass the config that put() returned" },
  );
}

/**
 * The checkpoint id a config names, checked, or `undefined` when it names none
 * (absent, `null` or `""`).
 *
 * @example
 * ```ts
 * const id = optionalCheckpointId(config, "getTuple"); // undefined: the latest
 * ```
 */
export function optionalCheckpointId(
  config: RunnableConfig | undefined,
  method: string,
): string | undefined {
  const id = config?.configurable?.checkpoint_id;
  if (id === undefined || id === null || id === "") return undefined;
  if (isIdentifier(id, false)) return id;
  return checkIdentifier(`${method}: configurable.checkpoint_id`, id, {
    hint: "pass a non-empty string, or leave it out for the latest checkpoint",
  });
}

/**
 * The namespace of a config, checked: `""` when absent or `null`.
 *
 * @example
 * ```ts
 * namespaceOf({ configurable: { thread_id: "t" } }, "getTuple"); // ""
 * ```
 */
export function namespaceOf(config: RunnableConfig | undefined, method: string): string {
  const ns = config?.configurable?.checkpoint_ns;
  if (ns === undefined || ns === null) return "";
  if (isIdentifier(ns, true)) return ns;
  return checkIdentifier(`${method}: configurable.checkpoint_ns`, ns, {
    allowEmpty: true,
    hint: 'pass a string, or leave it out for ""',
  });
}
