// Run preparation: everything `invoke` decides before the entrypoint's body
// runs. It loads the thread's head, tells a new run from a resume, checks the
// resume answers against the pending interrupts, loads what the replay needs,
// and prepares (but does not write) the claim. The result is one RunState.
import type {
  CheckpointMetadata,
  CheckpointSaver,
  RunnableConfig,
} from "../contract/checkpoint.js";
import type { Interrupt } from "../contract/interrupt.js";
import {
  CheckpointNotFoundError,
  CorruptValueError,
  InvalidArgumentError,
  MissingThreadIdError,
  NoCheckpointerError,
  NothingToResumeError,
  RunAbortedError,
  ThreadBusyError,
  UnknownInterruptIdError,
} from "../errors/index.js";
import { isInterruptId, newCheckpointId, newRunId } from "../ids.js";
import { canonicalValue } from "../serde/typed.js";
import { ERROR, INPUT, PREVIOUS, RESUME, RUN, type RunInfo, taskIdOf } from "./channels.js";
import { ChannelState, type ClaimPlan } from "./claim.js";
import { isCommand, prepareCommandCheck } from "./command.js";
import { extendableCopy, keyedCopy } from "./extendable-copy.js";
import { loadReplayCache, type ReplayCache } from "./replay-cache.js";
import { pendingInterrupts } from "./snapshot.js";
import { checkLeaseMs, threadRecorderFor } from "./thread-record.js";
import {
  DURABILITIES,
  type Durability,
  type RunConfig,
  type WorkflowDefinition,
} from "./workflow-types.js";

/** Everything a run needs to start, decided before the entrypoint's body runs. */
export interface RunState {
  runId: string;
  /** "" without a checkpointer. */
  threadId: string;
  durability: Durability;
  /** What the entrypoint is called with: the new input, or the run's saved one on a resume. */
  input: unknown;
  /** Answers to interrupts, by interrupt id. */
  resume: Record<string, unknown>;
  previous: unknown;
  cache: ReplayCache;
  /** The claim to write before the first task body; absent without a checkpointer. */
  plan: ClaimPlan | undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Loads and checks what one invocation of `definition` starts from. */
export async function prepareRun(
  definition: WorkflowDefinition,
  input: unknown,
  config: RunConfig,
): Promise<RunState> {
  const durability = config.durability ?? "async";
  if (!DURABILITIES.includes(durability)) {
    throw new InvalidArgumentError(
      `durability must be one of ${DURABILITIES.map((d) => `"${d}"`).join(", ")}, got ${JSON.stringify(durability)}.`,
    );
  }
  // An already-aborted run starts nothing: no read, no claim, no task body.
  if (config.signal?.aborted) throw new RunAbortedError(definition.name, config.signal.reason);
  const commandCheck = prepareCommandCheck(input);
  if (commandCheck) await commandCheck;
  const saver = definition.checkpointer;
  if (!saver) {
    if (isCommand(input)) throw new NoCheckpointerError(definition.name, "Resuming with a Command");
    return {
      runId: newRunId(),
      threadId: "",
      durability,
      input,
      resume: {},
      previous: undefined,
      cache: new Map(),
      plan: undefined,
    };
  }
  const threadId = config.configurable?.thread_id;
  if (typeof threadId !== "string" || threadId.length === 0)
    throw new MissingThreadIdError(definition.name);
  const ns = config.configurable?.checkpoint_ns ?? "";
  const explicitId = config.configurable?.checkpoint_id;
  const target: NonNullable<RunnableConfig["configurable"]> = {
    thread_id: threadId,
    checkpoint_ns: ns,
  };
  if (explicitId) target.checkpoint_id = explicitId;
  const base = await saver.getTuple({ configurable: target });
  if (explicitId && !base)
    throw new CheckpointNotFoundError(
      threadId,
      explicitId,
      await olderThanKept(saver, threadId, ns, explicitId),
    );
  if (config.continueFrom !== undefined && base?.checkpoint.id !== config.continueFrom) {
    throw new ThreadBusyError(
      threadId,
      config.continueFrom,
      base?.checkpoint.id ?? null,
      "moved on since it was listed as stalled: another run continued it",
    );
  }

  const baseValues = base?.checkpoint.channel_values ?? {};
  const baseRun = base ? runInfoOf(baseValues[RUN], threadId, ns, base.checkpoint.id) : undefined;
  const rootTaskId = taskIdOf("", definition.name);
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
    resume = keyedCopy(baseValues[RESUME] as Record<string, unknown> | undefined);
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
      const answered = answers(saver.serde, threadId, input.resume, pending, resume);
      if (answered instanceof Promise) await answered;
    } else {
      dropErrors = failed;
    }
    source = explicitId ? "fork" : "loop";
  } else {
    runInput = canonicalValue(
      saver.serde,
      input,
      () => `The input of workflow "${definition.name}"`,
    );
    if (runInput instanceof Promise) runInput = await runInput;
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
    threadId,
    firstId,
    channels,
    metadata: extendableCopy(config.metadata as CheckpointMetadata | undefined, {
      source,
      step: (base?.metadata?.step ?? -2) + 1,
      parents: {},
      run_id: info.id,
    }),
    putConfig: parentConfig ?? { configurable: { thread_id: threadId, checkpoint_ns: ns } },
    parentConfig,
    // Forking from an explicit checkpoint is allowed whatever the head is.
    ifHead: explicitId ? undefined : (base?.checkpoint.id ?? null),
    // Thread records describe the root namespace only.
    thread:
      ns === ""
        ? threadRecorderFor(
            saver,
            definition.name,
            config.metadata,
            config.leaseMs === undefined
              ? definition.leaseMs
              : checkLeaseMs(config.leaseMs, `workflow "${definition.name}"`),
          )
        : undefined,
  };
  let cache: ReplayCache | Promise<ReplayCache> =
    base && source !== "input"
      ? loadReplayCache(saver, base, info, threadId, ns, dropErrors)
      : new Map();
  if (cache instanceof Promise) cache = await cache;
  return {
    runId: info.id,
    threadId,
    durability,
    input: runInput,
    resume,
    previous: baseValues[PREVIOUS],
    cache,
    plan,
  };
}

