"""DW003: the Data Worker gets preview (version) URLs (explicitly, inherited, or by default)."""

from __future__ import annotations

from collections.abc import Iterator

from dualworker_cli.check.model import Finding, Project, Rule, Severity
from dualworker_cli.check.rules.common import flag_public_subdomain


def check(project: Project) -> Iterator[Finding]:
    for backend in project.backends:
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
    "`preview_urls` where Wrangler's default turns them on. Since wrangler 4.44 an unset `preview_urls` "
    "follows the resolved `workers_dev` (so routes turn both off); a project pinning an older Wrangler "
    "in `package.json` gets that release's default (on before 4.34, off in 4.34-4.43). Error or "
    "warning as for DW002.",
    why="Every uploaded version can get `<version>-<name>.<account>.workers.dev`, which reaches the default "
    "export like the workers.dev URL does. Wrangler sends `preview_urls` only when the config sets it "
    "and lets the API default it to the workers.dev state (cloudflare/workers-sdk "
    "`packages/deploy-helpers/src/triggers/deploy.ts`, `getSubdomainValues` and "
    '`getSubdomainValuesAPIMock`; workers-sdk #10939, "Config `preview_urls` defaults to `workers_dev` '
    'value"); `preview_urls` is `@inheritable` (`packages/workers-utils/src/config/environment.ts`).',
    example='// apps/data-service/wrangler.jsonc\n{ "name": "my-data-worker", "workers_dev": true }',
    fix='Add `"preview_urls": false` at the top level. `dualworker check --fix` does this in place.',
    fixable=True,
    hint='Set "preview_urls": false',
    check=check,
)
