"""DW012: the internal API is served from the default export of a publicly reachable backend."""

from __future__ import annotations

from collections.abc import Iterator

from dualworker_cli.check.analysis import default_export_routes
from dualworker_cli.check.model import Finding, Project, Rule, Severity
from dualworker_cli.check.rules.common import publicly_reachable
from dualworker_cli.check.rules.dw010_classes import exported_names


def check(project: Project) -> Iterator[Finding]:
    served: set[int] = set()
    for pair in project.pairs:
        found = pair.binding_entry(pair.front.config.data)
        if found is None:
            continue  # DW004 reports the missing binding
        index, entry = found
        entrypoint = entry.get("entrypoint")
        config = pair.front.config
        if not isinstance(entrypoint, str):
            reasons = publicly_reachable(pair.backend)
            if reasons:
                yield RULE.at(
                    config,
                    ("services", index),
                    f"`{pair.binding}` calls the default export of `{pair.backend.label}`, which is also "
                    f"reachable publicly ({', '.join(reasons)}): the internal API is exposed there too",
                )
            continue
        exports = exported_names(project, pair.backend)
        if exports is not None and entrypoint not in exports:
            yield RULE.at(
                config,
                ("services", index, "entrypoint"),
                f"`{pair.binding}` uses entrypoint `{entrypoint}`, but "
                f"`{pair.backend.config.data.get('main')}` of `{pair.backend.label}` does not export it",
            )
        reasons = publicly_reachable(pair.backend)
        main = pair.backend.main
        if id(pair.backend) in served:
            continue  # already reported through another binding to the same backend
        served.add(id(pair.backend))
        if reasons and main is not None:
            report = default_export_routes(project, main, project.settings.api_prefix)
            if report is not None:
                line, col = report.module.position(report.node)
                shown = ", ".join(report.paths[:3]) + (" ..." if len(report.paths) > 3 else "")
                yield RULE.at_pos(
                    report.module.rel,
                    line,
                    col,
                    f"the default export of `{pair.backend.label}` serves internal routes ({shown}) and "
                    f"the Worker is reachable publicly ({', '.join(reasons)}): anyone can call them with any "
                    f"`{project.settings.identity_header}`",
                )


RULE = Rule(
    id="DW012",
    name="internal-api-on-default-export",
    title="Internal API served from the default export of a reachable backend",
    severity=Severity.ERROR,
    what="Flags a service binding without `entrypoint` to a Data Worker that is reachable from the "
    "internet (workers.dev, preview URLs or routes); an `entrypoint` that the Data Worker's `main` "
    "does not export; and, for a reachable Data Worker, a default export that serves routes under the "
    "API prefix (its Hono app, or an app mounted on it, is the export or is used by it).",
    why="Public URLs only ever reach a Worker's default export. When the internal API lives on a named "
    "`WorkerEntrypoint` class and the binding names it, a route kept for a public feature, or a "
    "workers.dev URL switched on by mistake, exposes nothing internal.",
    example='"services": [{ "binding": "BACKEND_SERVICE", "service": "my-data" }]  // default export',
    fix="Serve the internal API from `export class InternalApi extends WorkerEntrypoint { fetch(req) { "
    'return app.fetch(req, this.env, this.ctx) } }` and bind it with `"entrypoint": "InternalApi"`; '
    "let the default export answer 404 (or only the public feature).",
    hint='Serve the API from a WorkerEntrypoint and bind it with "entrypoint"',
    check=check,
)
