// One execution of the entrypoint: orchestration only. Preparation
// (prepare.ts) decides what the run starts from; the claim protocol
// (claim.ts) guards the thread; task writes and durability (task-writes.ts)
// decide when results reach the saver; events (events.ts) feed the stream;
// thread-record.ts keeps the thread's record (status, lease) for listings.
// This file runs the body, calls tasks, collects interrupts, and ends the
// run by returning, pausing or failing.
import type {
  CheckpointPendingWrite,
  CheckpointSaver,
  CheckpointTuple,
  RunnableConfig,
} from "../contract/checkpoint.js";
import type { Interrupt } from "../contract/interrupt.js";
import type { BaseStore } from "../contract/store.js";
import {
  InvalidArgumentError,
  NoCheckpointerError,
  ReplayDivergenceError,
  RunAbortedError,
} from "../errors/index.js";
import type { Owner, SerializerProtocol } from "../serde/serializer.js";
import { canonicalError, canonicalValue, savepointSerializerOf } from "../serde/typed.js";
import { untilAborted } from "./abort.js";
import { ERROR, INTERRUPT, OUTPUT, PREVIOUS, RETURN, RUN, taskIdOf } from "./channels.js";
import { Claim } from "./claim.js";
import {
  type ActiveRun,
  newScope,
  runInScope,
  type Scope,
  type TaskDefinition,
} from "./context.js";
import { RunEvents } from "./events.js";
import { extendableCopy } from "./extendable-copy.js";
import { groupByTask, InterruptSignal } from "./interrupt.js";
import { prepareRun, type RunState } from "./prepare.js";
import type { Outcome, ReplayCache } from "./replay-cache.js";
import { attemptTask } from "./retry.js";
import type { ChunkSink } from "./stream.js";
import { TaskWrites } from "./task-writes.js";
import { keepLease, type ThreadRecorder, writeInterrupts } from "./thread-record.js";
import {
  EntrypointFinal,
  type PausedResult,
  type RunConfig,
  type WorkflowDefinition,
} from "./workflow-types.js";

const NOOP_WRITER = () => {};
// A new run's answers (none): one map shared by all of them, only ever read.
const NO_ANSWERS: ReadonlyMap<string, unknown> = new Map();

/** Runs one invocation of a workflow: the whole of `invoke` and `stream`. */
export async function executeRun(
  definition: WorkflowDefinition,
  input: unknown,
  config: RunConfig,
  sink: ChunkSink | undefined,
): Promise<unknown> {
  const state = await prepareRun(definition, input, config);
  const run = new Run(definition, config, sink, state);
  try {
    return await run.execute();
  } finally {
    run.releaseLease?.();
  }
}

/** One execution of the entrypoint: what tasks and interrupt() reach as the active run. */
class Run implements ActiveRun {
  readonly runId: string;
  readonly resume: ReadonlyMap<string, unknown>;
  readonly previous: unknown;
  readonly store: BaseStore | undefined;
  readonly writer: (chunk: unknown) => void;
  /** The run's config; once the run has claimed the thread, `checkpoint_id` names the claim. */
  config: RunnableConfig;

