"""Shared fixtures: a Node >= 22.12 environment for e2e tests, and quiet, offline tool settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import copier_speed
from tests.node_toolchain import ensure_node

REPO_ROOT = Path(__file__).resolve().parent.parent

# pytest-xdist workers inherit COLUMNS=80; the CLI's non-terminal width (120) is what the tests check.
os.environ.pop("COLUMNS", None)

# Wrangler and vitest must never phone home from the test suite.
os.environ.setdefault("WRANGLER_SEND_METRICS", "false")
os.environ.setdefault("CLOUDFLARE_CF_FETCH_ENABLED", "false")


def pytest_configure(config: pytest.Config) -> None:
    """Jinja compiles and `git config core.fileMode` calls that Copier repeats: once per test
    process (tests/copier_speed.py). Not in pytest-xdist's controller, which runs no test."""
    controller = bool(config.getoption("numprocesses", None)) and not hasattr(config, "workerinput")
    if not controller:
        copier_speed.install()


@pytest.fixture(scope="session")
def node_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Subprocess environment with Node >= 22.12 first on PATH and tool homes inside tmp."""
    base = tmp_path_factory.mktemp("node-home")
    env = ensure_node(base / "bin")
    env["XDG_CONFIG_HOME"] = str(base / "config")
    env["XDG_DATA_HOME"] = str(base / "data")
    env["XDG_CACHE_HOME"] = str(base / "cache")
    return env


@pytest.fixture(scope="session")
def template_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """copier.yml + template/ of this checkout (uncommitted edits included) outside git.

    Copier renders a plain folder directly; pointed at the checkout it would clone the repo
    for every render. One copy per test run (shared by the xdist workers, so that a render
    records the same `_src_path` whichever worker made it).
    """
    from tests.shared import build_once, shared_root
    from tests.template_repo import copy_template

    return build_once(shared_root(tmp_path_factory) / "template-copy" / "src", copy_template)


@pytest.fixture(autouse=True)
def no_venv_node(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process commands must not find the test venv's own Node (`dualworker[node]`): tests that
    simulate a machine without a usable Node would otherwise install with it. Tests that want a
    venv Node fake one (tests/test_new_cli.py)."""
    from dualworker_cli import node

    monkeypatch.setattr(node, "venv_bin_dirs", list)


@pytest.fixture
def render_from_plain_copy(
    monkeypatch: pytest.MonkeyPatch, template_copy: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """`dualworker new` renders this checkout's template from a plain copy, as from the wheel.

    Half the CPU of rendering the checkout itself (Copier clones a git source for every render).
    For tests about options, paths and output; rendering from the checkout is covered by
    tests/test_source_checkout.py and the e2e suite.

    Copier's render of that copy is deterministic, so each set of answers is rendered once per
    test run and later renders are copies of it (byte for byte what Copier would write; everything
    of `dualworker new` around Copier — staging folder, move into place, git, npm — still runs).
    """
    import hashlib
    import json
    import shutil

    import copier

    from dualworker_cli import generate
    from tests.shared import build_once, shared_root

    monkeypatch.setattr(generate, "template_source", lambda: template_copy)
    real_run_copy = copier.run_copy
    renders = shared_root(tmp_path_factory) / "new-renders"

    def run_copy(src_path: str, dst_path: str | Path, data: dict | None = None, **kwargs: object) -> None:
        if Path(src_path) != template_copy or Path(dst_path).exists():
            real_run_copy(src_path, dst_path, data=data, **kwargs)
            return
        key = json.dumps([data, kwargs], sort_keys=True, default=str)
        first = build_once(
            renders / hashlib.sha256(key.encode()).hexdigest()[:16] / "project",
            lambda dest: real_run_copy(src_path, dest, data=data, **kwargs),
        )
        shutil.copytree(first, dst_path, symlinks=True)

    monkeypatch.setattr(copier, "run_copy", run_copy)


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory, template_copy: Path):
    """``rendered(patterns, auth_mode, frontend)``: the project `dualworker new demo` renders, once
    per combination per test run (shared by the xdist workers). Shared: read it, never change it."""
    from dualworker_cli.generate import Answers, render
    from tests.shared import build_once, shared_root

    root = shared_root(tmp_path_factory) / "rendered"

    def get(
        patterns: list[str] | tuple[str, ...] = ("queue", "websocket", "workflow"),
        auth: str = "secret",
        frontend: str = "static",
    ) -> Path:
        name = f"{'+'.join(patterns) or 'none'}-{auth}-{frontend}"
        answers = Answers("demo", patterns=list(patterns), auth_mode=auth, frontend=frontend)
        return build_once(root / name / "demo", lambda dest: render(answers, dest, src=template_copy))

    return get


@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout built as a wheel, once per session (e2e: tests/test_wheel.py, tests/test_update.py)."""
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(REPO_ROOT)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, f"building the wheel failed:\n{(proc.stdout + proc.stderr)[-4000:]}"
    (built,) = out.glob("dualworker-*.whl")
    return built
