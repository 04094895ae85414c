// Every wait on a server is bounded: a server that accepts connections and
// then says nothing (a hung host, a half-open connection) fails each call
// with StorageUnavailableError once its timeout runs out, instead of hanging.
import { createServer, type Server, type Socket } from "node:net";
import { InvalidArgumentError, StorageUnavailableError } from "@savepoint/core";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresSaver } from "../src/index.js";

// Slack over a bound: timers, the event loop, a slow machine.
const SLACK_MS = 2_000;

let silent: Server;
let port = 0;
const sockets = new Set<Socket>();

beforeAll(async () => {
  // Accepts every connection and never sends a byte.
  silent = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  port = (silent.address() as { port: number }).port;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

async function timed(work: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, ms: performance.now() - started };
}

describe("a server that does not answer", () => {
  it("fails a saver opened from a URL within timeouts.connectMs", async () => {
    const saver = new PostgresSaver(`postgresql://app:pw@127.0.0.1:${port}/appdb`, {
      timeouts: { connectMs: 1_000, queryMs: 60_000 },
    });
    const { error, ms } = await timed(saver.getTuple({ configurable: { thread_id: "t" } }));
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect((error as Error).message).toContain(`127.0.0.1:${port}/appdb`);
    expect((error as Error).message).toContain("CONNECT_TIMEOUT");
    expect(ms).toBeLessThan(1_000 + SLACK_MS);
    await saver.close();
  });

  it("fails every call on a borrowed client within timeouts.queryMs, reads and writes", async () => {
    // The client's own connect timeout (30 s) is longer than the saver's bound.
    const sql = postgres({ host: "127.0.0.1", port, database: "appdb", onnotice: () => {} });
    const saver = new PostgresSaver(sql, { timeouts: { queryMs: 1_500 } });
    try {
      const started = performance.now();
      const calls = [
        saver.setup(),
        saver.getTuple({ configurable: { thread_id: "t" } }),
        saver.putWrites(
          { configurable: { thread_id: "t", checkpoint_id: "c" } },
          [["a", 1]],
          "task",
        ),
      ].map((call) =>
        call.then(
          () => ({ error: undefined, ms: performance.now() - started }),
          (error: unknown) => ({ error, ms: performance.now() - started }),
        ),
      );
      for (const { error, ms } of await Promise.all(calls)) {
        expect(error).toBeInstanceOf(StorageUnavailableError);
        expect((error as Error).message).toMatch(
          new RegExp(
            `127\\.0\\.0\\.1:${port}/appdb did not answer within 1\\.5 s \\(timeouts\\.queryMs\\)`,
          ),
        );
        expect(ms).toBeLessThan(1_500 + SLACK_MS);
      }
    } finally {
      await saver.close();
      await sql.end({ timeout: 0 });
    }
  });

  it("refuses timeouts that are not positive numbers", () => {
    for (const timeouts of [{ queryMs: 0 }, { connectMs: -1 }, { idleMs: "5" }, { queryMs: NaN }])
      expect(() => new PostgresSaver("memory://", { timeouts: timeouts as never })).toThrow(
        InvalidArgumentError,
      );
    expect(() => new PostgresSaver("memory://", { timeouts: { queryMs: Infinity } })).not.toThrow();
  });
});
