"""DW004: the front's service binding to the backend is missing or points at the wrong Worker."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from dualworker_cli.check.model import Finding, Fix, Pair, Project, Rule, Severity
from dualworker_cli.check.rules.common import where


def _expected(pair: Pair, env: str | None) -> str | None:
    """The backend Worker name a binding in ``env`` must target (None: cannot tell)."""
    backend = pair.backend
    if env is None:
        return backend.name
    if env in backend.envs:
        return backend.env_worker_name(env)
    return None


def _check_env(project: Project, pair: Pair, env: str, top: dict[str, Any] | None) -> Iterator[Finding]:
    front, config = pair.front, pair.front.config
    prefix = ("env", env)
    block = front.envs[env]
    expected = _expected(pair, env)
    found = pair.binding_entry(block)
    if found is None:
        fix = None
        if expected is not None:
            value: dict[str, Any] = {"binding": pair.binding, "service": expected}
            if top is not None and isinstance(top.get("entrypoint"), str):
                value["entrypoint"] = top["entrypoint"]
            fix = Fix(
                f"add the {pair.binding} binding to {where(prefix)}",
                config,
                "append",
                (*prefix, "services"),
                value,
            )
        target = f" (to `{expected}`)" if expected else ""
        yield RULE.at(
            config,
            (*prefix, "services") if "services" in block else prefix,
            f"{where(prefix)} has no `{pair.binding}` service binding{target}: `services` are not "
            "inherited from the top level, so this environment cannot reach the backend",
            fix,
        )
        return
    index, entry = found
    service = entry.get("service")
    keypath = (*prefix, "services", index, "service")
    if expected is not None and service != expected:
        owner = project.names.get(service) if isinstance(service, str) else None
        other = f" (the {owner[1] or 'top-level'} Worker)" if owner and owner[0] is pair.backend else ""
        yield RULE.at(
            config,
            keypath,
            f"{where(prefix)}: `{pair.binding}` points to `{service}`{other}, "
            f"expected `{expected}`; this environment would call another environment's backend",
        )
    elif expected is None and isinstance(service, str) and service in project.names:
        owner_worker, owner_env = project.names[service]
        if owner_worker is pair.backend and owner_env is not None and owner_env != env:
            yield RULE.at(
                config,
                keypath,
                f"{where(prefix)}: `{pair.binding}` points to `{service}`, the {owner_env} backend",
            )
    if (
        top is not None
        and isinstance(top.get("entrypoint"), str)
        and entry.get("entrypoint") != top["entrypoint"]
    ):
        yield RULE.at(
            config,
            (*prefix, "services", index),
            f"{where(prefix)}: `{pair.binding}` lacks the entrypoint {json.dumps(top['entrypoint'])} that "
            "the top level uses, so this environment calls the backend's default export",
        )


def check(project: Project) -> Iterator[Finding]:
    seen: set[tuple[str, int, int]] = set()
    for finding in _pair_findings(project):
        seen.add((finding.path, finding.line, finding.col))
        yield finding
    if project.mode != "discovered":
        return
    for worker in project.workers:  # every binding of every config must name a known Worker
        for prefix, block in worker.blocks():
            for index, entry in worker.services(block):
                service = entry.get("service")
                if not isinstance(service, str) or service in project.names:
                    continue
                finding = RULE.at(
                    worker.config,
                    (*prefix, "services", index, "service"),
                    f"`{entry.get('binding')}` ({where(prefix)}) of `{worker.label}` binds `{service}`, a "
                    "Worker no config in this project defines (a typo, or a Worker deployed from elsewhere)",
                )
                if (finding.path, finding.line, finding.col) not in seen:
                    yield finding


def _pair_findings(project: Project) -> Iterator[Finding]:
    for pair in project.pairs:
        front, config = pair.front, pair.front.config
        found = pair.binding_entry(config.data)
        top_entry = found[1] if found else None
        if found is None:
            others = [e.get("binding") for _, e in front.services(config.data)]
            hint = f" (it has: {', '.join(map(str, others))})" if others else ""
            yield RULE.at(
                config,
                ("services",) if "services" in config.data else ("name",),
                f"front Worker `{front.label}` has no `{pair.binding}` service binding to "
                f"`{pair.backend.label}`{hint}",
            )
        else:
            index, entry = found
            service = entry.get("service")
            if service != pair.backend.name:
                known = isinstance(service, str) and service in project.names
                detail = "another Worker" if known else "a Worker no config in this project defines"
                yield RULE.at(
                    config,
                    ("services", index, "service"),
                    f"`{pair.binding}` points to `{service}`, {detail}; "
                    f"the backend is `{pair.backend.label}`",
                )
        for env in front.envs:
            yield from _check_env(project, pair, env, top_entry)


RULE = Rule(
    id="DW004",
    name="service-binding",
    title="Service binding to the Data Worker missing or mis-targeted",
    severity=Severity.ERROR,
    what="Checks that the User Worker binds the Data Worker (the binding named in `dualworker.toml`, "
    "default `BACKEND_SERVICE`) at the top level and in every `env` block, that each binding targets "
    "the Data Worker of the same environment, and that env bindings keep the top level's `entrypoint`.",
    why="`services` are not inherited by `env` blocks: a `staging` block without the binding deploys a "
    "User Worker that cannot reach its backend, and one that names `my-data-production` makes staging "
    "write production data. A binding to a Worker name that no config defines fails at deploy time "
    "or, worse, reaches an unrelated Worker.",
    example='"env": {\n  "staging": { "vars": { "MODE": "staging" } }  // no services: not inherited\n}',
    fix='Repeat the binding in each env block with the env\'s Worker name: `"services": [{ "binding": '
    '"BACKEND_SERVICE", "service": "my-data-staging", "entrypoint": "InternalApi" }]`. `--fix` adds it '
    "when the target is unambiguous.",
    fixable=True,
    hint="Repeat the binding per env, targeting that env's backend",
    check=check,
)
