#!/usr/bin/env node
// Runs `dualworker check` (the security-checklist linter) with the dualworker release that
// generated this project, whether or not it is installed:
//
//   npm run check:security                       # table output, exit 1 on errors
//   npm run check:security -- --format github    # any `dualworker check` option
//
// The version comes from .copier-answers.yml (`_commit`, moved by `dualworker update`), installed
// from its git tag at `_src_path` (the canonical repository when that is a local path) and run
// by `pipx run --spec ...`, so it needs Python's pipx but no PyPI release. DUALWORKER_SPEC
// overrides what is installed: a pip requirement such as `dualworker==0.2.0`, or a local checkout.
// With dualworker already installed, plain `dualworker check` does the same.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";

const CANONICAL = "https://github.com/dualworker/dualworker.git";
const ANSWERS = new URL("../.copier-answers.yml", import.meta.url);
const ROOT = new URL("..", import.meta.url);

/** A top-level `key: value` of the answers file (Copier writes one per line). */
function answer(text, key) {
  const line = text.split(/\r?\n/).find((l) => l.startsWith(`${key}:`));
  return line?.slice(key.length + 1).trim().replace(/^(['"])(.*)\1$/, "$2") || undefined;
}

function dualworkerSpec() {
  if (process.env.DUALWORKER_SPEC) return process.env.DUALWORKER_SPEC;
  const answersText = existsSync(ANSWERS) ? readFileSync(ANSWERS, "utf8") : "";
  const ref = answer(answersText, "_commit");
  if (!ref) {
    throw new Error(
      ".copier-answers.yml records no template version (_commit): set DUALWORKER_SPEC " +
        "(e.g. DUALWORKER_SPEC='dualworker==0.1.0') or run `dualworker check` yourself",
    );
  }
  const source = answer(answersText, "_src_path") ?? "";
  const repo = /^https:\/\//.test(source) ? source : CANONICAL;
  // A source checkout records `git describe` (v0.1.0-3-g1a2b3c4): install its commit.
  const rev = ref.match(/-\d+-g([0-9a-f]{7,40})$/)?.[1] ?? ref;
  return `git+${repo}@${rev}`;
}

let spec;
try {
  spec = dualworkerSpec();
} catch (err) {
  console.error(err.message);
  process.exit(2);
}
console.error(`dualworker check, from ${spec}`);
const run = spawnSync("pipx", ["run", "--spec", spec, "dualworker", "check", ...process.argv.slice(2)], {
  cwd: ROOT,
  stdio: "inherit",
  shell: process.platform === "win32",
});
if (run.error) {
  console.error(
    `could not run pipx (${run.error.message}): install it (https://pipx.pypa.io), ` +
      `or install dualworker (pip install '${spec}') and run \`dualworker check\``,
  );
  process.exit(2);
}
process.exit(run.status ?? 1);
