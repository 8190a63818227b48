#!/usr/bin/env node
// Run by `npm run deploy*` before anything is deployed: every secret a Worker's config lists under
// `secrets.required` must already be set for that environment. `wrangler deploy` refuses a Worker
// whose required secret is missing, and it would do so only after the Data Worker was deployed:
// half a deployment. Usage: node scripts/check-secrets.mjs [--env staging|production]
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import { CONFIGS, block } from "./wrangler-config.mjs";

const { values } = parseArgs({ options: { env: { type: "string", default: "" } } });
const env = values.env;
const envArgs = env ? ["--env", env] : [];
const where = env ? `env.${env}` : "the top level";
let missing = 0;

for (const path of Object.values(CONFIGS)) {
  const config = block(path, env);
  const required = config.secrets?.required ?? block(path, "").secrets?.required ?? [];
  if (required.length === 0) continue;
  const listed = spawnSync("wrangler", ["secret", "list", "-c", path, ...envArgs, "--format", "json"], {
    encoding: "utf8",
    shell: process.platform === "win32",
  });
  let names = [];
  if (listed.status === 0) {
    try {
      names = JSON.parse(listed.stdout).map((secret) => secret.name);
    } catch {
      names = [];
    }
  }
  for (const name of required.filter((secret) => !names.includes(secret))) {
    missing++;
    console.error(
      `${path}: secret ${name} is not set for ${where}; run ` +
        `\`npx wrangler secret put ${name} -c ${path}${env ? ` --env ${env}` : ""}\` ` +
        "(in CI: `wrangler deploy --secrets-file`), then deploy again",
    );
  }
}
if (missing > 0) {
  console.error("nothing was deployed");
  process.exit(1);
}
console.log(`secrets: every required secret is set for ${where}`);
