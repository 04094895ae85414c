import { InvalidArgumentError, OutsideWorkflowError } from "../errors/index.js";
import { activeScope, type TaskDefinition } from "./context.js";
import { checkName } from "./names.js";
import { type RetryPolicy, resolveRetryPolicy } from "./retry.js";

/**
 * Options of {@link task}.
 *
 * @example
 * ```ts
 * const options: TaskOptions = { name: "charge", retry: { maxAttempts: 3 }, timeout: 10_000 };
 * ```
 */
export interface TaskOptions {
  /** The task's name: recorded with its result, and checked on replay. */
  name: string;
  /** Retry the task when it throws. Without it the task runs once. */
  retry?: RetryPolicy;
  /** Milliseconds one attempt may take before it fails with TaskTimeoutError. */
  timeout?: number;
}

/**
 * Makes a durable step. Calling the returned function inside an entrypoint
 * runs `fn` once: its result (or error) is saved as soon as it settles, and a
 * replay of the entrypoint gets the saved value back without running `fn`
 * again. A call is identified by its position among the calls of its parent
 * (the entrypoint or an enclosing task), so calls must happen in the same
 * order on every replay.
 *
 * @example
 * ```ts
 * const writeEssay = task("writeEssay", async (topic: string) => `An essay about topic: ${topic}`);
 * const flaky = task({ name: "flaky", retry: { maxAttempts: 5 }, timeout: 2_000 }, callApi);
 * ```
 */
export function task<Args extends unknown[], Result>(
  nameOrOptions: string | TaskOptions,
  fn: (...args: Args) => Result | Promise<Result>,
): (...args: Args) => Promise<Awaited<Result>> {
  const options: TaskOptions =
    typeof nameOrOptions === "string" ? { name: nameOrOptions } : nameOrOptions;
  checkName("task()", options?.name);
  if (typeof fn !== "function") {
    throw new InvalidArgumentError(
      `task("${options.name}") needs a function as its second argument.`,
    );
  }
  if (options.timeout !== undefined && !(Number.isFinite(options.timeout) && options.timeout > 0)) {
    throw new InvalidArgumentError(
      `Task "${options.name}": timeout must be a positive number of milliseconds, got ${options.timeout}.`,
    );
  }
  const definition: TaskDefinition = {
    name: options.name,
    fn,
    retry: resolveRetryPolicy(options.name, options.retry),
    timeout: options.timeout,
  };
  const call = (...args: Args): Promise<Awaited<Result>> => {
    const context = activeScope();
    if (!context) return Promise.reject(new OutsideWorkflowError(`Task "${definition.name}"`));
    return context.run.callTask(definition, args, context.scope) as Promise<Awaited<Result>>;
  };
  Object.defineProperty(call, "name", { value: definition.name });
  return call;
}
