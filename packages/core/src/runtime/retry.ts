import { InvalidArgumentError, RunAbortedError, TaskTimeoutError } from "../errors/index.js";

/**
 * How a task is retried when it throws.
 *
 * @example
 * ```ts
 * const fetchPage = task(
 *   { name: "fetchPage", retry: { maxAttempts: 5, initialInterval: 200, retryOn: (e) => e instanceof TypeError } },
 *   async (url: string) => (await fetch(url)).text(),
 * );
 * ```
 */
export interface RetryPolicy {
  /** Attempts in all, the first included (default 3). */
  maxAttempts?: number;
  /** Milliseconds before the first retry (default 500). */
  initialInterval?: number;
  /** Each wait is the previous one times this (default 2). */
  backoffFactor?: number;
  /** No wait is longer than this many milliseconds (default 128,000). */
  maxInterval?: number;
  /** Add up to 1 s of random delay to each wait, so retries from many runs spread out (default true). */
  jitter?: boolean;
  /** Which errors are retried (default: every error but an interrupt, a timeout of the whole run, or an abort). */
  retryOn?: (error: unknown) => boolean;
}

export interface ResolvedRetryPolicy {
  maxAttempts: number;
  initialInterval: number;
  backoffFactor: number;
  maxInterval: number;
  jitter: boolean;
  retryOn: (error: unknown) => boolean;
}

export function resolveRetryPolicy(
  taskName: string,
  policy: RetryPolicy | undefined,
): ResolvedRetryPolicy | undefined {
  if (!policy) return undefined;
  const resolved: ResolvedRetryPolicy = {
    maxAttempts: policy.maxAttempts ?? 3,
    initialInterval: policy.initialInterval ?? 500,
    backoffFactor: policy.backoffFactor ?? 2,
    maxInterval: policy.maxInterval ?? 128_000,
    jitter: policy.jitter ?? true,
    retryOn: policy.retryOn ?? (() => true),
  };
  if (!Number.isInteger(resolved.maxAttempts) || resolved.maxAttempts < 1) {
    throw new InvalidArgumentError(
      `Task "${taskName}": retry.maxAttempts must be a whole number of at least 1, got ${policy.maxAttempts}.`,
    );
  }
  for (const key of ["initialInterval", "backoffFactor", "maxInterval"] as const) {
    const v = resolved[key];
    if (!Number.isFinite(v) || v < 0) {
      throw new InvalidArgumentError(
        `Task "${taskName}": retry.${key} must be a number >= 0, got ${policy[key]}.`,
      );
    }
  }
  return resolved;
}

/** Resolves after `ms`, or rejects with RunAbortedError when `signal` fires first. */
export function sleep(
  ms: number,
  signal: AbortSignal | undefined,
  workflowName: string,
): Promise<void> {
  if (signal?.aborted) return Promise.reject(new RunAbortedError(workflowName, signal.reason));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new RunAbortedError(workflowName, signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Runs `attempt` under a timeout: rejects with TaskTimeoutError when it takes longer than `timeoutMs`. */
export function withTimeout<T>(
  attempt: () => Promise<T>,
  taskName: string,
  timeoutMs: number | undefined,
): Promise<T> {
  if (timeoutMs === undefined) return attempt();
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new TaskTimeoutError(taskName, timeoutMs)), timeoutMs);
    attempt().then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/** The wait before retry number `retry` (1 for the first retry). */
export function retryDelay(policy: ResolvedRetryPolicy, retry: number): number {
  const base = Math.min(
    policy.maxInterval,
    policy.initialInterval * policy.backoffFactor ** (retry - 1),
  );
  return policy.jitter ? base + Math.random() * 1000 : base;
}

/** What {@link withRetries} needs of a task. */
interface RetriedTask {
  readonly name: string;
  readonly retry: ResolvedRetryPolicy | undefined;
  readonly timeout: number | undefined;
}

/**
 * Runs a task's body: once, with nothing around it, when the task has no
 * retry policy and no timeout (most tasks); else through {@link withRetries}.
 */
export function attemptTask<T>(
  task: RetriedTask,
  attempt: () => T | Promise<T>,
  options: () => RetryOptions,
): T | Promise<T> {
  if (task.retry === undefined && task.timeout === undefined) return attempt();
  return withRetries(task, attempt, options());
}

/** What {@link withRetries} needs of the run. */
interface RetryOptions {
  signal: AbortSignal | undefined;
  workflowName: string;
  isFinal: (error: unknown) => boolean;
}

/**
 * Runs `attempt` under the task's timeout, and again after the policy's
 * delay while it throws something the policy retries. Never retries a
 * `RunAbortedError`, nor an error `isFinal` says must end the task (an
 * interrupt, an aborted or failed run).
 */
export async function withRetries<T>(
  task: RetriedTask,
  attempt: () => T | Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const policy = task.retry;
  for (let n = 1; ; n++) {
    try {
      return await withTimeout(() => Promise.resolve(attempt()), task.name, task.timeout);
    } catch (error) {
      if (
        !policy ||
        n >= policy.maxAttempts ||
        error instanceof RunAbortedError ||
        options.isFinal(error) ||
        !policy.retryOn(error)
      ) {
        throw error;
      }
      await sleep(retryDelay(policy, n), options.signal, options.workflowName);
    }
  }
}
