import type {
  ChannelVersions,
  Checkpoint,
  CheckpointMetadata,
  CheckpointPendingWrite,
  CheckpointSaver,
  CheckpointTuple,
  PendingWrite,
  RunnableConfig,
} from "../contract/checkpoint.js";
import { nextIntegerVersion } from "../contract/checkpoint.js";
import type { BaseStore } from "../contract/store.js";
import * as errors from "../errors.js";
import {
  CheckpointConflictError,
  CheckpointNotFoundError,
  InvalidArgumentError,
  MissingThreadIdError,
  NoCheckpointerError,
  NothingToResumeError,
  ReplayDivergenceError,
  RunAbortedError,
  ThreadBusyError,
  UnknownInterruptIdError,
  UnserializableValueError,
} from "../errors.js";
import { isInterruptId, newCheckpointId, newRunId } from "../ids.js";
import {
  defaultSerializer,
  isSavepointSerializer,
  type Owner,
  registerErrorClass,
} from "../serde/serializer.js";
import {
  comparePositions,
  ERROR,
  INPUT,
  INTERRUPT,
  OUTPUT,
  PREVIOUS,
  parseTaskId,
  RESUME,
  RETURN,
  RUN,
  type RunInfo,
  taskIdOf,
} from "./channels.js";
import { isCommand } from "./command.js";
import { type Scope, scopeStorage } from "./context.js";
import { type Interrupt, InterruptSignal } from "./interrupt.js";
import { retryDelay, sleep, withTimeout } from "./retry.js";
import { pendingInterrupts, snapshotOf } from "./snapshot.js";
import type { ChunkSink } from "./stream.js";
import type { TaskDefinition } from "./task.js";

// Savepoint's own errors come back from storage as their own classes.
for (const value of Object.values(errors)) {
  if (typeof value === "function" && value.prototype instanceof Error)
    registerErrorClass(value as unknown as new () => Error);
}

/**
 * When task results reach the saver:
 * - `"sync"`: before the task's promise resolves (a crash loses nothing finished);
 * - `"async"` (default): handed to the saver as the task settles, without
 *   waiting; every write has landed before the run returns or pauses;
 * - `"exit"`: only when the run returns, pauses or fails.
 *
 * @example
 * ```ts
 * await workflow.invoke(input, { configurable: { thread_id }, durability: "sync" });
 * ```
 */
export type Durability = "sync" | "async" | "exit";

/**
 * What `invoke` returns while the run waits on interrupts.
 *
 * @example
 * ```ts
 * const result = await workflow.invoke("cat", config);
 * if (isPaused(result)) console.log(result.__interrupt__[0]?.value);
 * ```
 */
export interface PausedResult {
  /** The interrupts the run waits on, in the order their tasks were called. */
  __interrupt__: Interrupt[];
}

/**
 * Marks a value as "return this, but save that for the next run's
 * `getPreviousState()`". Build it with `entrypoint.final({ value, save })`.
 *
 * @example
 * ```ts
 * return entrypoint.final({ value: previous ?? 0, save: 2 * n });
 * ```
 */
export class EntrypointFinal<Value, Save> {
  constructor(
    /** What the caller of `invoke` receives. */
    readonly value: Value,
    /** What the thread's next run reads with `getPreviousState()`. */
    readonly save: Save,
  ) {}
}

export interface WorkflowDefinition {
  readonly name: string;
  readonly fn: (input: any, config: RunnableConfig) => unknown;
  readonly checkpointer: CheckpointSaver | undefined;
  readonly store: BaseStore | undefined;
}

export interface RunConfig extends RunnableConfig {
  durability?: Durability;
  metadata?: Record<string, unknown>;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };
type CachedOutcome = Outcome & { name: string };

