"""DW001: the Data Worker has routes or custom domains."""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatchcase

from dualworker_cli.check.model import Finding, Project, Rule, Severity
from dualworker_cli.check.rules.common import NOT_RELYING, route_entries, where


def check(project: Project) -> Iterator[Finding]:
    allowed = project.settings.public_routes
    for backend in project.mine(project.backends):
        for prefix, block in backend.blocks():
            for rel, pattern, custom in route_entries(block):
                if any(pattern == a or fnmatchcase(pattern, a) for a in allowed):
                    continue
                from dualworker_cli.check.backend_analysis import relies_in_env

                if not relies_in_env(project, backend, str(prefix[1]) if prefix else None):
                    break  # it authenticates requests itself, or no front forwards to its fetch
                kind = "custom domain" if custom else "route"
                yield RULE.at(
                    backend.config,
                    (*prefix, *rel),
                    f"backend Worker `{backend.label}` has the {kind} `{pattern}` ({where(prefix)}): it "
                    "answers requests from the internet, bypassing the User Worker's auth",
                )


RULE = Rule(
    id="DW001",
    name="backend-has-routes",
    title="Data Worker has public routes or custom domains",
    severity=Severity.ERROR,
    what="Flags `routes`, `route` and custom domains in the Data Worker's config (top level and every "
    "`env` block), unless `dualworker.toml` lists the pattern in `[backend] public_routes`." + NOT_RELYING,
    why="The Data Worker trusts the identity header because only the User Worker can call it. A route "
    "or custom domain makes its default export callable from the internet, where anybody can send "
    "`X-User-Id: <victim>`. `routes` and `route` are `@inheritable` (cloudflare/workers-sdk "
    "`packages/workers-utils/src/config/environment.ts`; `validateRoutes` in `validation.ts`), so a "
    "top-level route is deployed by every env block that does not say `routes: []`; it is reported "
    "once, at the top level. A route also turns the workers.dev URL off by default (see DW002).",
    example='// apps/data-service/wrangler.jsonc\n"routes": [{ "pattern": "api.example.com/*", '
    '"zone_name": "example.com" }]',
    fix="Remove the route: the User Worker reaches the Data Worker through its service binding. If a "
    "public feature really needs a route (for example link redirects), serve only that feature from "
    "the default export, keep the internal API on a named entrypoint, and declare the pattern in "
    '`dualworker.toml`: `public_routes = ["go.example.com/*"]`.',
    hint="Remove the route, or declare it in [backend] public_routes",
    check=check,
    sharded=True,
)
