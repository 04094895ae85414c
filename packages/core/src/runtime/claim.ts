// The claim protocol: how a run takes a thread so that two runs continuing
// it at once cannot both commit.
//
// INVARIANT: no task body runs before the run's claim has committed. The
// claim is the run's first checkpoint, written with `put(..., { ifHead })`
// where `ifHead` is the head the run started from; a saver that honours it
// (capabilities.conditionalPut) lets exactly one of two racing runs commit,
// and the loser fails with ThreadBusyError before anything of it ran.
//
// The run claims lazily: `ensure()` is awaited before the first task that
// must really run, and when the run pauses or fails. A run that only replays
// and returns (the common resume) never calls it: `finish()` then writes the
// end checkpoint under the same condition, one write instead of two. Either
// way the first write of the run is the conditional one. Every other write
// of the run (task writes, the end checkpoint after a claim) is addressed to
// the claim, and the end checkpoint is conditional on the claim still being
// the head.
import type {
  ChannelVersions,
  Checkpoint,
  CheckpointMetadata,
  CheckpointSaver,
  CheckpointTuple,
  PutOptions,
  RunnableConfig,
} from "../contract/checkpoint.js";
import type { ThreadUpdate } from "../contract/threads.js";
import { CheckpointConflictError, ThreadBusyError } from "../errors/index.js";
import { newCheckpointId } from "../ids.js";
import { nextIntegerVersion } from "../saver-kit/versions.js";
import { extendableCopy } from "./extendable-copy.js";
import type { ThreadRecorder } from "./thread-record.js";

// A checkpoint's `ts`: one ISO string per millisecond, not a Date and its
// formatting per checkpoint (a busy process writes dozens a millisecond).
let tsMs = -1;
let tsText = "";

function nowIso(): string {
  const now = Date.now();
  if (now !== tsMs) {
    tsText = new Date(now).toISOString();
    tsMs = now;
  }
  return tsText;
}

/** The channel values and versions of the checkpoint being built, from its parent's. */
export class ChannelState {
  private values: Record<string, unknown>;
  private versions: ChannelVersions;
  // Copy on write: the maps start as the parent's, and a checkpoint built
  // from them keeps them; the next `set` copies them first. Each is then
  // copied once per checkpoint written, never changed under a holder.
  private shared = true;
  newVersions: ChannelVersions = {};

  constructor(
    private readonly saver: CheckpointSaver,
    parent: Checkpoint | undefined,
  ) {
    this.values = parent?.channel_values ?? {};
    this.versions = parent?.channel_versions ?? {};
  }

  set(channel: string, value: unknown): void {
    if (this.shared) {
      this.values = extendableCopy(this.values);
      this.versions = extendableCopy(this.versions);
      this.shared = false;
    }
    this.values[channel] = value;
    const current = this.versions[channel];
    const next = this.saver.getNextVersion
      ? this.saver.getNextVersion(current)
      : nextIntegerVersion(current);
    this.versions[channel] = next;
    this.newVersions[channel] = next;
  }

  checkpoint(id: string): Checkpoint {
    this.shared = true;
    return {
      v: 4,
      id,
      ts: nowIso(),
      channel_values: this.values,
      channel_versions: this.versions,
      versions_seen: {},
    };
  }

  /** Starts the next checkpoint: only channels set from here on count as new. */
  advance(): void {
    this.newVersions = {};
  }
}

/** The claim checkpoint, prepared by run preparation but not yet written. */
export interface ClaimPlan {
  threadId: string;
  firstId: string;
  channels: ChannelState;
  metadata: CheckpointMetadata;
  putConfig: RunnableConfig;
  parentConfig: RunnableConfig | undefined;
  /** The head the run started from (`null`: none); `undefined` forks unconditionally. */
  ifHead: string | null | undefined;
  /** What the run records about its thread, when the saver keeps thread records. */
  thread: ThreadRecorder | undefined;
}

