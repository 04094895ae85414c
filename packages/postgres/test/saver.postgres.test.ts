import { afterAll, beforeAll, describe } from "vitest";
import { PostgresSaver, type PostgresSaverOptions } from "../src/index.js";
import { describeDamageCases } from "./damage-cases.js";
import { client, postgresUp, randomName } from "./fixtures.js";
import { type CaseContext, describeSaverCases } from "./saver-cases.js";
import { describeThreadRecordCases } from "./thread-record-cases.js";

// Each test file works in its own schema on the shared server and drops it after.
const schema = randomName("sp_saver");
let sql: ReturnType<typeof client>;
let counted: ReturnType<typeof client>;
let saver: PostgresSaver;
let statements = 0;

describe.skipIf(!postgresUp)("Postgres server", () => {
  beforeAll(async () => {
    sql = client();
    counted = client({ debug: () => statements++ });
    saver = new PostgresSaver(counted, { schema });
    await saver.setup();
  });

  afterAll(async () => {
    await saver?.close();
    await sql?.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await counted?.end();
    await sql?.end();
  });

  const context: CaseContext = {
    saver: () => saver,
    queries: () => statements,
    make: (options?: PostgresSaverOptions) => new PostgresSaver(sql, { schema, ...options }),
    raw: async (text, params = []) => [...(await sql.unsafe(text, params as never[]))],
    schema: () => `"${schema}"`,
  };

  describeSaverCases("Postgres", context);
  describeDamageCases("Postgres", context);
  describeThreadRecordCases("Postgres", context);
});
