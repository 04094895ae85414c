import type { Interrupt } from "../contract/interrupt.js";
import { interruptId } from "../ids.js";
import { comparePositions } from "./channels.js";
import { currentContext, type Scope } from "./context.js";

export type { Interrupt };

// Thrown by interrupt() to unwind the scope that asked; the run records the
// interrupt before throwing, so whatever user code does with this error the
// run still pauses.
export class InterruptSignal extends Error {
  readonly interrupt: Interrupt;
  constructor(interrupt: Interrupt) {
    // A control-flow signal, thrown on every pause: its stack trace would be
    // built on every interrupt and never read.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(
      "The workflow is waiting for input (interrupt). This error stops the current task or entrypoint; " +
        "do not catch it, or rethrow it with `if (isInterrupt(err)) throw err`.",
    );
    Error.stackTraceLimit = limit;
    this.name = "InterruptSignal";
    this.interrupt = interrupt;
  }
}

/**
 * True for the error `interrupt()` throws to pause the run, so code that must
 * catch broadly can let it pass.
 *
 * @example
 * ```ts
 * try { await riskyStep(); } catch (err) { if (isInterrupt(err)) throw err; log(err); }
 * ```
 */
export function isInterrupt(error: unknown): boolean {
  return error instanceof InterruptSignal;
}

/**
 * Pauses the run to ask a person (or any outside system) for a value.
 *
 * The first time, the run stops here and the caller receives
 * `{ __interrupt__: [{ id, value }] }`. When the thread is resumed with
 * `new Command({ resume })`, the entrypoint replays from the top (finished
 * tasks load from the checkpoint) and this call returns the resume value.
 *
 * @example
 * ```ts
 * const workflow = entrypoint({ name: "review", checkpointer }, async (essay: string) => {
 *   const approved = interrupt<{ essay: string }, boolean>({ essay });
 *   return { essay, approved };
 * });
 * ```
 */
export function interrupt<Value = unknown, Resume = unknown>(value: Value): Resume {
  const { run, scope } = currentContext("interrupt()");
  const id = interruptId(run.runId, scope.path, scope.nextInterrupt++);
  if (run.resume.has(id)) return run.resume.get(id) as Resume;
  throw new InterruptSignal(run.recordInterrupt(scope, id, value));
}

/**
 * A pausing run's interrupts by the task (or entrypoint) that raised them, in
 * call order: how they are stored (one `__interrupt__` write per task) and
 * surfaced.
 */
export function groupByTask(
  raised: readonly { scope: Scope; interrupt: Interrupt }[],
): [taskId: string, interrupts: Interrupt[]][] {
  if (raised.length === 1) return [[raised[0]!.scope.taskId, [raised[0]!.interrupt]]];
  const byTask = new Map<string, { position: string; list: Interrupt[] }>();
  for (const { scope, interrupt } of raised) {
    const entry = byTask.get(scope.taskId) ?? { position: scope.path, list: [] };
    entry.list.push(interrupt);
    byTask.set(scope.taskId, entry);
  }
  return [...byTask.entries()]
    .sort((a, b) => comparePositions(a[1].position, b[1].position))
    .map(([taskId, { list }]) => [taskId, list]);
}
