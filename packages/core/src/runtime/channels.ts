// Names of the channels and write channels the runtime keeps in a checkpoint.
// They are Savepoint's own layout on top of LangGraph's checkpoint shape;
// savers store them like any other channel.

/** The current run's input. */
export const INPUT = "__input__";
/** The current run, while one is started and not finished: {@link RunInfo}; `null` when idle. */
export const RUN = "__run__";
/** The current run's answers to interrupts, by interrupt id. */
export const RESUME = "__resume__";
/** What the next run sees as `getPreviousState()`. */
export const PREVIOUS = "__previous__";
/** The value the last finished run returned. */
export const OUTPUT = "__end__";

/** Write channel of a task's result. */
export const RETURN = "__return__";
/** Write channel of a task's (or the run's) error. */
export const ERROR = "__error__";
/** Write channel of the interrupts a task (or the entrypoint) raised. */
export const INTERRUPT = "__interrupt__";

/** What `__run__` holds while a run is under way, paused or failed. */
export interface RunInfo {
  /** The run's id; every checkpoint of the run carries it as `metadata.run_id`. */
  id: string;
  /** The id of the run's first checkpoint. */
  start: string;
  /** How many checkpoints of this run precede this one (0 for the first). */
  depth: number;
}

/**
 * Task ids are `<position>:<name>`: the position is the call order within the
 * parent ("0", "1", "1.0" for the first task called inside task "1"), and the
 * entrypoint's own scope has the empty position. Positions hold only digits
 * and dots, so the first ":" always splits them from the name.
 */
export function taskIdOf(position: string, name: string): string {
  return `${position}:${name}`;
}

/** The inverse of {@link taskIdOf}; undefined for a task id this runtime did not write. */
export function parseTaskId(taskId: string): { position: string; name: string } | undefined {
  const colon = taskId.indexOf(":");
  if (colon < 0) return undefined;
  const position = taskId.slice(0, colon);
  if (position !== "" && !/^\d+(\.\d+)*$/.test(position)) return undefined;
  return { position, name: taskId.slice(colon + 1) };
}

/** Orders positions as call order: "2" before "10", "1.9" before "1.10". */
export function comparePositions(a: string, b: string): number {
  if (a === b) return 0;
  if (a === "") return -1;
  if (b === "") return 1;
  const pa = a.split(".");
  const pb = b.split(".");
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const d = Number(pa[i]) - Number(pb[i]);
    if (d !== 0) return d;
  }
  return pa.length - pb.length;
}
