/**
 * The PostgreSQL schema is generated from the SQLite one (src/db/pg-schema-source.ts): it must be up to date, have a
 * twin for every table and column, and its committed migrations (drizzle/pg/) must build exactly those tables.
 */
import { readFileSync } from "node:fs";
import { is } from "drizzle-orm";
import { getTableConfig as pgConfig, PgTable } from "drizzle-orm/pg-core";
import { getTableConfig as sqliteConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formattedPgSchema, PG_SCHEMA_FILE } from "../../src/db/pg-schema-source.ts";
import * as pgSchema from "../../src/db/pg-schema.ts";
import { openPostgres, type PgDb } from "../../src/db/postgres.ts";
import * as sqliteSchema from "../../src/db/schema.ts";
import { describePostgres, openFreshPostgres } from "../helpers/postgres.ts";

const sqliteTables = (Object.values(sqliteSchema) as unknown[]).filter((t): t is SQLiteTable => is(t, SQLiteTable));
const pgTables = (Object.values(pgSchema) as unknown[]).filter((t): t is PgTable => is(t, PgTable));

interface ColumnShape {
  name: string;
  columnType: string;
  notNull: boolean;
  primary: boolean;
}

/** table → "column:type:null|not null" lines, with each dialect's column types named as the generator maps them. */
function shapeOf(tables: { name: string; columns: ColumnShape[] }[]): Record<string, string[]> {
  const typeOf = (columnType: string) =>
    /Boolean$/.test(columnType) ? "boolean" : /Text$/.test(columnType) ? "text" : "bigint";
  return Object.fromEntries(
    tables.map((t) => [
      t.name,
      t.columns.map((c) => `${c.name}:${typeOf(c.columnType)}:${c.notNull || c.primary ? "not null" : "null"}`).sort(),
    ]),
  );
}

describe("the PostgreSQL schema", () => {
  it("is what npm run db:generate makes of src/db/schema.ts today (run it after changing the schema)", async () => {
    expect(readFileSync(PG_SCHEMA_FILE, "utf8")).toBe(await formattedPgSchema());
  });

  it("has every SQLite table, with the same columns, types mapped and nullability kept, and the same indexes", () => {
    const pgShape = shapeOf(pgTables.map((t) => pgConfig(t)));
    expect(Object.keys(pgShape).length).toBeGreaterThanOrEqual(35);
    expect(pgShape).toEqual(shapeOf(sqliteTables.map((t) => sqliteConfig(t))));
    const indexes = (tables: { config: { name?: string; unique: boolean } }[][]) =>
      tables.flat().map((i) => `${i.config.name}:${i.config.unique}`);
    expect(indexes(pgTables.map((t) => pgConfig(t).indexes)).sort()).toEqual(
      indexes(sqliteTables.map((t) => sqliteConfig(t).indexes)).sort(),
    );
  });
});

describePostgres("the PostgreSQL migrations (drizzle/pg)", () => {
  let db: PgDb;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => ({ db, close } = await openFreshPostgres()));
  afterAll(() => close?.());

  it("build exactly the generated schema's tables and columns, and applying them twice changes nothing", async () => {
    const { rows } = await db.$client.query<{ table_name: string; column_name: string; data_type: string }>(
      "select table_name, column_name, data_type from information_schema.columns where table_schema = 'public'",
    );
    const built: Record<string, string[]> = {};
    for (const row of rows) {
      const type = row.data_type === "boolean" ? "boolean" : row.data_type === "text" ? "text" : row.data_type;
      (built[row.table_name] ??= []).push(`${row.column_name}:${type}`);
    }
    const expected = Object.fromEntries(
      pgTables.map((t) => {
        const config = pgConfig(t);
        return [
          config.name,
          config.columns.map((c) => `${c.name}:${c.columnType === "PgBigInt53" ? "bigint" : c.getSQLType()}`),
        ];
      }),
    );
    for (const columns of [...Object.values(built), ...Object.values(expected)]) columns.sort();
    expect(built).toEqual(expected);
    // A second start on the same database applies nothing and fails nothing.
    const again = await openPostgres(db.$client.options.connectionString as string);
    await again.$client.end();
  });

  it("keeps the rule that makes double booking impossible (the partial unique index)", async () => {
    const values = (id: number, status: string) =>
      `(${id}, 1, 7, 'health', 'phone', 1000, 2000, 'self', 'km', '${status}', 0, 0)`;
    const insert = (id: number, status: string) =>
      db.$client.query(
        "insert into appointments (id, chat_id, counsellor_id, topic, site, starts_at, ends_at, for_whom, locale, " +
          `status, created_at, updated_at) values ${values(id, status)}`,
      );
    await insert(1, "cancelled");
    await insert(2, "booked");
    await expect(insert(3, "booked")).rejects.toThrow(/appointments_counsellor_slot/);
  });
});
