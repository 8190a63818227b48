"""DW003: the Data Worker's preview URLs are not explicitly disabled."""

from __future__ import annotations

from collections.abc import Iterator

from dualworker_cli.check.model import Finding, Project, Rule, Severity
from dualworker_cli.check.rules.dw002_workers_dev import flag_not_false


def check(project: Project) -> Iterator[Finding]:
    for backend in project.backends:
        yield from flag_not_false(RULE, backend, "preview_urls", "public preview (version) URLs")


RULE = Rule(
    id="DW003",
    name="backend-preview-urls",
    title="Data Worker's preview URLs are not disabled",
    severity=Severity.ERROR,
    what='Flags a Data Worker without `"preview_urls": false` at the top level, or an `env` block '
    "that turns preview URLs back on.",
    why="Every uploaded version of a Worker can get a public preview URL "
    "(`<version>-<name>.<account>.workers.dev`). Like the workers.dev URL it bypasses the User Worker, "
    "and the Data Worker would believe any `X-User-Id` sent to it.",
    example='// apps/data-service/wrangler.jsonc\n{ "name": "my-data-worker", "workers_dev": false }',
    fix='Add `"preview_urls": false` at the top level. `dualworker check --fix` does this in place.',
    fixable=True,
    hint='Set "preview_urls": false',
    check=check,
)
