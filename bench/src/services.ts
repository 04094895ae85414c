// Where the services are, and the names a benchmark run may own on them:
// schemas `savepoint_bench*` on the Postgres server (and PGlite), keys
// `savepoint_bench:*` on Redis. Each run cleans them first.
export const DATABASE_URL = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
export const SCHEMA = "savepoint_bench";
export const LG_SCHEMA = "savepoint_bench_langgraph";
export const PREFIX = "savepoint_bench";

export function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
}
