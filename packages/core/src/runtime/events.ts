// What a run tells a stream reader: task updates, task events and
// checkpoints in each stream mode. Kept apart from the run so the run's own
// code reads as control flow; every method is a no-op for modes nobody reads.
import type { CheckpointTuple } from "../contract/checkpoint.js";
import { snapshotOf } from "./snapshot.js";
import type { ChunkSink } from "./stream.js";

export class RunEvents {
  constructor(
    private readonly sink: ChunkSink | undefined,
    private readonly workflowName: string,
  ) {}

  /** True when someone reads `tasks` or `debug` events (worth building their payloads). */
  get wantsTaskEvents(): boolean {
    return !!(this.sink?.tasks || this.sink?.debug);
  }

  /** True when someone reads `checkpoints` or `debug` events. */
  get wantsCheckpoints(): boolean {
    return !!(this.sink?.checkpoints || this.sink?.debug);
  }

  update(chunk: unknown): void {
    if (this.sink?.updates) this.sink.emit("updates", chunk);
  }

  /** The `updates` chunk of one task or entrypoint, `{ [name]: value }`, built only when read. */
  updateOf(name: string, value: unknown): void {
    if (this.sink?.updates) this.sink.emit("updates", { [name]: value });
  }

  values(chunk: unknown): void {
    if (this.sink?.values) this.sink.emit("values", chunk);
  }

  checkpoint(tuple: CheckpointTuple): void {
    const sink = this.sink;
    if (!sink || !(sink.checkpoints || sink.debug)) return;
    const snapshot = snapshotOf(tuple, this.workflowName);
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

  /** A task body starts: its `tasks`/`debug` event. */
  taskStarted(id: string, name: string, args: unknown[], step: unknown): void {
    this.task("task", { id, name, input: args.length === 1 ? args[0] : args }, step);
  }

  /** A task ended: its result, its error, or the interrupts it raised. */
  taskEnded(id: string, name: string, ended: Record<string, unknown>, step: unknown): void {
    this.task("task_result", { id, name, ...ended }, step);
  }

  private task(
    type: "task" | "task_result",
    payload: Record<string, unknown>,
    step: unknown,
  ): void {
    const sink = this.sink;
    if (!sink) return;
    if (sink.tasks) sink.emit("tasks", payload);
    if (sink.debug) {
      sink.emit("debug", { type, timestamp: new Date().toISOString(), step, payload });
    }
  }
}
