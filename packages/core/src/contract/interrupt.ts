/**
 * A question the paused run is waiting on: surfaced to the caller as
 * `{ __interrupt__: [{ id, value }] }` and answered by `Command({ resume })`.
 * Stored as the value of an `__interrupt__` write (a list of these per task).
 *
 * @example
 * ```ts
 * const { __interrupt__ } = await workflow.invoke("cat", config);
 * const [{ id, value }] = __interrupt__;
 * ```
 */
export interface Interrupt<Value = unknown> {
  /** Stable across replays; the key for a resume map. */
  id: string;
  /** The payload given to `interrupt()`. */
  value: Value;
}
