"""`dualworker check`, discovery: behaviour on hand-written projects."""

from __future__ import annotations

from pathlib import Path

from tests.test_check_support import FRONT_TS, front, lint, make_project


def test_config_that_is_a_directory_is_named(tmp_path: Path) -> None:
    """`core/wrangler.jsonc/` used to be skipped, and the error blamed the front's binding."""
    from tests.test_check_cli import _one_liner, invoke

    root = make_project(tmp_path)
    (root / "core" / "wrangler.jsonc").unlink()
    (root / "core" / "wrangler.jsonc").mkdir()
    code, _, err = invoke(str(root))
    assert code == 2
    assert (
        _one_liner(err) == "error: core/wrangler.jsonc:1:1: is a directory, expected a Wrangler config file"
    )


def test_config_that_is_a_symlink_loop_is_one_line(tmp_path: Path) -> None:
    """A self-referencing symlink crashed with a RuntimeError traceback (Path.resolve)."""
    from tests.test_check_cli import _one_liner, invoke

    root = make_project(tmp_path)
    (root / "core" / "wrangler.jsonc").unlink()
    (root / "core" / "wrangler.jsonc").symlink_to("wrangler.jsonc")
    code, _, err = invoke(str(root))
    assert code == 2
    assert _one_liner(err).startswith("error: core/wrangler.jsonc:1:1: cannot read: ")


def test_config_directory_beside_a_config_file_is_ignored_like_wrangler_does(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    (root / "core" / "wrangler.json").mkdir()  # Wrangler's lookup only considers files
    assert lint(root).findings == []


def test_every_binding_between_two_workers_is_checked(tmp_path: Path) -> None:
    """A front binding one backend twice (`API` for fetch, `RPC` with an entrypoint) had only its
    first binding analysed: routes using the second were never checked."""

    data = front()
    data["services"].append({"binding": "RPC", "service": "shop-core", "entrypoint": "InternalApi"})
    data["env"]["staging"]["services"].append(
        {"binding": "RPC", "service": "shop-core-staging", "entrypoint": "InternalApi"}
    )
    index = """import { Hono } from "hono";
import { app as main } from "./app";

main.all("/rpc/*", (c) => c.env.RPC.fetch(c.req.raw));
export default { fetch: main.fetch };
"""

    data["assets"]["not_found_handling"] = "single-page-application"
    root = make_project(tmp_path, front=data, front_ts={**FRONT_TS, "src/index.ts": index})
    found = [(f.rule, f.path, f.line) for f in lint(root).findings]
    # DW008: `/rpc/*` is forwarded too, and `run_worker_first: ["/api/*"]` does not cover it, so the
    # SPA fallback answers it
    assert found == [
        ("DW005", "web/src/index.ts", 4),
        ("DW006", "web/src/index.ts", 4),
        ("DW008", "web/wrangler.jsonc", 8),
    ]


def test_no_pair_error_does_not_blame_a_binding_to_a_known_worker(tmp_path: Path) -> None:
    """With `"binding": 5`, the error said the backend `shop-core` was defined by no config."""
    from tests.test_check_cli import _one_liner, invoke

    data = front()
    data["services"][0]["binding"] = 5
    del data["env"]
    root = make_project(tmp_path, front=data)
    code, _, err = invoke(str(root))
    assert code == 2
    line = _one_liner(err)
    assert "no config" not in line and "which no Wrangler config" not in line
    assert "no service binding between them" in line
