// Durability bookkeeping: when a task's writes reach the saver. `sync`
// awaits each write before the task's promise resolves; `async` sends it
// and tracks it; `exit` buffers it. `flush()` is the one point where the
// run waits for everything it sent, before it returns, pauses or fails.
//
// With a saver that has `putWritesBatch`, `async` holds the writes of one
// event-loop turn and sends them as one batch when the turn ends: tasks that
// settle together cost one storage step, and a run that pauses in that turn
// takes them (`takeUnsent`) into the same step as its interrupts.
import type {
  CheckpointSaver,
  PendingWrite,
  RunnableConfig,
  TaskWritesEntry,
} from "../contract/checkpoint.js";
import type { Durability } from "./workflow-types.js";

// A batch is sent once it holds this many tasks, without waiting for the
// turn to end: a long run of quick tasks never builds one huge statement.
const MAX_BATCH = 256;

export class TaskWrites {
  // Made on first use: a run that replays and returns sends nothing.
  private held: TaskWritesEntry[] | undefined;
  private heldConfig: RunnableConfig | undefined;
  private inFlight: Set<Promise<void>> | undefined;
  private turnEndScheduled = false;
  private readonly batches: boolean;

  constructor(
    private readonly saver: CheckpointSaver,
    private readonly durability: Durability,
    /** Called with the first write that fails: the run cannot be trusted to have saved it. */
    private readonly onError: (error: unknown) => void,
  ) {
    this.batches = typeof saver.putWritesBatch === "function";
  }

  /**
   * Hands the writes of task `taskId` to the saver as the durability says.
   * Returns a promise only in `sync`, for the task to await; it never rejects
   * (a failure goes to `onError`).
   */
  send(config: RunnableConfig, taskId: string, writes: PendingWrite[]): Promise<void> | undefined {
    if (this.durability === "sync")
      return this.saver.putWrites(config, writes, taskId).catch(this.onError);
    if (this.durability === "async" && !this.batches) {
      this.track(this.saver.putWrites(config, writes, taskId));
      return undefined;
    }
    if (this.held && this.heldConfig !== config) this.sendHeld();
    this.held ??= [];
    this.heldConfig = config;
    this.held.push({ taskId, writes });
    if (this.durability === "async") {
      if (this.held.length >= MAX_BATCH) this.sendHeld();
      else if (!this.turnEndScheduled) {
        this.turnEndScheduled = true;
        setImmediate(() => {
          this.turnEndScheduled = false;
          this.sendHeld();
        });
      }
    }
    return undefined;
  }

  /**
   * The writes held and not sent yet, handed over (they are no longer this
   * object's to send): a pausing run stores them in the step that stores its
   * interrupts. Empty unless the saver has `putWritesBatch`, since only then
   * can the two be one step.
   */
  takeUnsent(): TaskWritesEntry[] {
    if (!this.batches || !this.held) return [];
    const held = this.held;
    this.held = undefined;
    return held;
  }

  /**
   * Sends what is held and waits for every write sent; failures go to
   * `onError`. `undefined` when nothing is held or in flight, so a run with
   * nothing to wait for does not wait a turn.
   */
  flush(): Promise<void> | undefined {
    if (!this.held?.length && !this.inFlight?.size) return undefined;
    this.sendHeld();
    return this.drain();
  }

  private async drain(): Promise<void> {
    while (this.inFlight?.size) await Promise.all([...this.inFlight]);
  }

  private sendHeld(): void {
    const held = this.held;
    const config = this.heldConfig;
    this.held = undefined;
    if (!held?.length || !config) return;
    let sent: Promise<void>;
    try {
      sent = this.write(config, held);
    } catch (error) {
      // A saver that throws rather than rejects: the same failure, never an
      // uncaught exception from the end of a turn.
      sent = Promise.reject(error);
    }
    this.track(sent);
  }

  private write(config: RunnableConfig, batch: TaskWritesEntry[]): Promise<void> {
    if (batch.length === 1) return this.saver.putWrites(config, batch[0]!.writes, batch[0]!.taskId);
    if (this.batches) return this.saver.putWritesBatch!(config, batch);
    return Promise.all(batch.map((e) => this.saver.putWrites(config, e.writes, e.taskId))).then(
      () => undefined,
    );
  }

  private track(write: Promise<void>): void {
    this.inFlight ??= new Set();
    const inFlight = this.inFlight;
    const tracked = write.then(
      () => {
        inFlight.delete(tracked);
      },
      (error) => {
        inFlight.delete(tracked);
        this.onError(error);
      },
    );
    inFlight.add(tracked);
  }
}
