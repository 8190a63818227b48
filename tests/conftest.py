"""Shared fixtures: a Node >= 22.12 environment for e2e tests, and quiet, offline tool settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.node_toolchain import ensure_node

REPO_ROOT = Path(__file__).resolve().parent.parent

# Wrangler and vitest must never phone home from the test suite.
os.environ.setdefault("WRANGLER_SEND_METRICS", "false")
os.environ.setdefault("CLOUDFLARE_CF_FETCH_ENABLED", "false")


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
    for every render.
    """
    from tests.template_repo import copy_template

    dest = tmp_path_factory.mktemp("template-copy") / "src"
    copy_template(dest)
    return dest


@pytest.fixture(autouse=True)
def no_venv_node(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process commands must not find the test venv's own Node (`dualworker[node]`): tests that
    simulate a machine without a usable Node would otherwise install with it. Tests that want a
    venv Node fake one (tests/test_new_cli.py)."""
    from dualworker_cli import node

    monkeypatch.setattr(node, "venv_bin_dirs", list)