const DURABILITIES: readonly Durability[] = ["sync", "async", "exit"];
const NOOP_WRITER = () => {};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Runs one invocation of a workflow: the whole of `invoke` and `stream`. */
export async function executeRun(
  definition: WorkflowDefinition,
  input: unknown,
  config: RunConfig,
  sink: ChunkSink | undefined,
): Promise<unknown> {
  const durability = config.durability ?? "async";
  if (!DURABILITIES.includes(durability)) {
    throw new InvalidArgumentError(
      `durability must be one of ${DURABILITIES.map((d) => `"${d}"`).join(", ")}, got ${JSON.stringify(durability)}.`,
    );
  }
  const saver = definition.checkpointer;
  if (!saver) {
    if (isCommand(input)) throw new NoCheckpointerError(definition.name, "Resuming with a Command");
    const run = new Run(definition, config, sink, undefined, durability, {
      runId: newRunId(),
      threadId: "",
      resume: {},
      previous: undefined,
      cache: new Map(),
    });
    return run.execute(input);
  }
  const threadId = config.configurable?.thread_id;
  if (typeof threadId !== "string" || threadId.length === 0)
    throw new MissingThreadIdError(definition.name);
  const ns = config.configurable?.checkpoint_ns ?? "";
  const explicitId = config.configurable?.checkpoint_id;
  const base = await saver.getTuple({
    configurable: {
      thread_id: threadId,
      checkpoint_ns: ns,
      ...(explicitId ? { checkpoint_id: explicitId } : {}),
    },
  });
  if (explicitId && !base) throw new CheckpointNotFoundError(threadId, explicitId);

  const baseValues = base?.checkpoint.channel_values ?? {};
  const baseRun = (baseValues[RUN] ?? undefined) as RunInfo | undefined;
  const rootTaskId = taskIdOf("", definition.name);
  const serde = serializerOf(saver);
  let runInput: unknown;
  let resume: Record<string, unknown>;
  let dropErrors = false;
  let source: CheckpointMetadata["source"];

  if (isCommand(input) || input === null || input === undefined) {
    if (!base || !baseRun) {
      throw new NothingToResumeError(
        threadId,
        base
          ? "its last run finished. Start a new run by passing an input instead of a Command or null."
          : "it has no checkpoints yet. Start it by passing an input.",
      );
    }
    runInput = baseValues[INPUT];
    resume = { ...((baseValues[RESUME] as Record<string, unknown> | undefined) ?? {}) };
    const failed = (base.pendingWrites ?? []).some(
      ([taskId, channel]) => taskId === rootTaskId && channel === ERROR,
    );
    if (isCommand(input)) {
      const pending = pendingInterrupts(base.pendingWrites);
      if (pending.length === 0) {
        if (failed) {
          throw new NothingToResumeError(
            threadId,
            "its run stopped on an error, not an interrupt. Continue it with invoke(null, config).",
          );
        }
        throw new ThreadBusyError(
          threadId,
          base.checkpoint.id,
          base.checkpoint.id,
          "has a run that is not waiting on any interrupt: another invocation is running it now, or it stopped without finishing (continue that one with invoke(null, config))",
        );
      }
      Object.assign(resume, await answers(serde, threadId, input.resume, pending));
      source = explicitId ? "fork" : "loop";
    } else {
      dropErrors = failed;
      source = explicitId ? "fork" : "loop";
    }
  } else {
    runInput = await canonicalize(serde, input, `The input of workflow "${definition.name}"`);
    resume = {};
    source = "input";
  }

  // The run's first checkpoint (its claim, or its end if it saves nothing
  // before) gets this id; a new run is known by it.
  const firstId = newCheckpointId(base?.checkpoint.id);
  const info: RunInfo =
    baseRun && source !== "input"
      ? { id: baseRun.id, start: baseRun.start, depth: baseRun.depth + 1 }
      : { id: newRunId(), start: firstId, depth: 0 };
  const channels = new ChannelState(saver, base?.checkpoint);
  if (source === "input") {
    channels.set(INPUT, runInput);
    channels.set(RESUME, resume);
  } else if (isCommand(input)) {
    channels.set(RESUME, resume);
  }
  channels.set(RUN, info);
  const parentConfig: RunnableConfig | undefined = base
    ? {
        configurable: { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: base.checkpoint.id },
      }
    : undefined;
  const plan: ClaimPlan = {
    firstId,
    channels,
    metadata: {
      ...(config.metadata ?? {}),
      source,
      step: (base?.metadata?.step ?? -2) + 1,
      parents: {},
      run_id: info.id,
    },
    putConfig: parentConfig ?? { configurable: { thread_id: threadId, checkpoint_ns: ns } },
    parentConfig,
    // Forking from an explicit checkpoint is allowed whatever the head is.
    ifHead: explicitId ? undefined : (base?.checkpoint.id ?? null),
  };
  const cache =
    base && source !== "input"
      ? await loadCache(saver, base, info, threadId, ns, dropErrors)
      : new Map();
  const run = new Run(definition, config, sink, saver, durability, {
    runId: info.id,
    threadId,
    resume,
    previous: baseValues[PREVIOUS],
    cache,
    plan,
  });
  return run.execute(runInput);
}

