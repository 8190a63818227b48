// Runs before each test file: create the D1 tables from ../migrations, then add the local demo rows
// of ../seeds/local.sql (the same ones `npm run dev` sees; migrations hold no data).
import { applyD1Migrations, type D1Migration } from "cloudflare:test";
import { env } from "cloudflare:workers";

const { TEST_MIGRATIONS, TEST_SEED } = env as unknown as { TEST_MIGRATIONS: D1Migration[]; TEST_SEED: string };
await applyD1Migrations(env.DB, TEST_MIGRATIONS);
const statements = TEST_SEED.split(/;\s*$/m)
  .map((sql) => sql.replace(/^\s*--.*$/gm, "").trim())
  .filter(Boolean);
await env.DB.batch(statements.map((sql) => env.DB.prepare(sql)));