  private readonly threadId: string;
  private readonly input: unknown;
  private readonly cache: ReplayCache;
  private readonly saver: CheckpointSaver | undefined;
  private readonly serde: SerializerProtocol | undefined;
  /** Savepoint's serializer canonicalizes synchronously; any other round-trips in a promise. */
  private readonly synchronousSerde: boolean;
  private readonly claim: Claim | undefined;
  private readonly recorder: ThreadRecorder | undefined;
  /** Stops renewing the run's lease (set once the claim committed; called when the run ends). */
  releaseLease: (() => void) | undefined;
  private readonly writes: TaskWrites | undefined;
  private readonly events: RunEvents;
  private readonly interrupts: { scope: Scope; interrupt: Interrupt }[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  /** The first error that makes the run's outcome untrustworthy (a failed write, a divergence). */
  private failure: { error: unknown } | undefined;
  private aborted = false;
  /** Set once the run has returned, paused or failed: later task writes are dropped. */
  private closed = false;

  constructor(
    private readonly definition: WorkflowDefinition,
    config: RunConfig,
    sink: ChunkSink | undefined,
    state: RunState,
  ) {
    this.runId = state.runId;
    this.threadId = state.threadId;
    this.input = state.input;
    const answers = Object.entries(state.resume);
    this.resume = answers.length > 0 ? new Map(answers) : NO_ANSWERS;
    this.previous = state.previous;
    this.store = definition.store;
    this.cache = state.cache;
    this.saver = definition.checkpointer;
    this.serde = this.saver?.serde;
    this.synchronousSerde = savepointSerializerOf(this.serde) !== undefined;
    this.recorder = state.plan?.thread;
    if (this.saver && state.plan) {
      this.claim = new Claim(this.saver, state.plan, (tuple) => this.claimed(tuple));
      this.writes = new TaskWrites(this.saver, state.durability, (error) => this.fail(error));
    }
    this.config = config;
    this.events = new RunEvents(sink, definition.name);
    this.writer = sink?.custom ? (chunk) => sink.emit("custom", chunk) : NOOP_WRITER;
  }

  async execute(): Promise<unknown> {
    const root = newScope("", taskIdOf("", this.definition.name), this.definition.name);
    let returned: Outcome;
    try {
      const value = await untilAborted(
        runInScope({ run: this, scope: root }, () => this.definition.fn(this.input, this.config)),
        this.config.signal,
        () => {
          this.aborted = true;
        },
      );
      returned = { ok: true, value };
    } catch (error) {
      returned = { ok: false, error };
    }
    if (this.aborted) {
      this.closed = true;
      await this.flush()?.catch(() => {});
      throw this.abortError();
    }
    // Parallel tasks may still be running (Promise.all rejects on the first
    // interrupt): let them settle so every interrupt is collected and every
    // finished result is saved.
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    // A pausing run sends its interrupts alongside the task writes still in
    // flight rather than after them: one storage round trip less to wait for.
    if (this.interrupts.length > 0 && !this.failure) return this.pause();
    const flushing = this.flush();
    if (flushing) await flushing;
    this.closed = true;
    this.throwIfFailed();
    if (!returned.ok) return this.failWith(returned.error);
    return this.complete(returned.value);
  }

  /** The value as the saver will give it back (see serde/typed.ts). */
  private canonical(value: unknown, owner: Owner): unknown {
    return canonicalValue(this.serde, value, owner);
  }

  callTask(definition: TaskDefinition, args: unknown[], parent: Scope): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure.error);
    // After an abort no task body starts, replayed or not: the caller already has RunAbortedError.
    if (this.aborted || this.config.signal?.aborted) return Promise.reject(this.abortError());
    const index = parent.nextChild++;
    const position = parent.path === "" ? String(index) : `${parent.path}.${index}`;
    const cached = this.cache.get(position);
    if (cached) {
      if (cached.name !== definition.name) {
        const error = new ReplayDivergenceError(
          this.threadId,
          position,
          cached.name,
          definition.name,
        );
        this.fail(error);
        return Promise.reject(error);
      }
      if (!cached.ok) return Promise.reject(cached.error);
      this.events.updateOf(definition.name, cached.value);
      return Promise.resolve(cached.value);
    }
    const promise = this.runTask(definition, args, position);
    this.inFlight.add(promise);
    promise.then(
      () => this.inFlight.delete(promise),
      () => this.inFlight.delete(promise),
    );
    return promise;
  }

  private async runTask(
    definition: TaskDefinition,
    args: unknown[],
    position: string,
  ): Promise<unknown> {
    const taskId = taskIdOf(position, definition.name);
    const events = this.events;
    // The claim invariant (claim.ts): the body below runs only once the claim has committed.
    if (this.claim && !this.claim.tuple) {
      try {
        await this.claim.ensure();
      } catch (error) {
        this.fail(error);
        throw error;
      }
    }
    this.throwIfFailed();
    if (this.aborted || this.config.signal?.aborted) throw this.abortError();
    const step = this.claim?.tuple?.metadata?.step;
    if (events.wantsTaskEvents) events.taskStarted(taskId, definition.name, args, step);
    let outcome: Outcome;
    try {
      // Each attempt counts its own nested tasks and interrupts from zero,
      // so a retried attempt finds the ones an earlier attempt finished.
      const attempt = () =>
        runInScope({ run: this, scope: newScope(position, taskId, definition.name) }, () =>
          definition.fn(...args),
        );
      const raw = await attemptTask(definition, attempt, () => ({
        signal: this.config.signal,
        workflowName: this.definition.name,
        isFinal: (error) =>
          error instanceof InterruptSignal || this.aborted || this.failure !== undefined,
      }));
      const owner = () => `The value returned by task "${definition.name}"`;
      const value = this.synchronousSerde
        ? this.canonical(raw, owner)
        : await this.canonical(raw, owner);
      outcome = { ok: true, value };
    } catch (error) {
      if (error instanceof InterruptSignal || this.aborted || this.failure) {
        if (events.wantsTaskEvents)
          events.taskEnded(
            taskId,
            definition.name,
            { interrupts: this.interruptsOf(taskId) },
            step,
          );
        throw error;
      }
      outcome = { ok: false, error: await canonicalError(this.serde, error) };
    }
    if (outcome.ok)
      this.cache.set(position, { name: definition.name, ok: true, value: outcome.value });
    const claim = this.claim?.tuple;
    if (claim && !this.closed) {
      const write: [string, unknown] = outcome.ok
        ? [RETURN, outcome.value]
        : [ERROR, outcome.error];
      const sent = this.writes!.send(claim.config, taskId, [write]);
      if (sent) await sent;
    }
    this.throwIfFailed();
    if (outcome.ok) events.updateOf(definition.name, outcome.value);
    if (events.wantsTaskEvents) {
      const result = outcome.ok ? { result: outcome.value } : { error: outcome.error };
      events.taskEnded(taskId, definition.name, { ...result, interrupts: [] }, step);
    }
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  recordInterrupt(scope: Scope, id: string, value: unknown): Interrupt {
    if (!this.saver) throw new NoCheckpointerError(this.definition.name, "interrupt()");
    if (this.closed) {
      throw new InvalidArgumentError(
        `interrupt() was called after run ${this.runId} of workflow "${this.definition.name}" had finished; ` +
          `await every task and promise before the entrypoint returns.`,
      );
    }
    // With Savepoint's serializer the payload is checked and copied here, so
    // an unsavable payload fails at the interrupt() call; another serializer
    // round-trips it when the run pauses (pause() below).
    const payload = this.synchronousSerde
      ? this.canonical(value, () => `The payload of interrupt() in "${scope.name}"`)
      : value;
    const entry: Interrupt = { id, value: payload };
    this.interrupts.push({ scope, interrupt: entry });
    return entry;
  }

  private interruptsOf(taskId: string): Interrupt[] {
    return this.interrupts.filter((i) => i.scope.taskId === taskId).map((i) => i.interrupt);
  }

  private fail(error: unknown): void {
    this.failure ??= { error };
  }

  private abortError(): RunAbortedError {
    this.aborted = true;
    return new RunAbortedError(this.definition.name, this.config.signal?.reason);
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }

  // From the claim on, the run's config names the claim checkpoint.
  private claimed(tuple: CheckpointTuple): void {
    if (this.recorder) {
      const root = taskIdOf("", this.definition.name);
      this.releaseLease = keepLease(
        this.saver!,
        this.recorder,
        tuple.config,
        root,
        () => this.closed,
      );
    }
    this.config = {
      ...this.config,
      configurable: extendableCopy(this.config.configurable, tuple.config.configurable),
    };
    this.events.checkpoint(tuple);
  }

  /** Waits for the run's task writes; `undefined` when there is nothing to wait for. */
  private flush(): Promise<void> | undefined {
    return this.claim?.tuple ? this.writes!.flush() : undefined;
  }

  private async pause(): Promise<PausedResult> {
    const groups = groupByTask(this.interrupts);
    if (!this.synchronousSerde) {
      for (const entry of groups.flatMap(([, list]) => list))
        entry.value = await this.canonical(entry.value, "The payload of interrupt()");
    }
    // A run that ran a task has claimed already: no turn spent awaiting that again.
    const claim = this.claim!.tuple ?? (await this.claim!.ensure());
    const all = groups.flatMap(([, list]) => list);
    const update = this.recorder?.interrupted(all);
    // Task writes not sent yet go in the interrupts' own step (task-writes.ts).
    const unsent = this.writes!.takeUnsent();
    const flushing = this.flush();
    const interrupted = writeInterrupts(this.saver!, claim.config, groups, update, unsent);
    await (flushing ? Promise.all([flushing, interrupted]) : interrupted);
    this.closed = true;
    this.throwIfFailed();
    const result: PausedResult = { __interrupt__: all };
    this.events.update(result);
    this.events.values(result);
    if (this.events.wantsCheckpoints) {
      const saved = groups.map(
        ([taskId, list]) => [taskId, INTERRUPT, list] as CheckpointPendingWrite,
      );
      this.events.checkpoint({ ...claim, pendingWrites: saved });
    }
    return result;
  }

  private async failWith(error: unknown): Promise<never> {
    if (this.claim) {
      const claim = await this.claim.ensure();
      const saved = await canonicalError(this.serde, error);
      await this.saver!.putWrites(
        claim.config,
        [[ERROR, saved]],
        taskIdOf("", this.definition.name),
        "",
        this.recorder ? { thread: this.recorder.failed() } : undefined,
      );
    }
    throw error;
  }

  private async complete(returned: unknown): Promise<unknown> {
    const name = this.definition.name;
    const final = returned instanceof EntrypointFinal;
    let value = final ? returned.value : returned;
    let save = final ? returned.save : undefined;
    try {
      value = this.canonical(value, () => `The value returned by workflow "${name}"`);
      if (value instanceof Promise) value = await value;
      if (final) {
        save = this.canonical(
          save,
          () => `The value saved by entrypoint.final in workflow "${name}"`,
        );
        if (save instanceof Promise) save = await save;
      } else save = value;
    } catch (error) {
      return this.failWith(error);
    }
    if (this.claim) {
      const tuple = await this.claim.finish((channels) => {
        channels.set(RUN, null);
        channels.set(OUTPUT, value);
        channels.set(PREVIOUS, save);
      });
      this.events.checkpoint(tuple);
    }
    this.events.updateOf(name, value);
    this.events.values(value);
    return value;
  }
}
