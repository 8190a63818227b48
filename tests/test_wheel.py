"""The built wheel carries the template: install it in a fresh venv and generate from /tmp.

Slow (a venv, pip, npm): marked e2e and run by `.ci/run`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

# One xdist worker runs this module (its module-scoped fixtures build once).
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e-wheel")]


def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: int = 600) -> str:
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    took = time.monotonic() - started
    print(f"[timing] {' '.join(cmd[:3])}: {took:.1f} s")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"{' '.join(cmd)} failed ({proc.returncode}):\n{output[-4000:]}"
    return output


@pytest.fixture(scope="module")
def wheel(built_wheel: Path) -> Path:
    return built_wheel


def _template_files() -> set[str]:
    """Files of the template as git sees them (tracked + untracked, not ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "template"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    return {line for line in listed if line and (REPO_ROOT / line).is_file()}


def test_wheel_contains_whole_template(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    packaged = {n.removeprefix("dualworker_cli/_template/") for n in names if "/_template/template/" in n}
    assert packaged == _template_files()
    assert "dualworker_cli/_template/copier.yml" in names


def test_fresh_venv_generates_project_that_passes_its_tests(
    wheel: Path, tmp_path: Path, node_env: dict[str, str]
) -> None:
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], tmp_path)
    _run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)], tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in node_env.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    new = [str(venv / "bin" / "dualworker"), "new", "demo", "-y", "--frontend", "react", "--no-install"]
    out = _run(new, elsewhere, env=env)
    project = elsewhere / "demo"
    assert "Created demo" in out
    assert (project / "apps/user-application/wrangler.jsonc").is_file()
    assert (project / "apps/data-service/wrangler.jsonc").is_file()
    answers = (project / ".copier-answers.yml").read_text()
    assert str(REPO_ROOT) not in answers  # rendered from the wheel, not from this checkout

    npm = ["npm"]
    _run([*npm, "install", "--no-audit", "--no-fund"], project, env=env, timeout=900)
    _run([*npm, "run", "types"], project, env=env)
    _run([*npm, "run", "typecheck"], project, env=env)
    _run([*npm, "test"], project, env=env, timeout=900)
    _run([*npm, "run", "build"], project, env=env, timeout=600)  # the React app and both Workers (issue 11)
    assert (project / "apps/user-application/dist/client/index.html").is_file()
    size = sum(f.stat().st_size for f in (project / "node_modules").rglob("*") if f.is_file())
    print(f"[size] node_modules: {size / 1e6:.0f} MB")
    assert os.path.isdir(project / "node_modules")
