"""`dualworker check` from the command line: formats, exit statuses, errors as one-liners."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dualworker_cli.check.rules import ALL
from dualworker_cli.cli import app
from tests.test_check_support import backend, front, make_project

BLUEPRINT = Path(__file__).parent / "fixtures" / "check" / "blueprint"
runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["check", *args], env={"COLUMNS": "200"})
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), (
        result.exception
    )
    return result.exit_code, result.stdout, result.stderr


def test_blueprint_flagged_for_its_own_snippets() -> None:
    code, out, _ = invoke(str(BLUEPRINT), "--format", "json")
    assert code == 1
    found = {(f["rule"], f["path"].split("blueprint/")[-1]) for f in json.loads(out)["findings"]}
    assert ("DW002", "apps/data-service/wrangler.jsonc") in found
    assert ("DW003", "apps/data-service/wrangler.jsonc") in found
    assert ("DW006", "apps/user-application/worker/hono/app.ts") in found


def test_blueprint_dw006_points_at_the_spread() -> None:
    _, out, _ = invoke(str(BLUEPRINT), "--format", "json", "--select", "DW006")
    [finding] = json.loads(out)["findings"]
    line = (
        (BLUEPRINT / "apps/user-application/worker/hono/app.ts").read_text().splitlines()[finding["line"] - 1]
    )
    assert line.strip() == "...c.req.header(),"


def test_clean_project_exit_0_and_table(tmp_path: Path) -> None:
    code, out, _ = invoke(str(make_project(tmp_path)))
    assert code == 0
    assert "No findings" in out
    assert "web/wrangler.jsonc" in out and "BACKEND_SERVICE" in out  # roles in effect


def test_table_groups_by_file(tmp_path: Path) -> None:
    data = backend()
    del data["workers_dev"]
    # the binding names InternalApi, so the workers.dev URL reaches only the default export: a warning
    code, out, _ = invoke(str(make_project(tmp_path, backend=data)), "--fail-on", "warning")
    assert code == 1
    assert "core/wrangler.jsonc" in out and "DW002" in out and "--fix: set workers_dev: false" in out


def test_fail_on_and_warnings(tmp_path: Path) -> None:
    data = backend()
    data["compatibility_date"] = "2025-01-01"  # DW013 is a warning
    root = str(make_project(tmp_path, backend=data))
    assert invoke(root)[0] == 0
    assert invoke(root, "--fail-on", "warning")[0] == 1
    assert invoke(root, "--fail-on", "never", "--select", "DW013")[0] == 0


def test_select_and_ignore(tmp_path: Path) -> None:
    _, out, _ = invoke(str(BLUEPRINT), "-f", "json", "--select", "DW002,DW003")
    assert {f["rule"] for f in json.loads(out)["findings"]} == {"DW002", "DW003"}
    _, out, _ = invoke(str(BLUEPRINT), "-f", "json", "--ignore", "DW00")
    assert {f["rule"] for f in json.loads(out)["findings"]} == {"DW012"}


def test_settings_ignore_and_report(tmp_path: Path) -> None:
    data = backend()
    del data["preview_urls"]
    settings = (
        '[front]\nconfig = "web/wrangler.jsonc"\n[backend]\nconfig = "core/wrangler.jsonc"\n'
        'binding = "BACKEND_SERVICE"\n[check]\nignore = ["DW003"]\n'
    )
    root = make_project(tmp_path, backend=data, settings=settings)
    code, out, _ = invoke(str(root), "-f", "json")
    payload = json.loads(out)
    assert code == 0
    assert payload["config"]["source"] == "dualworker.toml"
    assert payload["config"]["ignore"] == ["DW003"]
    assert "DW003" not in payload["config"]["rules"]


def test_sarif_structure() -> None:
    code, out, _ = invoke(str(BLUEPRINT), "--format", "sarif")
    assert code == 1
    log = json.loads(out)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(ALL)
    assert all(r["help"]["markdown"] and r["shortDescription"]["text"] for r in rules)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert result["level"] in ("error", "warning", "note")


def test_github_annotations_and_output_file(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    code, out, _ = invoke(str(BLUEPRINT), "--format", "github", "--output", str(target))
    assert code == 1 and out == ""
    lines = target.read_text().splitlines()
    assert any(line.startswith("::error file=") and "title=DW006" in line for line in lines)


def test_explain_every_rule() -> None:
    for rule_id in ALL:
        code, out, _ = invoke("--explain", rule_id.lower())
        assert code == 0
        assert rule_id in out and "Why is this bad?" in out and "How to fix" in out
    code, _, err = invoke("--explain", "DW999")
    assert code == 2 and "unknown rule" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xml"], "--format xml"),
        (["--fail-on", "loud"], "--fail-on loud"),
        (["--select", "XX1"], "unknown rule 'XX1'"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    code, _, err = invoke(str(make_project(tmp_path)), *args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def _one_liner(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_malformed_jsonc_is_located(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    config = root / "core" / "wrangler.jsonc"
    config.write_text('{\n  // broken\n  "name": "shop-core",\n  "main" "src/index.ts"\n}\n')
    code, _, err = invoke(str(root))
    assert code == 2
    assert _one_liner(err) == "error: core/wrangler.jsonc:4:10: expected ':' after key 'main'"


def test_malformed_toml_is_located(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    (root / "core" / "wrangler.jsonc").unlink()
    (root / "core" / "wrangler.toml").write_text('name = "shop-core"\nmain = \n')
    code, _, err = invoke(str(root))
    assert code == 2
    assert _one_liner(err).startswith("error: core/wrangler.toml:2:")


def test_malformed_settings_is_located(tmp_path: Path) -> None:
    root = make_project(tmp_path, settings='[front]\nconfig = "web/wrangler.jsonc"\nconfg = 1\n')
    code, _, err = invoke(str(root))
    assert code == 2
    assert _one_liner(err).startswith("error: dualworker.toml:3:1: unknown key front.confg")


def test_missing_config_named_in_settings(tmp_path: Path) -> None:
    settings = '[front]\nconfig = "web/wrangler.jsonc"\n[backend]\nconfig = "api/wrangler.jsonc"\n'
    code, _, err = invoke(str(make_project(tmp_path, settings=settings)))
    assert code == 2
    assert _one_liner(err) == "error: dualworker.toml:4:1: backend.config: api/wrangler.jsonc not found"


def test_no_configs_and_missing_path(tmp_path: Path) -> None:
    code, _, err = invoke(str(tmp_path))
    assert code == 2 and "no wrangler.jsonc" in _one_liner(err)
    code, _, err = invoke(str(tmp_path / "nope"))
    assert code == 2 and "no such file or directory" in _one_liner(err)


def test_permission_denied_is_a_one_liner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What chmod 000 gives a non-root user, forced so it runs as root (CI) too."""
    root = make_project(tmp_path)
    real = Path.read_bytes

    def deny(self: Path) -> bytes:
        if self.name == "wrangler.jsonc" and self.parent.name == "web":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", deny)
    code, _, err = invoke(str(root))
    assert code == 2
    assert _one_liner(err) == "error: web/wrangler.jsonc:1:1: cannot read: permission denied"


