import { randomBytes } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import { serviceAvailable } from "@savepoint/conformance";
import postgres from "postgres";

/** The real server the tests use (trust auth on the dev and CI machines). */
export const DATABASE_URL = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

/** True when the server answers; otherwise its tests skip loudly (or fail with REQUIRE_SERVICES=1). */
export const postgresUp = await serviceAvailable("Postgres", DATABASE_URL, async () => {
  const sql = postgres(DATABASE_URL, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1`;
  } finally {
    await sql.end({ timeout: 1 });
  }
});

/** A random name for a per-file schema or thread, so runs never collide. */
export function randomName(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString("hex")}`;
}

/** A postgres.js client that stays quiet about notices. */
export function client(options: Parameters<typeof postgres>[1] = {}) {
  return postgres(DATABASE_URL, { onnotice: () => {}, ...options });
}

/** One in-memory PGlite; PGlite takes seconds to start, so share one per file. */
export async function pglite(): Promise<PGlite> {
  return PGlite.create();
}