function serializerOf(saver: CheckpointSaver | undefined) {
  return saver?.serde ?? defaultSerializer;
}

// The value as the saver will give it back: Savepoint's serializer has a
// synchronous copy; any other serializer is round-tripped.
async function canonicalize(
  serde: CheckpointSaver["serde"],
  value: unknown,
  owner: Owner,
): Promise<unknown> {
  if (!serde || isSavepointSerializer(serde))
    return (serde ?? defaultSerializer).canonicalize(value, owner);
  const [type, bytes] = await serde.dumpsTyped(value);
  return serde.loadsTyped(type, bytes);
}

async function answers(
  serde: CheckpointSaver["serde"],
  threadId: string,
  resume: unknown,
  pending: Interrupt[],
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  if (isPlainObject(resume)) {
    const keys = Object.keys(resume);
    if (keys.length > 0 && keys.every(isInterruptId)) {
      for (const id of keys) {
        if (!pending.some((p) => p.id === id)) {
          throw new UnknownInterruptIdError(
            threadId,
            id,
            pending.map((p) => p.id),
          );
        }
        out[id] = await canonicalize(serde, resume[id], `The resume value for interrupt "${id}"`);
      }
      return out;
    }
  }
  out[pending[0]!.id] = await canonicalize(serde, resume, "The resume value");
  return out;
}

// Task results of the run, by position, from every checkpoint of the run on
// the path to `base` (a resumed run may span several checkpoints). One
// `getTuple` (already done) plus, past the first resume, one `list`.
async function loadCache(
  saver: CheckpointSaver,
  base: CheckpointTuple,
  info: RunInfo,
  threadId: string,
  ns: string,
  dropErrors: boolean,
): Promise<Map<string, CachedOutcome>> {
  let chain: CheckpointTuple[] = [base];
  if (base.checkpoint.id !== info.start) {
    const byId = new Map<string, CheckpointTuple>();
    for await (const tuple of saver.list(
      { configurable: { thread_id: threadId, checkpoint_ns: ns } },
      { filter: { run_id: info.id } },
    )) {
      byId.set(tuple.checkpoint.id, tuple);
    }
    byId.set(base.checkpoint.id, base);
    chain = [];
    let current: CheckpointTuple | undefined = base;
    while (current) {
      chain.push(current);
      if (current.checkpoint.id === info.start) break;
      const parentId: string | undefined = current.parentConfig?.configurable?.checkpoint_id;
      current = parentId ? byId.get(parentId) : undefined;
    }
    chain.reverse();
  }
  const cache = new Map<string, CachedOutcome>();
  for (const tuple of chain) {
    for (const [taskId, channel, value] of tuple.pendingWrites ?? []) {
      const parsed = parseTaskId(taskId);
      if (!parsed || parsed.position === "") continue;
      if (channel === RETURN) {
        cache.set(parsed.position, { name: parsed.name, ok: true, value });
      } else if (channel === ERROR && !cache.get(parsed.position)?.ok) {
        // A run that failed is continued to retry what failed: its errors are dropped.
        if (dropErrors) cache.delete(parsed.position);
        else cache.set(parsed.position, { name: parsed.name, ok: false, error: value });
      }
    }
  }
  return cache;
}

/** The channel values and versions of the checkpoint being built, from its parent's. */
class ChannelState {
  readonly values: Record<string, unknown>;
  readonly versions: ChannelVersions;
  newVersions: ChannelVersions = {};

  constructor(
    private readonly saver: CheckpointSaver,
    parent: Checkpoint | undefined,
  ) {
    this.values = { ...(parent?.channel_values ?? {}) };
    this.versions = { ...(parent?.channel_versions ?? {}) };
  }

  set(channel: string, value: unknown): void {
    this.values[channel] = value;
    const current = this.versions[channel];
    const next = this.saver.getNextVersion
      ? this.saver.getNextVersion(current)
      : nextIntegerVersion(current);
    this.versions[channel] = next;
    this.newVersions[channel] = next;
  }