def test_unreadable_binary_config(tmp_path: Path) -> None:
    """Unreadable as text (also when running as root): a one-liner with the file's location."""
    root = make_project(tmp_path)
    (root / "core" / "wrangler.jsonc").write_bytes(b'{"name": "\xff\xfe"}')
    code, _, err = invoke(str(root))
    assert code == 2
    assert _one_liner(err) == "error: core/wrangler.jsonc:1:11: not UTF-8 text (byte 10)"


def test_unreadable_ts_file(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    (root / "web" / "src" / "proxy.ts").write_bytes(b"\xff\xfe\x00")
    code, _, err = invoke(str(root))
    assert code == 2
    assert _one_liner(err) == "error: web/src/proxy.ts:1:1: not UTF-8 text (byte 0)"


def test_check_does_not_import_copier(tmp_path: Path) -> None:
    """`dualworker check` must stay fast: no Copier (nor questionary) in the process."""
    root = make_project(tmp_path)
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from dualworker_cli.cli import app\n"
        f"result = CliRunner().invoke(app, ['check', {str(root)!r}])\n"
        "assert result.exit_code == 0, result.output\n"
        "assert 'tree_sitter' in sys.modules, 'the TypeScript rules did not run'\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('copier', 'questionary', 'jinja2'))\n"
        "assert not heavy, heavy\n"
        "print('ok')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def test_config_only_run_does_not_import_tree_sitter(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from dualworker_cli.check.engine import run\n"
        # DW008 reads the routes the front forwards (code), so it is not a config-only rule any more
        f"result = run(Path({str(root)!r}), select=['DW001,DW002,DW003,DW004,DW007,DW009,DW013'])\n"
        "assert not result.findings\n"
        "assert 'tree_sitter' not in sys.modules\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def test_front_without_main_file_is_not_an_error(tmp_path: Path) -> None:
    data = front()
    data["main"] = "src/missing.ts"
    code, out, _ = invoke(str(make_project(tmp_path, front=data)), "-f", "json")
    assert code == 0, out


def test_reports_newer_template_version_as_information(tmp_path: Path) -> None:
    """A project generated from template v0.1.0 while v0.2.0 exists: said, not failed."""
    from dualworker_cli.generate import Answers, render
    from tests.template_repo import build_template_repo

    repo = build_template_repo(tmp_path / "template")
    project = render(Answers(project_name="demo"), tmp_path / "demo", src=str(repo), vcs_ref="v0.1.0")
    code, out, _ = invoke(str(project), "-f", "json")
    payload = json.loads(out)
    assert code == 0
    assert payload["template_update"] == "v0.2.0"
    assert payload["findings"] == []
    code, out, _ = invoke(str(project))
    assert code == 0 and "template v0.2.0 is available" in out


@pytest.mark.parametrize(
    ("check_table", "message"),
    [
        ('ignore = ["DW999"]', "dualworker.toml:6:1: check.ignore: unknown rule 'DW999'"),
        ('fail_on = "loud"', "dualworker.toml:6:1: check.fail_on must be one of error, warning, info, never"),
    ],
)
def test_bad_check_settings_are_located(tmp_path: Path, check_table: str, message: str) -> None:
    settings = (
        '[front]\nconfig = "web/wrangler.jsonc"\n[backend]\nconfig = "core/wrangler.jsonc"\n'
        f"[check]\n{check_table}\n"
    )
    code, _, err = invoke(str(make_project(tmp_path, settings=settings)))
    assert code == 2
    assert _one_liner(err) == f"error: {message}"


def test_run_from_inside_a_project_uses_settings_above(tmp_path: Path) -> None:
    settings = '[front]\nconfig = "web/wrangler.jsonc"\n[backend]\nconfig = "core/wrangler.jsonc"\n'
    root = make_project(tmp_path, settings=settings)
    code, out, _ = invoke(str(root / "core"), "-f", "json")
    assert code == 0
    payload = json.loads(out)
    assert payload["config"]["source"] == "dualworker.toml"
    assert payload["root"] == str(root.resolve())


def test_table_output_file_is_plain_text(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    code, out, _ = invoke(str(BLUEPRINT), "--output", str(target))
    assert code == 1 and out == ""
    text = target.read_text()
    assert "DW006" in text and "\x1b[" not in text


def test_explain_all_lists_every_rule() -> None:
    code, out, _ = invoke("--explain", "all")
    assert code == 0
    for rule_id, rule in ALL.items():
        assert rule_id in out and rule.name in out


def test_a_crashing_rule_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    from dualworker_cli.check import engine

    def boom(project: object) -> None:
        raise KeyError("surprise")

    crashing = tuple(dataclasses.replace(r, check=boom) if r.id == "DW013" else r for r in engine.CHECKS)
    monkeypatch.setattr(engine, "CHECKS", crashing)
    monkeypatch.delenv("DUALWORKER_DEBUG", raising=False)
    code, _, err = invoke(str(make_project(tmp_path)))
    assert code == 2
    assert _one_liner(err).startswith("error: internal error in DW013 (KeyError: 'surprise')")
