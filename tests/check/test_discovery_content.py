"""Discovery: configs named by `--config` in scripts, or found by content under iac/, infra/..."""

from __future__ import annotations

import json
from pathlib import Path

from dualworker_cli.check.discover import scan_tree, wrangler_commands
from dualworker_cli.check.engine import run
from tests.check.fixtures import copy_fixture, fixture, found, lint


def test_configs_deployed_with_config_flag_are_found() -> None:
    result = lint("config-by-reference")
    [pair] = result.project.pairs
    assert (pair.front.config.rel, pair.backend.config.rel) == (
        "iac/workers/web.toml",
        "iac/workers/api.toml",
    )
    # not tsconfig.json, not the Terraform output that has `name` + `main`
    assert sorted(w.config.rel for w in result.project.workers) == [
        "iac/workers/api.toml",
        "iac/workers/web.toml",
    ]
    assert found(result) == [("DW002", "iac/workers/api.toml", 2), ("DW003", "iac/workers/api.toml", 2)]


def test_configs_found_by_content_in_infra_folder() -> None:
    result = lint("config-by-content")
    assert [(p.front.config.rel, p.backend.config.rel) for p in result.project.pairs] == [
        ("infra/web.jsonc", "infra/wrangler.api.toml")
    ]
    assert result.findings == []


def test_how_each_config_was_found() -> None:
    how = {p.name: h for p, h in scan_tree(fixture("config-by-reference")).configs}
    assert how == {"api.toml": "script", "web.toml": "script"}
    how = {p.name: h for p, h in scan_tree(fixture("config-by-content")).configs}
    assert how == {"web.jsonc": "content", "wrangler.api.toml": "content"}


def test_wrangler_command_parsing() -> None:
    assert list(wrangler_commands("npm run build && npx wrangler deploy -c a.toml --env prod")) == [
        ["deploy", "-c", "a.toml", "--env", "prod"]
    ]
    assert list(wrangler_commands("tsc; wrangler dev --config=x.jsonc")) == [["dev", "--config=x.jsonc"]]
    assert list(wrangler_commands("vite build")) == []


def test_wrangler_named_variant_of_the_same_worker_is_reported_not_dropped(tmp_path: Path) -> None:
    """`wrangler.toml` and `wrangler.staging.toml` in one folder for one Worker: one is checked, the
    other is said (DW014), never paired against itself."""
    root = copy_fixture("config-by-content", tmp_path)
    api = root / "infra" / "wrangler.api.toml"
    (root / "infra" / "wrangler.api-copy.toml").write_text(api.read_text())
    result = run(root)
    [info] = [f for f in result.findings if f.rule == "DW014"]
    names = {"infra/wrangler.api-copy.toml", "infra/wrangler.api.toml"}
    assert info.path in names and "same Worker `notes-api`" in info.message
    assert (names - {info.path}).pop() in info.message
    assert info.severity.label == "info"


def test_content_discovery_ignores_non_wrangler_json(tmp_path: Path) -> None:
    root = copy_fixture("config-by-content", tmp_path)
    (root / "infra" / "package.json").write_text(json.dumps({"name": "x", "main": "index.js"}))
    (root / "infra" / "app.settings.json").write_text(json.dumps({"name": "x", "main": "y", "env": {}}))
    (root / "infra" / "huge.json").write_text(
        '{"name": "x", "compatibility_date": "2026-01-01", "pad": "' + "x" * 300_000 + '"}'
    )
    (root / "infra" / "broken.json").write_text('{"name": "x", "compatibility_date": ')
    result = run(root)
    assert sorted(w.config.rel for w in result.project.workers) == [
        "infra/web.jsonc",
        "infra/wrangler.api.toml",
    ]
    assert result.findings == []


def test_monorepo_scan_reads_few_files(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """200 packages with package.json, tsconfig.json and data files: only candidates are read."""
    root = copy_fixture("config-by-content", tmp_path)
    for i in range(200):
        pkg = root / "packages" / f"p{i}"
        pkg.mkdir(parents=True)
        (pkg / "package.json").write_text(json.dumps({"name": f"p{i}", "scripts": {"build": "tsc"}}))
        (pkg / "tsconfig.json").write_text("{}")
        (pkg / "data.json").write_text("{}")
    opened: list[str] = []
    for method in ("read_text", "read_bytes"):
        real = getattr(Path, method)

        def spy(self: Path, *args, _real=real, **kwargs):  # type: ignore[no-untyped-def]
            opened.append(self.name)
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(Path, method, spy)
    scan_tree(root)
    assert "tsconfig.json" not in opened and "data.json" not in opened
    assert opened.count("package.json") == 201  # scripts are read once per package