  checkpoint(id: string): Checkpoint {
    return {
      v: 4,
      id,
      ts: new Date().toISOString(),
      channel_values: { ...this.values },
      channel_versions: { ...this.versions },
      versions_seen: {},
    };
  }

  /** Starts the next checkpoint: only channels set from here on count as new. */
  advance(): void {
    this.newVersions = {};
  }
}

/**
 * The checkpoint that claims the thread for this run, prepared but not yet
 * written. A run claims lazily: before the first task that must really run,
 * or when it pauses or fails. A run that only replays and returns (the common
 * resume) skips the claim and writes its end checkpoint under the same
 * condition, one write instead of two. Either way nothing runs twice: no task
 * body starts before the claim has committed.
 */
interface ClaimPlan {
  firstId: string;
  channels: ChannelState;
  metadata: CheckpointMetadata;
  putConfig: RunnableConfig;
  parentConfig: RunnableConfig | undefined;
  ifHead: string | null | undefined;
}

interface RunState {
  runId: string;
  threadId: string;
  resume: Record<string, unknown>;
  previous: unknown;
  cache: Map<string, CachedOutcome>;
  plan?: ClaimPlan;
}

/** One execution of the entrypoint: what tasks and interrupt() reach through the scope storage. */
export class Run {
  readonly runId: string;
  readonly threadId: string;
  readonly resume: Map<string, unknown>;
  readonly previous: unknown;
  readonly store: BaseStore | undefined;
  readonly writer: (chunk: unknown) => void;
  /** The run's config; once the run has claimed the thread, `checkpoint_id` names the claim. */
  config: RunnableConfig;

  private readonly cache: Map<string, CachedOutcome>;
  private readonly plan: ClaimPlan | undefined;
  private claim: CheckpointTuple | undefined;
  private claiming: Promise<void> | undefined;
  private readonly interrupts: { scope: Scope; interrupt: Interrupt }[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly persisting = new Set<Promise<void>>();
  private buffered: [taskId: string, writes: PendingWrite[]][] = [];
  private fatal: unknown;
  private hasFatal = false;
  private aborted = false;
  private closed = false;
  private readonly serde: CheckpointSaver["serde"];
  private readonly fastSerde: boolean;

  constructor(
    private readonly definition: WorkflowDefinition,
    config: RunConfig,
    private readonly sink: ChunkSink | undefined,
    private readonly saver: CheckpointSaver | undefined,
    private readonly durability: Durability,
    state: RunState,
  ) {
    this.runId = state.runId;
    this.threadId = state.threadId;
    this.resume = new Map(Object.entries(state.resume));
    this.previous = state.previous;
    this.store = definition.store;
    this.cache = state.cache;
    this.plan = state.plan;
    this.serde = saver?.serde ?? defaultSerializer;
    this.fastSerde = isSavepointSerializer(this.serde);
    this.config = config;
    this.writer = sink?.custom ? (chunk) => sink.emit("custom", chunk) : NOOP_WRITER;
  }

  async execute(input: unknown): Promise<unknown> {
    const root: Scope = {
      path: "",
      taskId: taskIdOf("", this.definition.name),
      name: this.definition.name,
      nextChild: 0,
      nextInterrupt: 0,
    };
    let returned: Outcome;
    try {
      const value = await this.untilAborted(
        scopeStorage.run({ run: this, scope: root }, () => this.definition.fn(input, this.config)),
      );
      returned = { ok: true, value };
    } catch (error) {
      returned = { ok: false, error };
    }
    if (this.aborted) {
      this.closed = true;
      await this.flush().catch(() => {});
      throw new RunAbortedError(this.definition.name, this.config.signal?.reason);
    }
    // Parallel tasks may still be running (Promise.all rejects on the first
    // interrupt): let them settle so every interrupt is collected and every
    // finished result is saved.
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    // A pausing run sends its interrupts alongside the task writes still in
    // flight rather than after them: one storage round trip less to wait for.
    if (this.interrupts.length > 0 && !this.hasFatal) return this.pause();
    await this.flush();
    this.closed = true;
    if (this.hasFatal) throw this.fatal;
    if (!returned.ok) return this.fail(returned.error);
    return this.complete(returned.value);
  }

  private untilAborted<T>(work: T | Promise<T>): Promise<T> {
    const signal = this.config.signal;
    if (!signal) return Promise.resolve(work);
    if (signal.aborted) {
      this.aborted = true;
      return Promise.reject(signal.reason);
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        this.aborted = true;
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      Promise.resolve(work).then(
        (v) => {
          signal.removeEventListener("abort", onAbort);
          resolve(v);
        },
        (e) => {
          signal.removeEventListener("abort", onAbort);
          reject(e);
        },
      );
    });
  }

