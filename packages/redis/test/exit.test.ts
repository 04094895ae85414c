import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisSaver } from "../src/index.js";
import { cfg, deletePrefix, REDIS_URL, randomPrefix, redisUp } from "./helpers.js";
import { runScript } from "./spawn.js";

// A finished script exits by itself: a saver that opened its client from a
// URL never keeps an idle process alive, close() or not; an injected client
// is the script's to close, and the saver never touches it.
const DEADLINE_MS = 60_000;
const SCRIPT = "test/fixtures/one-run.ts";

describe.skipIf(!redisUp)("a finished script", () => {
  const prefix = randomPrefix("exit");
  let admin: Redis;
  beforeAll(() => {
    admin = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await deletePrefix(admin, prefix);
    admin.disconnect();
  });

  for (const ending of ["none", "close"] as const) {
    const label = ending === "none" ? "without close()" : "with close()";
    it(
      `exits on its own ${label}, twice on one thread`,
      async () => {
        const threadId = `exit-${ending}`;
        for (let round = 0; round < 2; round++) {
          const outcome = await runScript(
            SCRIPT,
            [REDIS_URL, prefix, threadId, ending],
            DEADLINE_MS,
          );
          expect(outcome.timedOut, `round ${round}: ${outcome.stderr}`).toBe(false);
          expect(outcome.code, outcome.stderr).toBe(0);
          expect(outcome.stdout).toMatch(/^result "An essay about run \d+"$/m);
        }
      },
      2 * DEADLINE_MS + 10_000,
    );
  }

  it(
    "leaves an injected client open and referenced",
    async () => {
      const outcome = await runScript(
        SCRIPT,
        [REDIS_URL, prefix, "exit-injected", "injected"],
        DEADLINE_MS,
      );
      expect(outcome.timedOut, outcome.stderr).toBe(false);
      expect(outcome.code, outcome.stderr).toBe(0);
      expect(outcome.stdout).toContain("injected client ready");
    },
    DEADLINE_MS + 10_000,
  );

  it("reopens, on the next call, a connection it lost while idle", async () => {
    const saver = new RedisSaver(REDIS_URL, { prefix });
    try {
      await saver.getTuple(cfg("idle"));
      const id = await saver.client.call("CLIENT", "ID");
      await admin.call("CLIENT", "KILL", "ID", String(id));
      await new Promise((r) => setTimeout(r, 300));
      expect(await saver.getTuple(cfg("idle"))).toBeUndefined();
    } finally {
      await saver.close();
    }
  });
});