/** One run's hold on its thread: written at most once, shared by every caller. */
export class Claim {
  private written: CheckpointTuple | undefined;
  private writing: Promise<CheckpointTuple> | undefined;

  constructor(
    private readonly saver: CheckpointSaver,
    private readonly plan: ClaimPlan,
    /** Called once, when the claim has committed. */
    private readonly onCommit: (tuple: CheckpointTuple) => void,
  ) {}

  /** The committed claim, once `ensure()` has resolved. */
  get tuple(): CheckpointTuple | undefined {
    return this.written;
  }

  /** Writes the claim checkpoint once; every later caller shares the same promise. */
  ensure(): Promise<CheckpointTuple> {
    this.writing ??= this.write();
    return this.writing;
  }

  // Promise chains rather than async functions nested three deep: the claim
  // and the end checkpoint are on every run's path, and each async layer
  // costs promises (each one tracked by AsyncLocalStorage's hooks).
  private write(): Promise<CheckpointTuple> {
    const plan = this.plan;
    const checkpoint = plan.channels.checkpoint(plan.firstId);
    return this.putFirst(checkpoint, plan.metadata, plan.thread?.running()).then((config) => {
      plan.channels.advance();
      this.written = {
        config,
        checkpoint,
        metadata: plan.metadata,
        parentConfig: plan.parentConfig,
        pendingWrites: [],
      };
      this.onCommit(this.written);
      return this.written;
    }, busyOf(plan.threadId));
  }

  /**
   * Writes the run's end checkpoint with `channels` as the final values:
   * after the claim, conditional on the claim being the head; without a
   * claim, as the run's first (and only) conditional write.
   */
  finish(set: (channels: ChannelState) => void): Promise<CheckpointTuple> {
    const plan = this.plan;
    set(plan.channels);
    const claim = this.written;
    const metadata: CheckpointMetadata = {
      ...plan.metadata,
      source: "loop",
      step: claim ? plan.metadata.step + 1 : plan.metadata.step,
    };
    if (!claim) {
      const checkpoint = plan.channels.checkpoint(plan.firstId);
      return this.putFirst(checkpoint, metadata, plan.thread?.done()).then(
        (config) => ({
          config,
          checkpoint,
          metadata,
          parentConfig: plan.parentConfig,
          pendingWrites: [],
        }),
        busyOf(plan.threadId),
      );
    }
    const checkpoint = plan.channels.checkpoint(newCheckpointId(claim.checkpoint.id));
    return settled(() =>
      this.saver.put(claim.config, checkpoint, metadata, plan.channels.newVersions, {
        ifHead: claim.checkpoint.id,
        thread: plan.thread?.done(),
      }),
    ).then((config) => ({
      config,
      checkpoint,
      metadata,
      parentConfig: claim.config,
      pendingWrites: [],
    }));
  }

  // The run's first write to the thread, under the plan's head condition
  // (a refusal is turned into ThreadBusyError by busyOf).
  private putFirst(
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    thread: ThreadUpdate | undefined,
  ): Promise<RunnableConfig> {
    const plan = this.plan;
    const options: PutOptions = { ifHead: plan.ifHead };
    if (thread) options.thread = thread;
    return settled(() =>
      this.saver.put(plan.putConfig, checkpoint, metadata, plan.channels.newVersions, options),
    );
  }
}

// A conflict on the run's first write means another run got the thread
// first and nothing of this run was saved.
function busyOf(threadId: string): (error: unknown) => never {
  return (error) => {
    if (error instanceof CheckpointConflictError && error.code === "CHECKPOINT_CONFLICT") {
      throw new ThreadBusyError(threadId, error.expectedHead, error.actualHead);
    }
    throw error;
  };
}

// A saver call as a native promise: a saver whose method throws instead of
// rejecting (or returns another thenable) fails the same way an async one does.
function settled<T>(call: () => Promise<T>): Promise<T> {
  try {
    return Promise.resolve(call());
  } catch (error) {
    return Promise.reject(error);
  }
}
