// Durability bookkeeping: when a task's writes reach the saver. `sync`
// awaits each write before the task's promise resolves; `async` sends it
// and tracks it; `exit` buffers it. `flush()` is the one point where the
// run waits for everything it sent, before it returns, pauses or fails.
import type { CheckpointSaver, PendingWrite, RunnableConfig } from "../contract/checkpoint.js";
import type { Durability } from "./workflow-types.js";

export class TaskWrites {
  // Made on first use: a run that replays and returns sends nothing.
  private buffered: [taskId: string, writes: PendingWrite[]][] | undefined;
  private inFlight: Set<Promise<void>> | undefined;

  constructor(
    private readonly saver: CheckpointSaver,
    private readonly durability: Durability,
    /** Called with the first write that fails: the run cannot be trusted to have saved it. */
    private readonly onError: (error: unknown) => void,
  ) {}

  /**
   * Hands the writes of task `taskId` to the saver as the durability says.
   * Returns a promise only in `sync`, for the task to await; it never rejects
   * (a failure goes to `onError`).
   */
  send(config: RunnableConfig, taskId: string, writes: PendingWrite[]): Promise<void> | undefined {
    if (this.durability === "exit") {
      this.buffered ??= [];
      this.buffered.push([taskId, writes]);
      return undefined;
    }
    const write = this.saver.putWrites(config, writes, taskId);
    if (this.durability === "sync") return write.catch(this.onError);
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
    return undefined;
  }

  /**
   * Writes what `exit` buffered and waits for every write sent; failures go
   * to `onError`. `undefined` when nothing is buffered or in flight, so a
   * run with nothing to wait for does not wait a turn.
   */
  flush(config: RunnableConfig): Promise<void> | undefined {
    if (!this.buffered?.length && !this.inFlight?.size) return undefined;
    return this.drain(config);
  }

  private async drain(config: RunnableConfig): Promise<void> {
    const buffered = this.buffered;
    if (buffered && buffered.length > 0) {
      this.buffered = undefined;
      await Promise.all(
        buffered.map(([taskId, writes]) => this.saver.putWrites(config, writes, taskId)),
      ).catch(this.onError);
    }
    while (this.inFlight?.size) await Promise.all([...this.inFlight]);
  }
}
