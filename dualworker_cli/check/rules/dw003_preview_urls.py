"""DW003: the Data Worker gets preview (version) URLs (explicitly, inherited, or by default)."""

from __future__ import annotations

from collections.abc import Iterator

from dualworker_cli.check.model import Finding, Project, Rule, Severity
from dualworker_cli.check.rules.common import NOT_RELYING, flag_public_subdomain


def check(project: Project) -> Iterator[Finding]:
    for backend in project.mine(project.backends):
        yield from flag_public_subdomain(
            RULE, project, backend, "preview_urls", "public preview (version) URLs"
        )


RULE = Rule(
    id="DW003",
    name="backend-preview-urls",
    title="Data Worker has preview URLs",
    severity=Severity.ERROR,
    what="For the top level and every `env` block of the Data Worker, decides whether versions get "
    "public preview URLs and flags it when they do: `preview_urls: true` (own or inherited), or no "
    "`preview_urls` where the deploying Wrangler's default turns them on. That default depends on the "
    "release (the one the lockfile installs, else what a fresh install of `package.json`'s range gets; "
    "the newest when neither says): before 3.91 there is no setting and preview URLs follow the resolved "
    "`workers_dev`; 3.91-4.33 default to on, even with `workers_dev = false` or routes; 4.34-4.43 "
    "default to off; since 4.44 an unset `preview_urls` follows the resolved `workers_dev`, so routes "
    "or custom domains (which turn workers.dev off by default) turn preview URLs off too. A Worker that "
    "implements a Durable Object gets no preview URLs. Error or warning as for DW002." + NOT_RELYING,
    why="Every uploaded version can get `<version>-<name>.<account>.workers.dev`, which reaches the default "
    "export like the workers.dev URL does. The defaults come from cloudflare/workers-sdk "
    '`packages/wrangler/CHANGELOG.md`: 3.91.0 (#7227, "Add `preview_urls` toggle": "defaults to true, '
    'and does not implicitly depend on routes the way `workers_dev` does"), 4.34.0 (#10478, "preview_urls '
    'is now disabled by default"), 4.44.0 (#10939, "Config `preview_urls` defaults to `workers_dev` '
    'value"); since then Wrangler sends `preview_urls` only when the config sets it and the API follows '
    "workers.dev (`packages/deploy-helpers/src/triggers/deploy.ts`, `getSubdomainValues` and "
    "`getSubdomainValuesAPIMock`). `preview_urls` is `@inheritable` "
    "(`packages/workers-utils/src/config/environment.ts`).",
    example='// apps/data-service/wrangler.jsonc\n{ "name": "my-data-worker", "workers_dev": true }',
    fix='Add `"preview_urls": false` at the top level. `dualworker check --fix` does this in place.',
    fixable=True,
    hint='Set "preview_urls": false',
    check=check,
    sharded=True,
)
