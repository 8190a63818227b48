"""DW013: the two Workers' compatibility dates are missing or different."""

from __future__ import annotations

import json
from collections.abc import Iterator

from dualworker_cli.check.model import Finding, Project, Rule, Severity


def check(project: Project) -> Iterator[Finding]:
    reported: set[int] = set()
    compared: set[tuple[int, int]] = set()
    for pair in project.pairs:
        for worker in (pair.front, pair.backend):
            # a Pages project deploys without one; a config with neither `main` nor `assets` is
            # no Worker `wrangler deploy` could send out (the bindings of a framework's dev proxy)
            data = worker.config.data
            deployable = worker.main is not None or "assets" in data
            if (
                "compatibility_date" not in data
                and deployable
                and not worker.pages
                and id(worker) not in reported
            ):
                reported.add(id(worker))
                yield RULE.at(
                    worker.config,
                    ("name",),
                    f"`{worker.label}` has no `compatibility_date`: Wrangler refuses to deploy it",
                )
        front_date = pair.front.config.data.get("compatibility_date")
        back_date = pair.backend.config.data.get("compatibility_date")
        if (id(pair.front), id(pair.backend)) in compared:
            continue  # a second binding between the same two Workers
        compared.add((id(pair.front), id(pair.backend)))
        if front_date and back_date and front_date != back_date and not pair.front.pages:
            # a Pages project's date follows its Pages deployment, not the Worker it calls
            yield RULE.at(
                pair.front.config,
                ("compatibility_date",),
                f"compatibility_date {json.dumps(front_date)} differs from the backend's "
                f"{json.dumps(back_date)} (`{pair.backend.label}`): the two Workers run different runtime "
                "semantics",
            )


RULE = Rule(
    id="DW013",
    name="compatibility-date-mismatch",
    title="Compatibility dates missing or different",
    severity=Severity.WARNING,
    what="Flags a front or backend Worker without `compatibility_date`, and a pair whose dates differ. "
    "A Pages project (`pages_build_output_dir`, or no `main` beside a `functions/` folder) dates its "
    "Functions by its Pages deployment and is not compared; a config with neither `main` nor `assets` "
    "(the bindings a framework's dev proxy reads) is no Worker `wrangler deploy` sends out: no date "
    "needed.",
    why="The compatibility date selects runtime behaviour (header handling, streams, Node APIs). Two "
    "Workers that pass requests to each other should agree on it, or a request that works in one "
    "behaves differently in the other; without a date Wrangler will not deploy.",
    example='// user: "compatibility_date": "2026-11-01"\n// data: "compatibility_date": "2024-01-15"',
    fix="Set the same `compatibility_date` in both configs and move them forward together.",
    hint="Use one compatibility_date in both configs",
    check=check,
)
