"""A run split over processes (``check/parallel.py``) reports exactly what one process does."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from dualworker_cli.check import engine, parallel
from dualworker_cli.check.discover import discover
from dualworker_cli.check.engine import Result, RuleCrash
from dualworker_cli.check.model import Finding, Rule, Severity
from tests.check.fixtures import FIXTURES, lint

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="runs are split only on Linux (fork)")


def _report(result: Result) -> list[tuple[object, ...]]:
    return [
        (f.rule, f.path, f.line, f.col, f.message, int(f.severity), f.fix.description if f.fix else None)
        for f in result.findings
    ] + [("suppressed", result.suppressed)]


@pytest.fixture(scope="module")
def every_fixture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """All fixture projects side by side, each its own package (Workers pair within it): one
    project of ~80 pairs with findings of most rules, suppression comments in configs and modules."""
    root = tmp_path_factory.mktemp("all")
    for project in sorted(FIXTURES.iterdir()):
        if project.is_dir():
            shutil.copytree(project, root / project.name)
            package = root / project.name / "package.json"
            if not package.exists():
                package.write_text(json.dumps({"name": project.name, "private": True}))
    (root / "dualworker.toml").unlink(missing_ok=True)
    extra = root / "zz-dates-and-vars"  # DW007 and DW013, which no fixture above has
    for name, config in {
        "web": {
            "name": "zz-web",
            "main": "i.js",
            "compatibility_date": "2025-01-01",
            "vars": {"JWT_SECRET": "hunter2-signing-key"},
            "services": [{"binding": "API", "service": "zz-api"}],
        },
        "api": {"name": "zz-api", "main": "i.js", "compatibility_date": "2025-06-01", "workers_dev": False},
    }.items():
        (extra / name).mkdir(parents=True)
        (extra / name / "wrangler.json").write_text(json.dumps(config))
        (extra / name / "i.js").write_text(
            "export default { fetch: (r, env) => env.API ? env.API.fetch(r) : new Response('') };\n"
        )
    # the last pair's DW005 finding (another process's slice) suppressed in its module, and an
    # unused suppression (DW900) beside it
    last = [f for f in engine.run(root, jobs=1).findings if f.rule == "DW005" and f.path.endswith(".ts")][-1]
    module = root / last.path
    lines = module.read_text().splitlines()
    lines.insert(last.line - 1, "// dualworker-ignore DW005 -- public on purpose (test)")
    lines.insert(0, "// dualworker-ignore DW006 -- nothing here (test)")
    module.write_text("\n".join(lines) + "\n")
    return root


@pytest.mark.parametrize("jobs", [2, 3, 5])
def test_split_run_reports_what_one_process_reports(every_fixture: Path, jobs: int) -> None:
    one = engine.run(every_fixture, jobs=1)
    assert len(one.project.pairs) > 60 and len({f.rule for f in one.findings}) >= 13
    assert one.suppressed == 1 and "DW900" in {f.rule for f in one.findings}
    assert _report(engine.run(every_fixture, jobs=jobs)) == _report(one)


@pytest.mark.parametrize(
    "name", ["blueprint", "rpc-identity-from-client", "ws-proxy-public-backend", "dlq-missing"]
)
def test_split_run_of_a_small_project_reports_what_one_process_reports(name: str) -> None:
    assert _report(lint(name, jobs=2)) == _report(lint(name, jobs=1))


def test_fixes_found_by_another_process_edit_this_process_configs(every_fixture: Path) -> None:
    result = engine.run(every_fixture, jobs=3)
    configs = {id(w.config) for w in result.project.workers}
    fixes = [f.fix for f in result.findings if f.fix is not None]
    assert len(fixes) >= 3
    assert all(id(fix.config) in configs for fix in fixes)


def _rule(check: object) -> Rule:
    return Rule("DW999", "test", "test", Severity.ERROR, "", "", "", "", check=check, sharded=True)  # type: ignore[arg-type]


def test_a_rule_crash_in_another_process_is_reported_as_one(every_fixture: Path) -> None:
    def crash(project):
        for pair in project.mine(project.pairs):
            if project.shard[0] == 1:
                raise KeyError(pair.binding)
        return []

    project = discover(every_fixture)
    with pytest.raises(RuleCrash, match=r"internal error in DW999 \(KeyError"):
        parallel.check(project, [_rule(crash)], 2, engine._checked)


def test_the_slice_of_a_process_that_dies_is_checked_here(every_fixture: Path) -> None:
    parent = os.getpid()

    def dies(project):
        if os.getpid() != parent:
            os._exit(3)
        return [
            Finding("DW999", p.binding, p.front.config.rel, 1, 1, Severity.ERROR)
            for p in project.mine(project.pairs)
        ]

    project = discover(every_fixture)
    findings, _ = parallel.check(project, [_rule(dies)], 3, engine._checked)
    assert [f.message for f in findings["DW999"]] == [p.binding for p in project.pairs]


def test_jobs_are_one_for_a_small_project_and_as_asked_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    project = discover(FIXTURES / "blueprint")
    assert parallel.jobs_for(project, None) == 1
    assert parallel.jobs_for(project, 4) == 4
    assert parallel.jobs_for(project, 100) == parallel.MAX_JOBS
    monkeypatch.setattr(sys, "platform", "darwin")
    assert parallel.jobs_for(project, 4) == 1


@pytest.mark.parametrize("fmt", ["json", "table", "sarif"])
def test_split_run_prints_the_same_report(every_fixture: Path, fmt: str) -> None:
    """The JSON report lists every pair's identity header: a split run's other processes send
    theirs back, so the report is the same (and not inferred again here)."""
    from typer.testing import CliRunner

    from dualworker_cli.cli import app

    def report(jobs: str) -> str:
        result = CliRunner().invoke(app, ["check", str(every_fixture), "--format", fmt, "--jobs", jobs])
        assert result.exit_code == 1, result.output
        return result.stdout

    one = report("1")
    assert report("3") == one
    if fmt == "json":
        assert '"identity"' in one and "read_at" in one


@pytest.mark.parametrize(
    ("limit", "expected"), [("max 100000\n", 2), ("100000 100000\n", 1), ("250000 100000", 2)]
)
def test_cpus_are_capped_by_a_cgroup_quota(
    monkeypatch: pytest.MonkeyPatch, limit: str, expected: int
) -> None:
    import io as _io

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr(parallel, "open", lambda *a, **k: _io.StringIO(limit), raising=False)
    assert parallel._cpus() == expected
