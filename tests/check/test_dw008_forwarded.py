"""DW008: `run_worker_first` must cover the paths the front really forwards; fixes use them."""

from __future__ import annotations

from pathlib import Path

from dualworker_cli.check.engine import run as lint_copy
from dualworker_cli.check.engine import run_with_fixes
from dualworker_cli.check.model import Severity
from dualworker_cli.check.parse import jsonc
from dualworker_cli.check.rules.dw008_assets_first import route_pattern
from tests.check.fixtures import copy_fixture, found, lint


def test_forwarded_trpc_not_covered() -> None:
    """SPA fallback + a `run_worker_first` list: every `/trpc/*` request gets index.html (the API breaks)."""
    result = lint("trpc-forward")
    assert found(result) == [("DW008", "web/wrangler.jsonc", 9)]
    [finding] = result.findings
    assert finding.severity is Severity.WARNING
    assert "`/trpc/*` gets the `single-page-application` fallback (index.html) for every request" in (
        finding.message
    )


def test_fix_adds_the_forwarded_prefix_not_a_guess(tmp_path: Path) -> None:
    root = copy_fixture("trpc-forward", tmp_path)
    after = run_with_fixes(root)
    assert after.findings == []
    data = jsonc.parse((root / "web" / "wrangler.jsonc").read_text()).to_python()
    assert data["assets"]["run_worker_first"] == ["/api/*", "/trpc/*"]


def test_covered_forward_is_clean() -> None:
    assert lint("trpc-forward-clean").findings == []


def test_unreadable_front_guesses_no_prefix_and_says_so(tmp_path: Path) -> None:
    root = copy_fixture("trpc-forward", tmp_path)
    (root / "web" / "src" / "index.ts").unlink()
    config = root / "web" / "wrangler.jsonc"
    config.write_text(config.read_text().replace('"/api/*"', '"/app/*"'))
    result = run_with_fixes(root)
    assert [f.rule for f in result.findings] == ["DW014"] and result.fixed == []
    assert "DW005/DW006/DW008/DW011 did not run on `app-web`" in result.findings[0].message


def test_route_patterns() -> None:
    assert route_pattern("/trpc/*") == "/trpc/*"
    assert route_pattern("/users/:id") == "/users/*"
    assert route_pattern("/live") == "/live"
    assert route_pattern("/:tenant/api") == "/*"


def test_spa_fallback_answers_only_navigations_which_is_harmless() -> None:
    """zitly's shape: SPA fallback, compat date 2025-06-17, `/trpc/*` and a WebSocket path forwarded,
    no `run_worker_first`: fetch and WebSocket requests reach the Worker; a navigation gets the public
    index.html."""
    assert lint("assets-spa-forwarded").findings == []


def test_asset_file_under_a_forwarded_path_is_an_error_and_the_fix_covers_every_forwarded_path(
    tmp_path: Path,
) -> None:
    root = copy_fixture("assets-spa-forwarded", tmp_path)
    leak = root / "web" / "public" / "trpc" / "debug.json"
    leak.parent.mkdir()
    leak.write_text("{}")
    result = lint_copy(root)
    assert found(result) == [("DW008", "web/wrangler.jsonc", 6)]
    [finding] = result.findings
    assert finding.severity is Severity.ERROR
    assert "`web/public/trpc/debug.json` is served under `/trpc/*`" in finding.message
    after = run_with_fixes(root)
    assert after.findings == []
    data = jsonc.parse((root / "web" / "wrangler.jsonc").read_text()).to_python()
    # a list turns the SPA fallback on for every path it leaves out: the WebSocket path goes in too
    assert data["assets"]["run_worker_first"] == ["/trpc/*", "/click-socket"]


def test_a_run_worker_first_list_leaving_a_forwarded_path_out_breaks_it(tmp_path: Path) -> None:
    root = copy_fixture("assets-spa-forwarded", tmp_path)
    config = root / "web" / "wrangler.jsonc"
    config.write_text(
        config.read_text().replace('"./public",', '"./public",\n    "run_worker_first": ["/trpc/*"],')
    )
    [finding] = lint_copy(root).findings
    assert finding.severity is Severity.WARNING
    assert "`/click-socket` gets the `single-page-application` fallback (index.html)" in finding.message


def test_no_forwarded_path_known_guesses_no_prefix(tmp_path: Path) -> None:
    """An RPC-only front (defn/dev's shape): nothing forwarded by path, so `/api/internal/*` is not
    checked, even with a file there, until dualworker.toml names `api_prefix`."""
    root = copy_fixture("assets-spa-forwarded", tmp_path)
    (root / "web" / "src" / "index.ts").write_text(
        "type Env = { API: { add(a: number, b: number): Promise<number> } };\n"
        "export default {\n"
        "  async fetch(_request: Request, env: Env) {\n"
        "    return new Response(String(await env.API.add(1, 2)));\n"
        "  },\n"
        "};\n"
    )
    export = root / "web" / "public" / "api" / "internal" / "export.json"
    export.parent.mkdir(parents=True)
    export.write_text("{}")
    assert [f.rule for f in lint_copy(root).findings if f.rule == "DW008"] == []
    (root / "dualworker.toml").write_text(
        '[front]\nconfig = "web/wrangler.jsonc"\n[backend]\nconfig = "api/wrangler.toml"\n'
        'binding = "API"\napi_prefix = "/api/internal/"\n'
    )
    [finding] = [f for f in lint_copy(root).findings if f.rule == "DW008"]
    assert "`web/public/api/internal/export.json` is served under `/api/internal/*`" in finding.message
