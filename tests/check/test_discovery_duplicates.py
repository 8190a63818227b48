"""Discovery: a Worker name defined twice pairs by the nearest enclosing project, or is an error."""

from __future__ import annotations

import json
from pathlib import Path

from dualworker_cli.check.discover import discover
from dualworker_cli.check.model import Severity
from tests.check.fixtures import copy_fixture, found, lint


def test_duplicate_names_pair_within_their_own_project() -> None:
    result = lint("duplicate-names")
    pairs = sorted((p.front.config.rel, p.backend.config.rel) for p in result.project.pairs)
    assert pairs == [
        ("projects/blog/apps/web/wrangler.jsonc", "projects/blog/apps/api/wrangler.toml"),
        ("projects/shop/apps/web/wrangler.jsonc", "projects/shop/apps/api/wrangler.toml"),
    ]
    assert result.findings == []


def test_equally_near_duplicates_are_an_error_naming_both() -> None:
    result = lint("duplicate-names-ambiguous")
    [finding] = [f for f in result.findings if f.rule == "DW004"]
    assert (finding.path, finding.line, finding.severity.label) == ("apps/web/wrangler.jsonc", 9, "error")
    assert "`apps/api/wrangler.toml` and `apps/api-next/wrangler.toml`" in finding.message
    # the unambiguous binding is still paired and checked; no pair with either `api` is guessed
    assert [p.backend.config.rel for p in result.project.pairs] == ["apps/auth/wrangler.toml"]
    assert found(result) == [("DW004", "apps/web/wrangler.jsonc", 9)]


def test_ambiguity_with_no_other_pair_is_a_dw004_error_and_says_no_pair_was_checked(tmp_path: Path) -> None:
    root = copy_fixture("duplicate-names-ambiguous", tmp_path)
    config = root / "apps" / "web" / "wrangler.jsonc"
    config.write_text(config.read_text().replace('"service": "auth"', '"service": "api"'))
    result = lint(root)
    assert not result.project.pairs
    ambiguous = [f for f in result.findings if f.rule == "DW004"]
    assert [(f.path, f.line, f.severity) for f in ambiguous] == [
        ("apps/web/wrangler.jsonc", 9, Severity.ERROR),  # API
        ("apps/web/wrangler.jsonc", 14, Severity.ERROR),  # AUTH, now bound to `api` too
    ]
    assert all("apps/api/wrangler.toml` and `apps/api-next/wrangler.toml" in f.message for f in ambiguous)
    [no_pair] = [f for f in result.findings if f.rule == "DW014"]
    assert no_pair.path == "apps/web/wrangler.jsonc" and "no front/backend pair was found" in no_pair.message


def test_a_unique_name_still_pairs_across_packages(tmp_path: Path) -> None:
    """npm workspaces put front and backend in different packages: a unique name needs no project."""
    root = copy_fixture("duplicate-names", tmp_path)
    (root / "projects" / "blog" / "apps" / "api" / "wrangler.toml").unlink()
    result = discover(root)
    assert {p.backend.config.rel for p in result.pairs} == {"projects/shop/apps/api/wrangler.toml"}


def test_two_configs_of_one_worker_same_name_and_entry_are_one_worker(tmp_path: Path) -> None:
    """A service's own wrangler.toml and its copy under iac/ (same name, same entry file) are one
    Worker: a binding to that name is paired, not ambiguous; the config a deploy command names is
    the one checked, the other is said (DW014)."""
    import json as _json

    from dualworker_cli.check.engine import run as _run

    (tmp_path / "services" / "pricing" / "src").mkdir(parents=True)
    (tmp_path / "services" / "pricing" / "src" / "index.ts").write_text(
        "export default { fetch: () => new Response('ok') };\n"
    )
    service = 'name = "pricing"\nmain = "{main}"\ncompatibility_date = "2026-01-01"\nworkers_dev = false\n'
    (tmp_path / "services" / "pricing" / "wrangler.toml").write_text(service.format(main="src/index.ts"))
    (tmp_path / "iac" / "workers").mkdir(parents=True)
    (tmp_path / "iac" / "workers" / "pricing.toml").write_text(
        service.format(main="../../services/pricing/src/index.ts")
    )
    (tmp_path / "iac" / "workers" / "gateway.toml").write_text(
        'name = "gateway"\nmain = "../../gateway/index.ts"\ncompatibility_date = "2026-01-01"\n\n'
        '[[services]]\nbinding = "PRICING"\nservice = "pricing"\n'
    )
    (tmp_path / "gateway").mkdir()
    (tmp_path / "gateway" / "index.ts").write_text(
        "export default { fetch: (r: Request, env: any) => env.PRICING.fetch(r) };\n"
    )
    (tmp_path / "package.json").write_text(
        _json.dumps({"scripts": {"deploy": "wrangler deploy --config iac/workers/pricing.toml"}})
    )
    result = _run(tmp_path)
    assert not [f for f in result.findings if f.rule == "DW004"]
    assert [(p.front.name, p.backend.config.rel) for p in result.project.pairs] == [
        ("gateway", "iac/workers/pricing.toml")
    ]
    skipped = [f for f in result.findings if f.rule == "DW014"]
    assert any(
        "services/pricing/wrangler.toml" in f.path and "same name, same entry" in f.message for f in skipped
    )


def test_a_duplicate_whose_package_deploys_nothing_is_not_a_candidate(tmp_path: Path) -> None:
    """A mock for end-to-end tests reuses the real Worker's name and says `"deploy": "echo ..."`:
    the binding means the real Worker, so the pair is made, not reported as ambiguous."""
    root = copy_fixture("duplicate-names-ambiguous", tmp_path)
    package = root / "apps" / "api-next" / "package.json"
    data = json.loads(package.read_text())
    data["scripts"] = {"dev": "wrangler dev", "deploy": "echo 'mock worker: do not deploy' && exit 0"}
    package.write_text(json.dumps(data))
    result = lint(root)
    assert not [f for f in result.findings if f.rule == "DW004"]
    assert sorted(p.backend.config.rel for p in result.project.pairs) == [
        "apps/api/wrangler.toml",
        "apps/auth/wrangler.toml",
    ]
    # a deploy script that deploys (whatever else it prints) keeps the tie
    data["scripts"]["deploy"] = "echo deploying && wrangler deploy"
    package.write_text(json.dumps(data))
    assert [f.rule for f in lint(root).findings if f.rule == "DW004"] == ["DW004"]
