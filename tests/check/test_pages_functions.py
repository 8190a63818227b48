"""A Pages project's Functions are its front's routes (fixture pages-functions-front): file-based
paths (`[[path]]` -> `*`, `[id]` -> `:id`, `index` -> its folder), `onRequest<Method>` handlers, and
`_middleware` files running before everything under their folder."""

from __future__ import annotations

import shutil
from pathlib import Path

from dualworker_cli.check.analysis import _pages_route, front_analysis
from tests.check.fixtures import fixture, found, lint

NAME = "pages-functions-front"
SHARE = "frontend/functions/share/[id].js"


def test_pages_function_paths_follow_the_file_names() -> None:
    top = Path("/p/functions")
    assert _pages_route(top, top / "api/[[path]].js") == ("/api/*", False)
    assert _pages_route(top, top / "users/[id]/index.ts") == ("/users/:id", False)
    assert _pages_route(top, top / "index.js") == ("/", False)
    assert _pages_route(top, top / "api/_middleware.js") == ("/api/*", True)
    assert _pages_route(top, top / "_middleware.ts") == ("/*", True)


def test_pages_functions_are_routes_behind_their_middleware() -> None:
    result = lint(NAME)
    [pair] = result.project.pairs
    routes = {
        (r.registration.method, r.full_path): r.protected for r in front_analysis(result.project, pair).routes
    }
    assert routes == {("all", "/api/*"): True, ("get", "/share/:id"): False}
    assert found(result) == [("DW005", SHARE, 2)]
    assert "`GET /share/:id` reaches `BACKEND`" in result.findings[0].message


def test_a_function_under_the_middleware_folder_is_protected(tmp_path: Path) -> None:
    root = tmp_path / NAME
    shutil.copytree(fixture(NAME), root)
    (root / "frontend/functions/api/share").mkdir()
    (root / SHARE).rename(root / "frontend/functions/api/share/[id].js")
    assert found(lint(root)) == []


def test_a_pages_project_without_functions_says_its_code_was_not_read(tmp_path: Path) -> None:
    root = tmp_path / NAME
    shutil.copytree(fixture(NAME), root)
    shutil.rmtree(root / "frontend/functions")
    (root / "frontend/functions").mkdir()
    [finding] = lint(root).findings
    assert finding.rule == "DW014" and "a Pages project without Pages Functions" in finding.message
