"""`dualworker check --init`: a commented dualworker.toml from discovery; never overwrites."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from dualworker_cli.check.discover import load_settings
from dualworker_cli.check.engine import run
from dualworker_cli.cli import app
from tests.check.fixtures import copy_fixture


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["check", *args])
    return result.exit_code, result.stdout, result.stderr


def test_init_writes_one_pair_in_the_front_backend_format(tmp_path: Path) -> None:
    root = copy_fixture("trpc-forward-clean", tmp_path)
    code, out, _ = invoke(str(root), "--init")
    assert code == 0, out
    assert "1 pair(s)" in out
    text = (root / "dualworker.toml").read_text()
    assert "[front]" in text and "[[pair]]" not in text
    settings = load_settings(root / "dualworker.toml", "dualworker.toml")
    assert (settings.front_config, settings.backend_config, settings.binding) == (
        "web/wrangler.jsonc",
        "api/wrangler.toml",
        "API",
    )
    assert settings.api_prefix == "/trpc/"  # from the forwarded routes, said in a comment
    assert "the front forwards /trpc/*" in text
    assert "X-User-Id" in text and "not inferred" in text  # the identity header's source is said
    result = run(root)
    assert result.project.mode == "dualworker.toml" and result.findings == []


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    root = copy_fixture("trpc-forward-clean", tmp_path)
    (root / "dualworker.toml").write_text("# mine\n")
    code, out, err = invoke(str(root), "--init")
    assert code == 2
    lines = (out + err).strip().splitlines()
    assert len(lines) == 1 and "dualworker.toml: already exists" in lines[0]
    assert (root / "dualworker.toml").read_text() == "# mine\n"


def test_init_writes_every_pair_as_pair_tables(tmp_path: Path) -> None:
    root = copy_fixture("duplicate-names", tmp_path)
    code, out, _ = invoke(str(root), "--init")
    assert code == 0, out
    text = (root / "dualworker.toml").read_text()
    assert text.count("[[pair]]") == 2
    result = run(root)
    assert sorted((p.front.config.rel, p.backend.config.rel) for p in result.project.pairs) == [
        ("projects/blog/apps/web/wrangler.jsonc", "projects/blog/apps/api/wrangler.toml"),
        ("projects/shop/apps/web/wrangler.jsonc", "projects/shop/apps/api/wrangler.toml"),
    ]
    assert result.findings == []


def test_init_keeps_ambiguities_as_comments_and_inferred_entries(tmp_path: Path) -> None:
    root = copy_fixture("duplicate-names-ambiguous", tmp_path)
    assert invoke(str(root), "--init")[0] == 0
    text = (root / "dualworker.toml").read_text()
    assert "# Not paired: `API` binds `api`" in text
    assert '# backend = "apps/api-next/wrangler.toml"' in text
    root = copy_fixture("entry-from-script", tmp_path)
    assert invoke(str(root), "--init")[0] == 0
    text = (root / "dualworker.toml").read_text()
    assert 'entry = "src/index.ts"  # no `main` in the config; from a package.json script' in text
    assert run(root).findings == []


def test_init_on_a_folder_without_pairs_is_one_line_exit_2(tmp_path: Path) -> None:
    code, out, err = invoke(str(tmp_path), "--init")
    assert code == 2 and len((out + err).strip().splitlines()) == 1
    assert not (tmp_path / "dualworker.toml").exists()


def test_pair_table_errors_are_located(tmp_path: Path) -> None:
    root = copy_fixture("trpc-forward-clean", tmp_path)
    (root / "dualworker.toml").write_text('[[pair]]\nfront = "web/wrangler.jsonc"\nbackend = "nope.toml"\n')
    code, out, err = invoke(str(root))
    assert code == 2 and "dualworker.toml:3:1: pair.backend: nope.toml not found" in out + err
    (root / "dualworker.toml").write_text('[[pair]]\nfront = "web/wrangler.jsonc"\nbinding = 3\n')
    code, out, err = invoke(str(root))
    assert code == 2 and "dualworker.toml:3:1: pair.binding must be a non-empty string" in out + err


def test_init_with_only_a_misnamed_binding_is_refused_at_that_binding(tmp_path: Path) -> None:
    """`check` reports the binding (DW004); `--init` has no pair to write: one located line, exit
    2, no file."""
    from tests.test_check_support import front, make_project

    data = front()
    data["services"] = [{"binding": "BACKEND_SERVICE", "service": "shop-cor"}]
    del data["env"]
    root = make_project(tmp_path, front=data)
    code, _, err = invoke(str(root), "--init")
    assert code == 2
    assert err.strip().startswith("error: web/wrangler.jsonc:15:")
    assert "`BACKEND_SERVICE` binds `shop-cor`" in err and "no front/backend pair" in err
    assert not (root / "dualworker.toml").exists()
    assert invoke(str(root))[0] == 1
