"""DW002: the Data Worker gets a workers.dev URL (explicitly, inherited, or by Wrangler's default)."""

from __future__ import annotations

from collections.abc import Iterator

from dualworker_cli.check.model import Finding, Project, Rule, Severity
from dualworker_cli.check.rules.common import NOT_RELYING, flag_public_subdomain

KEY = "workers_dev"
URL_KIND = "a public *.workers.dev URL"


def check(project: Project) -> Iterator[Finding]:
    for backend in project.mine(project.backends):
        yield from flag_public_subdomain(RULE, project, backend, KEY, URL_KIND)


RULE = Rule(
    id="DW002",
    name="backend-workers-dev",
    title="Data Worker has a workers.dev URL",
    severity=Severity.ERROR,
    what="For the top level and every `env` block of the Data Worker, decides whether `wrangler deploy` "
    "gives it a `*.workers.dev` URL the way Wrangler does, and flags it when it does: "
    "`workers_dev: true` (own or inherited from the top level), or no `workers_dev` and no "
    "`routes`/`route`/custom domain in effect (an env block inherits the top level's routes unless it "
    "says `routes: []`). An error when a service binding without `entrypoint` calls that environment's "
    "default export (what the front forwards is then public); a warning when every binding names an "
    "entrypoint, since the URL reaches only the default export (DW012 reads it for internal routes)."
    + NOT_RELYING,
    why="Wrangler resolves `workers_dev ?? routes.length === 0` "
    "(cloudflare/workers-sdk `packages/deploy-helpers/src/triggers/deploy.ts`, `getSubdomainValues`; "
    "`packages/wrangler/src/triggers/deploy.ts` in older releases), and `workers_dev`, `routes` and "
    "`route` are `@inheritable` (`packages/workers-utils/src/config/environment.ts`, `inheritable()` in "
    "`validation-helpers.ts`). So a Worker without routes is deployed to `<name>.<account>.workers.dev` "
    "unless it says `workers_dev: false`, and a dashboard toggle is undone by the next deploy. That URL "
    "reaches the default export's `fetch` (never RPC methods or named entrypoints): when the default "
    "export serves the internal API, anybody can call it with any identity header.",
    example='// apps/data-service/wrangler.jsonc\n{ "name": "my-data-worker", "main": "src/index.ts" }',
    fix='Add `"workers_dev": false` at the top level (env blocks inherit it). `dualworker check --fix` '
    "does this in place. Serve the internal API from a named `WorkerEntrypoint` so a public URL never "
    "reaches it.",
    fixable=True,
    hint='Set "workers_dev": false',
    check=check,
    sharded=True,
)
