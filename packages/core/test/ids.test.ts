import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { interruptId, isInterruptId, newCheckpointId, newRunId } from "../src/index.js";

describe("ids", () => {
  it("checkpoint ids are UUIDv7 and strictly increasing within a process", () => {
    const ids = Array.from({ length: 5000 }, () => newCheckpointId());
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
  });

  it("a child id sorts after its parent even when the parent came from a clock ahead of ours", () => {
    const future = Date.now() + 3_600_000;
    const hex = future.toString(16).padStart(12, "0");
    const parent = `${hex.slice(0, 8)}-${hex.slice(8)}-7fff-8000-000000000000`;
    const child = newCheckpointId(parent);
    expect(child > parent).toBe(true);
    expect(newCheckpointId() > child).toBe(true);
  });

  it("interrupt ids are stable for the same place and differ for different places", () => {
    const run = newRunId();
    expect(interruptId(run, "0", 0)).toBe(interruptId(run, "0", 0));
    const ids = new Set([
      interruptId(run, "0", 0),
      interruptId(run, "0", 1),
      interruptId(run, "1", 0),
      interruptId(newRunId(), "0", 0),
    ]);
    expect(ids.size).toBe(4);
    expect(isInterruptId(interruptId(run, "", 0))).toBe(true);
    expect(isInterruptId("not-an-id")).toBe(false);
  });

  it("interrupt ids stay the digest earlier versions stored, so a thread paused by one resumes", () => {
    const run = "3b241101-e2bb-4255-8caf-4136c566a962";
    for (const [path, index] of [
      ["", 0],
      ["0", 1],
      ["3.1", 2],
    ] as const) {
      const digest = createHash("sha256").update(`${run}\u0000${path}\u0000${index}`).digest("hex");
      expect(interruptId(run, path, index)).toBe(digest.slice(0, 32));
    }
    // Pinned: the id an interrupt raised by the entrypoint of this run has always had.
    expect(interruptId(run, "", 0)).toBe("c3fb1667e5cce3e4b8896091d84bf016");
  });
});