  /** Writes the claim checkpoint once; every later caller shares the same promise. */
  private ensureClaimed(): Promise<void> {
    if (!this.plan) return Promise.resolve();
    this.claiming ??= this.writeClaim(this.plan);
    return this.claiming;
  }

  private async writeClaim(plan: ClaimPlan): Promise<void> {
    const checkpoint = plan.channels.checkpoint(plan.firstId);
    const config = await this.putFirst(plan, checkpoint, plan.metadata);
    this.claim = {
      config,
      checkpoint,
      metadata: plan.metadata,
      parentConfig: plan.parentConfig,
      pendingWrites: [],
    };
    this.config = {
      ...this.config,
      configurable: { ...this.config.configurable, ...config.configurable },
    };
    plan.channels.advance();
    this.emitCheckpoint(this.claim);
  }

  // The run's first write to the thread, under the plan's head condition: a
  // conflict here means another run got the thread first and nothing of this
  // run was saved.
  private async putFirst(plan: ClaimPlan, checkpoint: Checkpoint, metadata: CheckpointMetadata) {
    try {
      return await this.saver!.put(
        plan.putConfig,
        checkpoint,
        metadata,
        plan.channels.newVersions,
        {
          ifHead: plan.ifHead,
        },
      );
    } catch (error) {
      if (error instanceof CheckpointConflictError && error.code === "CHECKPOINT_CONFLICT") {
        throw new ThreadBusyError(this.threadId, error.expectedHead, error.actualHead);
      }
      throw error;
    }
  }

  /** Called by a task function: replays the saved outcome at this position, or runs the task. */
  callTask(definition: TaskDefinition, args: unknown[], parent: Scope): Promise<unknown> {
    if (this.hasFatal) return Promise.reject(this.fatal);
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
        this.setFatal(error);
        return Promise.reject(error);
      }
      if (!cached.ok) return Promise.reject(cached.error);
      if (this.sink?.updates) this.sink.emit("updates", { [definition.name]: cached.value });
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
    const sink = this.sink;
    if (!this.claim && this.plan) {
      try {
        await this.ensureClaimed();
      } catch (error) {
        this.setFatal(error);
        throw error;
      }
    }
    if (this.hasFatal) throw this.fatal;
    if (sink?.tasks || sink?.debug) {
      this.emitTaskEvent("task", {
        id: taskId,
        name: definition.name,
        input: args.length === 1 ? args[0] : args,
      });
    }
    let outcome: Outcome;
    try {
      const raw = await this.attempts(definition, args, position, taskId);
      const owner = () => `The value returned by task "${definition.name}"`;
      const value = this.fastSerde
        ? (this.serde as typeof defaultSerializer).canonicalize(raw, owner)
        : await canonicalize(this.serde, raw, owner);
      outcome = { ok: true, value };
    } catch (error) {
      if (error instanceof InterruptSignal || this.aborted || this.hasFatal) {
        if (sink?.tasks || sink?.debug) {
          this.emitTaskEvent("task_result", {
            id: taskId,
            name: definition.name,
            interrupts: this.interruptsOf(taskId),
          });
        }
        throw error;
      }
      outcome = { ok: false, error: await this.savableError(error) };
    }
    if (outcome.ok) this.cache.set(position, { name: definition.name, ...outcome });
    const persisted = this.persist(taskId, [
      outcome.ok ? [RETURN, outcome.value] : [ERROR, outcome.error],
    ]);
    if (persisted) await persisted;
    if (this.hasFatal) throw this.fatal;
    if (outcome.ok && sink?.updates) sink.emit("updates", { [definition.name]: outcome.value });
    if (sink?.tasks || sink?.debug) {
      this.emitTaskEvent(
        "task_result",
        outcome.ok
          ? { id: taskId, name: definition.name, result: outcome.value, interrupts: [] }
          : { id: taskId, name: definition.name, error: outcome.error, interrupts: [] },
      );
    }
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  private async attempts(
    definition: TaskDefinition,
    args: unknown[],
    position: string,
    taskId: string,
  ): Promise<unknown> {
    const policy = definition.retry;
    for (let attempt = 1; ; attempt++) {
      // Each attempt counts its own nested tasks and interrupts from zero, so
      // a retried attempt finds the ones an earlier attempt finished.
      const scope: Scope = {
        path: position,
        taskId,
        name: definition.name,
        nextChild: 0,
        nextInterrupt: 0,
      };
      try {
        return await withTimeout(
          () =>
            Promise.resolve(scopeStorage.run({ run: this, scope }, () => definition.fn(...args))),
          definition.name,
          definition.timeout,
        );
      } catch (error) {
        if (
          !policy ||
          attempt >= policy.maxAttempts ||
          error instanceof InterruptSignal ||
          error instanceof RunAbortedError ||
          this.aborted ||
          this.hasFatal ||
          !policy.retryOn(error)
        ) {
          throw error;
        }
        await sleep(retryDelay(policy, attempt), this.config.signal, this.definition.name);
      }
    }
  }

