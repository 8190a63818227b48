"""Discovery on hand-written layouts: TOML configs, other names, chains, monorepos."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dualworker_cli.check.discover import discover
from dualworker_cli.check.engine import run
from dualworker_cli.check.model import Severity
from dualworker_cli.check.parse.errors import ParseError
from tests.test_check_support import make_project


def test_toml_front_other_names_and_binding(tmp_path: Path) -> None:
    """wrangler.toml front in gateway/, JSON backend in services/ledger/, binding LEDGER."""
    (tmp_path / "gateway" / "src").mkdir(parents=True)
    (tmp_path / "gateway" / "wrangler.toml").write_text(
        """name = "gateway"
main = "src/main.ts"
compatibility_date = "2026-11-01"

[[services]]
binding = "LEDGER"
service = "ledger"
entrypoint = "Ledger"
"""
    )
    (tmp_path / "gateway" / "src" / "main.ts").write_text(
        """import { Hono } from "hono";
import { jwt } from "hono/jwt";
const api = new Hono().basePath("/v1");
api.use("/ledger/*", jwt({ secret: "x" }));
api.all("/ledger/*", (c) => c.env.LEDGER.fetch(c.req.raw));
api.get("/open/*", (c) => c.env.LEDGER.fetch(c.req.raw));
export default api;
"""
    )
    ledger = tmp_path / "services" / "ledger"
    (ledger / "src").mkdir(parents=True)
    (ledger / "wrangler.json").write_text(
        json.dumps(
            {
                "name": "ledger",
                "main": "src/index.ts",
                "compatibility_date": "2026-11-01",
                "d1_databases": [{"binding": "DB", "database_name": "ledger"}],
            }
        )
    )
    (ledger / "src" / "index.ts").write_text("export class Ledger {}\nexport default {};\n")
    (tmp_path / "node_modules" / "x").mkdir(parents=True)
    (tmp_path / "node_modules" / "x" / "wrangler.toml").write_text("not = [valid")  # skipped
    result = run(tmp_path)
    [pair] = result.project.pairs
    assert (pair.front.config.rel, pair.backend.config.rel, pair.binding) == (
        "gateway/wrangler.toml",
        "services/ledger/wrangler.json",
        "LEDGER",
    )
    by_rule = {(f.rule, f.path, f.line) for f in result.findings}
    assert ("DW002", "services/ledger/wrangler.json", 1) in by_rule
    # the basePath is applied; /v1/ledger/* is covered by jwt(), /v1/open/* is not
    dw005 = [f for f in result.findings if f.rule == "DW005"]
    assert [(f.path, f.line) for f in dw005] == [("gateway/src/main.ts", 6)]
    assert "/v1/open/*" in dw005[0].message
    # DW006: c.req.raw is forwarded, but the ledger reads no header at all, so no client-sent header
    # can pass for an identity (the old assumed `X-User-Id` made this a false positive)
    assert [f for f in result.findings if f.rule == "DW006"] == []


def test_chain_of_three_workers(tmp_path: Path) -> None:
    """edge -> api -> db: api is both a backend (of edge) and a front (of db)."""
    for name, binds in (("edge", "api"), ("api", "db"), ("db", None)):
        data = {
            "name": name,
            "main": "src/index.ts",
            "compatibility_date": "2026-11-01",
            "workers_dev": False,
            "preview_urls": False,
        }
        if binds:
            data["services"] = [{"binding": binds.upper(), "service": binds, "entrypoint": "Internal"}]
        (tmp_path / name).mkdir()
        (tmp_path / name / "wrangler.jsonc").write_text(json.dumps(data))
    project = discover(tmp_path)
    assert [(p.front.name, p.backend.name, p.binding) for p in project.pairs] == [
        ("api", "db", "DB"),
        ("edge", "api", "API"),
    ]
    assert [w.name for w in project.fronts] == ["edge"]
    assert sorted(w.name for w in project.backends) == ["api", "db"]


def test_configs_without_pairs_are_a_located_error_or_finding(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    # a file: its folder, with one config, is the root; its binding's target is outside it
    result = run(root / "web" / "wrangler.jsonc")
    shown = [(f.rule, f.path, f.line, f.severity) for f in result.findings if f.rule in ("DW004", "DW014")]
    assert shown == [
        ("DW014", "wrangler.jsonc", 3, Severity.INFO),
        ("DW004", "wrangler.jsonc", 15, Severity.ERROR),
        ("DW004", "wrangler.jsonc", 36, Severity.ERROR),
    ]
    assert "binds `shop-core`, a Worker no config in this project defines" in result.findings[1].message
    for name in ("a", "b"):
        (tmp_path / "solo" / name).mkdir(parents=True)
        (tmp_path / "solo" / name / "wrangler.toml").write_text(f'name = "{name}"\n')
    with pytest.raises(ParseError) as info:
        discover(tmp_path / "solo")
    assert str(info.value) == (
        f"{(tmp_path / 'solo').resolve()}: found 2 Wrangler config(s) but no service binding between them, "
        "so no front and backend; add dualworker.toml to name them"
    )


def test_tsconfig_path_aliases_are_followed(tmp_path: Path) -> None:
    """`import { proxy } from "@/proxy"` (tsconfig paths): the spoofable proxy is still found."""
    from tests.test_check_support import FRONT_TS

    files = dict(FRONT_TS)
    files["src/app.ts"] = files["src/app.ts"].replace('from "./proxy"', 'from "@/lib/proxy"')
    files["src/lib/proxy.ts"] = """export async function proxy(c) {
  const headers = { ...c.req.header(), "X-User-Id": "u" };
  return c.env.BACKEND_SERVICE.fetch(new Request(c.req.raw, { headers }));
}
"""
    del files["src/proxy.ts"]
    files["tsconfig.json"] = (
        '{\n  // aliases\n  "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["src/*"] } },\n}\n'
    )
    result = run(make_project(tmp_path, front_ts=files))
    assert [(f.rule, f.path) for f in result.findings] == [("DW006", "web/src/lib/proxy.ts")]


def test_binding_to_unknown_worker(tmp_path: Path) -> None:
    """Discovered mode: a binding whose target no config defines is DW004; with no pair left at
    all, exit-2 error located at that binding."""
    from tests.test_check_support import front

    data = front()
    data["services"].append({"binding": "AUDIT", "service": "audit-log"})
    result = run(make_project(tmp_path, front=data))
    [finding] = [f for f in result.findings if f.rule == "DW004"]
    assert "binds `audit-log`, a Worker no config in this project defines" in finding.message
    assert finding.path == "web/wrangler.jsonc"

    data = front()
    data["services"] = [{"binding": "BACKEND_SERVICE", "service": "shop-cor"}]
    del data["env"]
    result = run(make_project(tmp_path / "typo", front=data))
    [typo] = [f for f in result.findings if f.rule == "DW004"]
    assert typo.path == "web/wrangler.jsonc" and "binds `shop-cor`, a Worker no config" in typo.message
    assert any(f.rule == "DW014" and "no front/backend pair was found" in f.message for f in result.findings)
