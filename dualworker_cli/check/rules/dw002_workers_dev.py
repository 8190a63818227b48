"""DW002: the Data Worker's workers.dev URL is not explicitly disabled."""

from __future__ import annotations

import json
from collections.abc import Iterator

from dualworker_cli.check.model import Finding, Fix, Project, Rule, Severity, Worker
from dualworker_cli.check.rules.common import where

KEY = "workers_dev"
URL_KIND = "a public *.workers.dev URL"


def flag_not_false(rule: Rule, worker: Worker, key: str, what: str) -> Iterator[Finding]:
    """Top level must say ``key: false``; an env block may inherit it but must not override it.

    Shared by DW002 and DW003 (both keys are inherited by `env` blocks).
    """
    config = worker.config
    top = config.data.get(key)
    if top is not False:
        state = "is missing" if key not in config.data else f"is {json.dumps(top)}"
        fix = Fix(f"set {key}: false", config, "set", (), False, key)
        at = (key,) if key in config.data else ("name",)
        yield rule.at(config, at, f"backend Worker `{worker.label}`: `{key}` {state}, so it gets {what}", fix)
    for prefix, block in worker.blocks()[1:]:
        if key in block and block[key] is not False:
            fix = Fix(f"set {where(prefix)}.{key}: false", config, "set", prefix, False, key)
            yield rule.at(
                config,
                (*prefix, key),
                f"backend Worker `{worker.label}`: {where(prefix)} sets `{key}` to {json.dumps(block[key])}, "
                f"giving it {what}",
                fix,
            )


def check(project: Project) -> Iterator[Finding]:
    for backend in project.backends:
        yield from flag_not_false(RULE, backend, KEY, URL_KIND)


RULE = Rule(
    id="DW002",
    name="backend-workers-dev",
    title="Data Worker's workers.dev URL is not disabled",
    severity=Severity.ERROR,
    what='Flags a Data Worker whose config does not say `"workers_dev": false` at the top level, or '
    "whose `env` block turns it back on.",
    why="Without routes, Wrangler deploys a Worker to `<name>.<account>.workers.dev` unless "
    "`workers_dev` is `false`; turning the URL off in the dashboard is undone by the next deploy. The "
    "URL reaches the Data Worker directly, so anybody can call the internal API with any `X-User-Id`.",
    example='// apps/data-service/wrangler.jsonc\n{ "name": "my-data-worker", "main": "src/index.ts" }',
    fix='Add `"workers_dev": false` at the top level (env blocks inherit it). `dualworker check --fix` '
    "does this in place.",
    fixable=True,
    hint='Set "workers_dev": false',
    check=check,
)