  // An error as it will come back from storage; one that cannot be saved
  // whole keeps its name, message and stack.
  private async savableError(error: unknown): Promise<unknown> {
    try {
      return await canonicalize(this.serde, error, "The error");
    } catch (cause) {
      if (!(cause instanceof UnserializableValueError)) throw cause;
      const plain = new Error(error instanceof Error ? error.message : String(error));
      if (error instanceof Error) {
        plain.name = error.name;
        plain.stack = error.stack;
      }
      return canonicalize(this.serde, plain, "The error");
    }
  }

  /** Called by interrupt(): records what the run will pause on. */
  recordInterrupt(scope: Scope, id: string, value: unknown): Interrupt {
    if (!this.saver) throw new NoCheckpointerError(this.definition.name, "interrupt()");
    if (this.closed) {
      throw new InvalidArgumentError(
        `interrupt() was called after run ${this.runId} of workflow "${this.definition.name}" had finished; ` +
          `await every task and promise before the entrypoint returns.`,
      );
    }
    const payload = this.fastSerde
      ? (this.serde as typeof defaultSerializer).canonicalize(
          value,
          () => `The payload of interrupt() in "${scope.name}"`,
        )
      : value;
    const entry: Interrupt = { id, value: payload };
    this.interrupts.push({ scope, interrupt: entry });
    return entry;
  }

  private interruptsOf(taskId: string): Interrupt[] {
    return this.interrupts.filter((i) => i.scope.taskId === taskId).map((i) => i.interrupt);
  }

  private setFatal(error: unknown): void {
    if (!this.hasFatal) {
      this.hasFatal = true;
      this.fatal = error;
    }
  }

  private persist(taskId: string, writes: PendingWrite[]): Promise<void> | undefined {
    if (!this.saver || !this.claim || this.closed) return undefined;
    if (this.durability === "exit") {
      this.buffered.push([taskId, writes]);
      return undefined;
    }
    const write = this.saver.putWrites(this.claim.config, writes, taskId);
    if (this.durability === "sync") return write.catch((error) => this.setFatal(error));
    const tracked = write.then(
      () => {
        this.persisting.delete(tracked);
      },
      (error) => {
        this.persisting.delete(tracked);
        this.setFatal(error);
      },
    );
    this.persisting.add(tracked);
    return undefined;
  }

  private async flush(): Promise<void> {
    if (!this.saver || !this.claim) return;
    if (this.buffered.length > 0) {
      const buffered = this.buffered;
      this.buffered = [];
      const config = this.claim.config;
      await Promise.all(
        buffered.map(([taskId, writes]) => this.saver!.putWrites(config, writes, taskId)),
      ).catch((error) => this.setFatal(error));
    }
    while (this.persisting.size > 0) await Promise.all([...this.persisting]);
  }

