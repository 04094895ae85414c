// Runs the Postgres benchmark on its own:
//   cd bench && npx tsx --conditions=@savepoint/source src/postgres-main.ts
import { benchPostgres } from "./postgres.js";

await benchPostgres();
