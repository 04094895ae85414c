/**
 * Decides whether tests that need a real service (Postgres, Redis) run. When
 * the service answers, they run. When it does not, they skip with a loud
 * message, unless `REQUIRE_SERVICES=1` (set by CI), where the probe's error is
 * rethrown so the run fails instead of passing on nothing.
 *
 * @example
 * ```ts
 * const up = await serviceAvailable("Redis", process.env.REDIS_URL ?? "redis://127.0.0.1:6379", async () => {
 *   const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0 });
 *   try { await client.connect(); await client.ping(); } finally { client.disconnect(); }
 * });
 * describe.skipIf(!up)("RedisSaver", () => { ... });
 * ```
 */
export async function serviceAvailable(
  name: string,
  where: string,
  probe: () => Promise<void>,
): Promise<boolean> {
  try {
    await probe();
    return true;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (process.env.REQUIRE_SERVICES === "1") {
      throw new Error(
        `${name} at ${redact(where)} is required (REQUIRE_SERVICES=1) but did not answer: ${reason}`,
        { cause: err },
      );
    }
    const line = "!".repeat(78);
    console.warn(
      `\n${line}\n!! SKIPPING ${name} tests: ${name} at ${redact(where)} did not answer (${reason}).\n` +
        `!! Start it, or set its URL; with REQUIRE_SERVICES=1 this is a failure.\n${line}\n`,
    );
    return false;
  }
}

/**
 * A connection URL with any password replaced by `***`.
 *
 * @example
 * ```ts
 * redact("postgres://app:secret@db:5432/app"); // "postgres://app:***@db:5432/app"
 * ```
 */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, "$1***@");
}
