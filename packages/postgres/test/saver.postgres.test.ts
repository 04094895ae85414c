import { afterAll, beforeAll, describe } from "vitest";
import { PostgresSaver, type PostgresSaverOptions } from "../src/index.js";
import { describeDamageCases } from "./damage-cases.js";
import { client, postgresUp, randomName } from "./fixtures.js";
import { describeRetentionCases, type IsolatedSchema } from "./retention-cases.js";
import { type CaseContext, describeSaverCases } from "./saver-cases.js";
import { describeSweepCases } from "./sweep-cases.js";
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

  // Retention sweeps every thread of its schema: each case gets a schema of
  // its own, and each saver a connection of its own (as another process).
  const retention = {
    isolated: async (): Promise<IsolatedSchema> => {
      const name = randomName("sp_retention");
      const opened: { saver: PostgresSaver; sql: ReturnType<typeof client> }[] = [];
      return {
        schema: `"${name}"`,
        make: (options?: PostgresSaverOptions) => {
          const own = client({ max: 4 });
          const made = new PostgresSaver(own, { ...options, schema: name });
          opened.push({ saver: made, sql: own });
          return made;
        },
        raw: async (text, params = []) => [...(await sql.unsafe(text, params as never[]))],
        hold: async (fn) => {
          const own = client({ max: 1 });
          try {
            return (await own.begin((tx) =>
              fn(async (text, params = []) => [...(await tx.unsafe(text, params as never[]))]),
            )) as Awaited<ReturnType<typeof fn>>;
          } finally {
            await own.end();
          }
        },
        destroy: async () => {
          for (const { saver: made, sql: own } of opened) {
            await made.close();
            await own.end();
          }
          await sql.unsafe(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
        },
      };
    },
  };

  describeRetentionCases("Postgres", retention);
  describeSweepCases("Postgres", retention);
});