// The resume value(s) of a Command, by interrupt id, set on `out` (the
// run's answers): a map keyed by pending interrupt ids answers those;
// anything else answers the first pending one. Synchronous with Savepoint's
// serializer (a resume is on every review's path); another serializer's
// answers are awaited one by one, in key order. Written straight into `out`,
// not into an object merged afterwards: a property named by a fresh id costs
// the engine a new object shape each time it is added.
function answers(
  serde: CheckpointSaver["serde"],
  threadId: string,
  resume: unknown,
  pending: Interrupt[],
  out: Record<string, unknown>,
): Record<string, unknown> | Promise<Record<string, unknown>> {
  if (isPlainObject(resume)) {
    const keys = Object.keys(resume);
    if (keys.length > 0 && keys.every(isInterruptId))
      return answerEach(serde, threadId, resume, keys, 0, pending, out);
  }
  const id = pending[0]!.id;
  const answer = canonicalValue(serde, resume, "The resume value");
  if (answer instanceof Promise) {
    return answer.then((value) => {
      out[id] = value;
      return out;
    });
  }
  out[id] = answer;
  return out;
}

// Answers keys[from..] into `out`, checking each id is pending before its value.
function answerEach(
  serde: CheckpointSaver["serde"],
  threadId: string,
  resume: Record<string, unknown>,
  keys: string[],
  from: number,
  pending: Interrupt[],
  out: Record<string, unknown>,
): Record<string, unknown> | Promise<Record<string, unknown>> {
  for (let i = from; i < keys.length; i++) {
    const id = keys[i]!;
    if (!pending.some((p) => p.id === id)) {
      throw new UnknownInterruptIdError(
        threadId,
        id,
        pending.map((p) => p.id),
      );
    }
    const answer = canonicalValue(
      serde,
      resume[id],
      () => `The resume value for interrupt "${id}"`,
    );
    if (answer instanceof Promise) {
      return answer.then((value) => {
        out[id] = value;
        return answerEach(serde, threadId, resume, keys, i + 1, pending, out);
      });
    }
    out[id] = answer;
  }
  return out;
}

// The stored `__run__` channel: null or absent when idle, else a RunInfo. A
// damaged one must not read as an idle (finished) thread.
function runInfoOf(
  value: unknown,
  threadId: string,
  ns: string,
  checkpointId: string,
): RunInfo | undefined {
  if (value === null || value === undefined) return undefined;
  const info = value as Partial<RunInfo>;
  if (
    typeof value === "object" &&
    typeof info.id === "string" &&
    typeof info.start === "string" &&
    typeof info.depth === "number"
  ) {
    return value as RunInfo;
  }
  throw new CorruptValueError("a __run__ channel that is not a run record", {
    where: { threadId, ns, checkpointId, channel: RUN },
  });
}

// Whether a missing checkpoint was pruned, as far as can be known: the saver
// prunes, and the id is older than every checkpoint the thread still has
// (ids order as the thread's history). Only asked on the error path.
async function olderThanKept(
  saver: CheckpointSaver,
  threadId: string,
  ns: string,
  checkpointId: string,
): Promise<boolean> {
  if (!saver.capabilities?.retention) return false;
  let oldest: string | undefined;
  for await (const tuple of saver.list({
    configurable: { thread_id: threadId, checkpoint_ns: ns },
  })) {
    if (oldest === undefined || tuple.checkpoint.id < oldest) oldest = tuple.checkpoint.id;
  }
  return oldest !== undefined && checkpointId < oldest;
}
