import { type CheckpointSaver, SavepointError } from "@savepoint/core";
import { expect } from "vitest";
import type { Harness } from "../../harness.js";

/**
 * What each part of the identifiers group gets: the group's harness, the
 * victim thread (another thread's data, written before the group runs and
 * checked after each test), and `clear`, which deletes a thread that a
 * saver may refuse to name.
 *
 * @example
 * ```ts
 * export function myTests({ h, expectVictimIntact }: IdentifiersContext): void {
 *   it("touches no other thread", async () => { ...; await expectVictimIntact(); });
 * }
 * ```
 */
export interface IdentifiersContext {
  /** The identifiers group's harness. */
  h: Harness;
  /** The victim thread's id. */
  victimId: string;
  /** Fails unless the victim thread reads back exactly as it was written. */
  expectVictimIntact(): Promise<void>;
  /** `deleteThread(id)`; a refusal must be typed. */
  clear(saver: CheckpointSaver, id: string): Promise<void>;
}

/**
 * What an operation did: its value, or the error it threw.
 *
 * @example
 * ```ts
 * const r: Attempt<number> = { ok: true, value: 1 };
 * ```
 */
export type Attempt<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Runs `op`, catching what it throws.
 *
 * @example
 * ```ts
 * const r = await attempt(() => saver.getTuple(config));
 * if (!r.ok) expectTypedRefusal(r.error, "getTuple");
 * ```
 */
export async function attempt<T>(op: () => Promise<T>): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await op() };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Fails unless `error` is a SavepointError with code INVALID_IDENTIFIER.
 *
 * @example
 * ```ts
 * expectTypedRefusal(error, 'put on thread "*"');
 * ```
 */
export function expectTypedRefusal(error: unknown, what: string): void {
  expect(error, `${what}: a refusal must be a SavepointError`).toBeInstanceOf(SavepointError);
  expect(
    (error as SavepointError).code,
    `${what}: a refusal must carry code INVALID_IDENTIFIER`,
  ).toBe("INVALID_IDENTIFIER");
}

/**
 * An identifier for a test message: JSON-quoted, cut at 40 characters.
 *
 * @example
 * ```ts
 * show("a\nb"); // "\"a\\nb\""
 * ```
 */
export const show = (id: string) => JSON.stringify(id.length > 40 ? `${id.slice(0, 40)}…` : id);