  private async pause(): Promise<PausedResult> {
    const byTask = new Map<string, { position: string; list: Interrupt[] }>();
    for (const { scope, interrupt } of this.interrupts) {
      const entry = byTask.get(scope.taskId) ?? { position: scope.path, list: [] };
      entry.list.push(interrupt);
      byTask.set(scope.taskId, entry);
    }
    const groups = [...byTask.entries()].sort((a, b) =>
      comparePositions(a[1].position, b[1].position),
    );
    await this.ensureClaimed();
    const config = this.claim!.config;
    const saved = groups.map(
      ([taskId, { list }]) => [taskId, INTERRUPT, list] as CheckpointPendingWrite,
    );
    await Promise.all([
      this.flush(),
      ...groups.map(([taskId, { list }]) =>
        this.saver!.putWrites(config, [[INTERRUPT, list]], taskId),
      ),
    ]);
    this.closed = true;
    if (this.hasFatal) throw this.fatal;
    const interrupts = groups.flatMap(([, { list }]) => list);
    const result: PausedResult = { __interrupt__: interrupts };
    if (this.sink) {
      if (this.sink.updates) this.sink.emit("updates", result);
      if (this.sink.values) this.sink.emit("values", result);
      if (this.sink.checkpoints || this.sink.debug) {
        this.emitCheckpoint({ ...this.claim!, pendingWrites: saved });
      }
    }
    return result;
  }

  private async fail(error: unknown): Promise<never> {
    if (this.saver && this.plan) {
      await this.ensureClaimed();
      if (!this.claim) throw error;
      const saved = await this.savableError(error);
      await this.saver.putWrites(
        this.claim.config,
        [[ERROR, saved]],
        taskIdOf("", this.definition.name),
      );
    }
    throw error;
  }

  private async complete(returned: unknown): Promise<unknown> {
    const name = this.definition.name;
    let value = returned;
    let save = returned;
    const final = returned instanceof EntrypointFinal;
    if (final) {
      value = returned.value;
      save = returned.save;
    }
    try {
      value = await canonicalize(this.serde, value, `The value returned by workflow "${name}"`);
      save = final
        ? await canonicalize(
            this.serde,
            save,
            `The value saved by entrypoint.final in workflow "${name}"`,
          )
        : value;
    } catch (error) {
      return this.fail(error);
    }
    const plan = this.plan;
    if (this.saver && plan) {
      const channels = plan.channels;
      channels.set(RUN, null);
      channels.set(OUTPUT, value);
      channels.set(PREVIOUS, save);
      const claim = this.claim;
      const metadata: CheckpointMetadata = {
        ...plan.metadata,
        source: "loop",
        step: claim ? plan.metadata.step + 1 : plan.metadata.step,
      };
      let tuple: CheckpointTuple;
      if (claim) {
        const checkpoint = channels.checkpoint(newCheckpointId(claim.checkpoint.id));
        const config = await this.saver.put(
          claim.config,
          checkpoint,
          metadata,
          channels.newVersions,
          {
            ifHead: claim.checkpoint.id,
          },
        );
        tuple = { config, checkpoint, metadata, parentConfig: claim.config, pendingWrites: [] };
      } else {
        // Nothing was saved yet: the end checkpoint is the run's only one.
        const checkpoint = channels.checkpoint(plan.firstId);
        const config = await this.putFirst(plan, checkpoint, metadata);
        tuple = {
          config,
          checkpoint,
          metadata,
          parentConfig: plan.parentConfig,
          pendingWrites: [],
        };
      }
      this.emitCheckpoint(tuple);
    }
    if (this.sink?.updates) this.sink.emit("updates", { [name]: value });
    if (this.sink?.values) this.sink.emit("values", value);
    return value;
  }

  private emitCheckpoint(tuple: CheckpointTuple): void {
    const sink = this.sink;
    if (!sink || !(sink.checkpoints || sink.debug)) return;
    const snapshot = snapshotOf(tuple, this.definition.name);
    if (sink.checkpoints) sink.emit("checkpoints", snapshot);
    if (sink.debug) {
      sink.emit("debug", {
        type: "checkpoint",
        timestamp: new Date().toISOString(),
        step: tuple.metadata?.step,
        payload: snapshot,
      });
    }
  }

  private emitTaskEvent(type: "task" | "task_result", payload: Record<string, unknown>): void {
    const sink = this.sink!;
    if (sink.tasks) sink.emit("tasks", payload);
    if (sink.debug) {
      sink.emit("debug", {
        type,
        timestamp: new Date().toISOString(),
        step: this.claim?.metadata?.step,
        payload,
      });
    }
  }
}
