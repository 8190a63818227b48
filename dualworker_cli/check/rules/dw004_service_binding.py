"""DW004: the front's service binding to the backend is missing or points at the wrong Worker."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from dualworker_cli.check.deploys import TOP, deploys
from dualworker_cli.check.discover import ambiguity_message
from dualworker_cli.check.model import (
    Finding,
    Fix,
    Pair,
    Project,
    Rule,
    Severity,
    Worker,
    env_kind,
    is_remote,
    service_environment,
)
from dualworker_cli.check.parse.config import KeyPath
from dualworker_cli.check.rules.common import where


def _expected(pair: Pair, env: str | None) -> str | None:
    """The backend Worker name a binding in ``env`` must target (None: cannot tell).

    Env names are compared by stage, so a front's ``env.dev`` expects the backend's
    ``env.development`` when that is the backend's only development block.
    """
    backend = pair.backend
    if env is None:
        return backend.name
    match = backend.env_matching(env)
    return backend.env_worker_name(match) if match is not None else None


def _shown(entry: dict[str, Any]) -> str:
    """``api-staging``, or ``api` (environment `production``) for the deprecated key."""
    service, environment = entry.get("service"), entry.get("environment")
    if isinstance(environment, str) and environment:
        return f"{service}` (environment `{environment}`)"
    return f"{service}`"


def _missing_fix(pair: Pair, prefix: KeyPath, top: dict[str, Any] | None, env: str) -> Fix | None:
    """Add the env's binding by the env Worker's name (never the deprecated ``environment`` key,
    which names a service environment, not a Wrangler environment)."""
    expected = _expected(pair, env)
    if expected is None:
        return None
    value: dict[str, Any] = {"binding": pair.binding, "service": expected}
    if top is not None and isinstance(top.get("entrypoint"), str):
        value["entrypoint"] = top["entrypoint"]
    return Fix(
        f"add the {pair.binding} binding to {where(prefix)}",
        pair.front.config,
        "append",
        (*prefix, "services"),
        value,
    )


def _check_env(project: Project, pair: Pair, env: str, top: dict[str, Any] | None) -> Iterator[Finding]:
    front, config = pair.front, pair.front.config
    prefix = ("env", env)
    block = front.envs[env]
    expected = _expected(pair, env)
    found = pair.binding_entry(block)
    if found is None:
        if _never_used(project, pair):
            return
        target = f" (to `{expected}`)" if expected else ""
        yield RULE.at(
            config,
            (*prefix, "services") if "services" in block else prefix,
            f"{where(prefix)} has no `{pair.binding}` service binding{target}: `services` are not "
            "inherited from the top level, so this environment cannot reach the backend",
            _missing_fix(pair, prefix, top, env),
        )
        return
    index, entry = found
    keypath = (*prefix, "services", index, "service")
    if service_environment(entry) is not None and project.target(front, entry) is None:
        yield _removed_service_env(project, pair.front, prefix, index, entry, expected)
        return
    resolved = project.target(front, entry)
    match = pair.backend.env_matching(env)
    if resolved is not None and resolved[0] is pair.backend:
        target_env = resolved[1]
        reached = pair.backend.name if target_env is None else pair.backend.env_worker_name(target_env)
        if match is not None and target_env != match and reached != expected:
            which = f"the {target_env} Worker" if target_env else "the top-level Worker"
            which = "" if isinstance(entry.get("environment"), str) else f" ({which})"
            yield RULE.at(
                config,
                keypath,
                f"{where(prefix)}: `{pair.binding}` points to `{_shown(entry)}{which}, "
                f"expected `{expected}`; this environment would call another environment's backend",
            )
        elif match is None and target_env is not None and env_kind(target_env) != env_kind(env):
            yield RULE.at(
                config,
                keypath,
                f"{where(prefix)}: `{pair.binding}` points to `{_shown(entry)}, the {target_env} backend",
            )
    elif expected is not None and entry.get("service") != expected:
        yield RULE.at(
            config,
            keypath,
            f"{where(prefix)}: `{pair.binding}` points to `{_shown(entry)}, expected `{expected}`; "
            "this environment would call another environment's backend",
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


def _env_worker(project: Project, service: Any, environment: str | None) -> str | None:
    """The Worker name the config deploying ``service`` gives its ``environment`` block, if one does."""
    names = {
        worker.env_worker_name(match)
        for worker, env in project.defined.get(str(service), [])
        if env is None and environment and (match := worker.env_matching(environment)) is not None
    }
    return names.pop() if len(names) == 1 else None


def _removed_service_env(
    project: Project, worker: Worker, prefix: KeyPath, index: int, entry: dict[str, Any], expected: str | None
) -> Finding:
    """A binding whose ``environment`` names a service environment, which no Worker has any more."""
    service, environment = entry.get("service"), service_environment(entry)
    instead = expected or _env_worker(project, service, environment)
    hint = (
        f"; bind `{instead}`, the Worker its `env.{environment}` deploys"
        if instead
        else f"; bind the Worker that environment deploys (`{service}-{environment}` by default)"
    )
    return RULE.at(
        worker.config,
        (*prefix, "services", index, "environment"),
        f"{where(prefix)}: `{entry.get('binding')}` names the service environment `{environment}` of "
        f"`{service}`, but service environments were removed: each Wrangler environment deploys as "
        f"its own Worker (`<name>-<env>`), so this binding reaches no Worker{hint}",
    )


def check(project: Project) -> Iterator[Finding]:
    seen: set[tuple[str, int, int]] = set()
    for ambiguity in project.ambiguities:
        finding = RULE.at(ambiguity.worker.config, ambiguity.keypath, ambiguity_message(ambiguity))
        seen.add((finding.path, finding.line, finding.col))
        yield finding
    for finding in _pair_findings(project):
        seen.add((finding.path, finding.line, finding.col))
        yield finding
    if project.mode != "discovered":
        return
    for worker in project.workers:  # every binding of every config must name a known Worker
        deployed = deploys(project, worker)
        for prefix, block in worker.blocks():
            for index, entry in worker.services(block):
                service = entry.get("service")
                if not isinstance(service, str) or is_remote(entry):  # remote: maybe another repository
                    continue
                if service_environment(entry) is not None and service in project.defined:
                    env = str(prefix[1]) if prefix else None
                    if deployed.deployed(env) and project.target(worker, entry) is None:
                        finding = _removed_service_env(project, worker, prefix, index, entry, None)
                        if (finding.path, finding.line, finding.col) not in seen:
                            yield finding
                    continue
                if service in project.names:
                    continue
                finding = RULE.at(
                    worker.config,
                    (*prefix, "services", index, "service"),
                    f"`{entry.get('binding')}` ({where(prefix)}) of `{worker.label}` binds `{service}`, a "
                    "Worker no config in this project defines (a typo, or a Worker deployed from elsewhere)",
                )
                if (finding.path, finding.line, finding.col) not in seen:
                    yield finding
                if not prefix and not project.pairs_of(worker, "front"):
                    yield from _envs_without(worker, deployed, entry)


def _envs_without(worker: Worker, deployed: Any, entry: dict[str, Any]) -> Iterator[Finding]:
    """Deployed env blocks without a top-level binding whose target no config defines, of a Worker
    that is the front of no pair (the binding that should have made it one names no Worker). A
    paired front gets this from ``_check_env``; here there is no backend to name, but an env block
    that lacks the binding has none whatever the right name is (``services`` are not inherited)."""
    binding = entry.get("binding")
    for env, block in worker.envs.items():
        if not deployed.deployed(env) or any(e.get("binding") == binding for _, e in worker.services(block)):
            continue
        prefix = ("env", env)
        yield RULE.at(
            worker.config,
            (*prefix, "services") if "services" in block else prefix,
            f"{where(prefix)} has no `{binding}` service binding: `services` are not inherited from the top "
            f"level (whose `{binding}` binds `{entry.get('service')}`), so this environment has none",
        )


def _never_used(project: Project, pair: Pair) -> bool:
    """Does the front's code never touch the binding (declared in some env blocks, read nowhere)?
    Then a block without it breaks nothing. Hand-written projects only: a generated front uses
    its binding, and ``dualworker.toml`` declares the pair."""
    if project.mode != "discovered":
        return False
    from dualworker_cli.check.analysis import front_analysis

    return front_analysis(project, pair).unused


def _skeleton_top(project: Project, pair: Pair) -> bool:
    """Is the front's top level a local skeleton nobody deploys, so only its env blocks count?

    Yes when the deploy commands name environments but never the top level; when they say nothing,
    a top level with no ``services`` at all under env blocks that every one binds the backend is
    the usual "defaults for ``wrangler dev``, real bindings per env" layout (a top level the deploy
    commands do send out is still judged)."""
    front = pair.front
    deployed = deploys(project, front)
    if deployed.envs is not None:
        return TOP not in deployed.envs
    return (
        "services" not in front.config.data
        and bool(front.envs)
        and all(pair.binding_entry(block) is not None for block in front.envs.values())
    )


def _pair_findings(project: Project) -> Iterator[Finding]:
    for pair in project.pairs:
        front, config = pair.front, pair.front.config
        found = pair.binding_entry(config.data)
        top_entry = found[1] if found else None
        deployed = deploys(project, front)
        for env in front.envs:
            if deployed.deployed(env):
                yield from _check_env(project, pair, env, top_entry)
        if _skeleton_top(project, pair):
            continue
        if found is None:
            if _never_used(project, pair):
                continue
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
            resolved = project.target(front, entry)
            if service_environment(entry) is not None and resolved is None:
                yield _removed_service_env(project, front, (), index, entry, None)
                continue
            # any name the backend deploys under (`api-dev` for its env.dev) is the backend
            if service != pair.backend.name and (resolved is None or resolved[0] is not pair.backend):
                known = isinstance(service, str) and service in project.names
                detail = "another Worker" if known else "a Worker no config in this project defines"
                yield RULE.at(
                    config,
                    ("services", index, "service"),
                    f"`{pair.binding}` points to `{service}`, {detail}; "
                    f"the backend is `{pair.backend.label}`",
                )


RULE = Rule(
    id="DW004",
    name="service-binding",
    title="Service binding to the Data Worker missing or mis-targeted",
    severity=Severity.ERROR,
    what="Checks that the User Worker binds the Data Worker (the binding named in `dualworker.toml`, "
    "default `BACKEND_SERVICE`) at the top level and in every `env` block, that each binding targets "
    "the Data Worker of the same environment, and that env bindings keep the top level's `entrypoint`. "
    "Env names are matched by stage (`dev` = `development`, `prod` = `production`, `stage` = `staging`), "
    'and the deprecated `environment` key of a binding names a service environment: `{ service = "api", '
    'environment = "production" }` is the Worker `api` itself, and any other value reaches no Worker, '
    "since service environments were removed and each Wrangler environment deploys as its own Worker "
    "`<name>-<env>` (`environment.ts` marks the key `@deprecated`; `validation.ts` refuses `legacy_env`). "
    "A service name two configs define equally near the "
    "front (same project folder) is reported here instead of being paired by guess. A binding to the "
    "Worker's own name (a self-binding, to call its own named entrypoint) is the Worker itself, however "
    "many other configs share the name; a `remote: true` binding calls a deployed Worker that may live "
    "in another repository, so a name no config defines is not an error there. A binding to a name no "
    "config defines is reported too, and when it was the front's only way to a backend (no pair was "
    "formed) so are the front's deployed env blocks that lack it.",
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
