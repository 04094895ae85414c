// A store of its own on a SQL backend (OpenBackend.storeOfItsOwn): a
// PostgresSaver on a schema beside the main one, on the same connection.
// The schema is dropped first, so a run that died leaves nothing behind the
// next one, and dropped again by `drop`.
import { PostgresSaver } from "@savepoint/postgres";
import { SCHEMA } from "../services.js";
import type { OwnStore } from "../threads.js";

/** `exec` runs one statement on `db`: postgres.js's `unsafe` or PGlite's `exec`. */
export async function schemaStore(
  db: ConstructorParameters<typeof PostgresSaver>[0],
  exec: (statement: string) => Promise<unknown>,
  name: string,
): Promise<OwnStore> {
  const schema = `${SCHEMA}_${name}`;
  await exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  const saver = new PostgresSaver(db, { schema });
  await saver.setup();
  return {
    saver,
    drop: async () => {
      await saver.close();
      await exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    },
  };
}
