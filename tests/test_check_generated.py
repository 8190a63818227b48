"""Every project `dualworker new` can generate passes `dualworker check` with zero findings.

Rendering needs no npm. It renders from a plain copy of this checkout's template (what
`dualworker new` renders, minus Copier's git clone of the repository, which is 4x slower).
The test also asserts that the analysis really saw the generated code (routes, proxy
calls), so "zero findings" cannot come from analysing nothing.
"""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import pytest

from dualworker_cli.check.analysis import front_analysis
from dualworker_cli.check.engine import run
from dualworker_cli.check.parse.jsonc import parse as parse_jsonc
from dualworker_cli.generate import PATTERNS

COMBOS = [list(c) for n in range(len(PATTERNS) + 1) for c in itertools.combinations(PATTERNS, n)]


@pytest.mark.parametrize("frontend", ["static", "react"])
@pytest.mark.parametrize("auth_mode", ["secret", "jwks"])
@pytest.mark.parametrize("patterns", COMBOS, ids=lambda p: "+".join(p) or "none")
def test_generated_project_is_clean(rendered, patterns: list[str], auth_mode: str, frontend: str) -> None:
    project = rendered(patterns, auth_mode, frontend)
    result = run(project)
    assert [(f.rule, f.path, f.line, f.message) for f in result.findings] == []
    assert result.project.mode == "dualworker.toml"
    settings = result.project.settings
    assert settings.auth_middleware == ["authMiddleware"] + (
        ["websocketAuth"] if "websocket" in patterns else []
    )
    assert (settings.identity_header, settings.api_prefix, settings.public_routes) == (
        "X-User-Id",
        "/api/internal/",
        [],
    )
    pair = result.project.pairs[0]
    assert (pair.front.config.rel, pair.backend.config.rel, pair.binding) == (
        "apps/user-application/wrangler.jsonc",
        "apps/data-service/wrangler.jsonc",
        "BACKEND_SERVICE",
    )
    analysis = front_analysis(result.project, pair)
    routes = {(r.registration.method, r.full_path): r.protected for r in analysis.routes}
    assert routes.get(("all", "/api/internal/*")) is True
    if "websocket" in patterns:
        assert routes.get(("get", "/api/ws/:room")) is True
    assert analysis.proxy_calls, "the proxy's BACKEND_SERVICE.fetch call was not found"
    assert len(result.rules) == 16


def _fake_vite_build(project: Path) -> None:
    """What `npm run build` leaves in a react project (apps/user-application/dist and the plugin's
    redirect file): built Worker configs (flattened JSON, `main: index.js`), bundles and the SPA."""
    app = project / "apps/user-application"
    for role, source in (
        ("user", app / "wrangler.jsonc"),
        ("data", project / "apps/data-service/wrangler.jsonc"),
    ):
        config = parse_jsonc(source.read_text()).to_python()
        config.pop("env", None)
        config.pop("$schema", None)
        config.update(main="index.js", configPath=str(source), targetEnvironment="staging")
        if role == "user":
            config["assets"] = {**config["assets"], "directory": "../client"}
        out = app / "dist" / f"demo_{role}"
        out.mkdir(parents=True)
        (out / "wrangler.json").write_text(json.dumps(config))
        (out / "index.js").write_text(
            'const a = new Hono(); a.all("/api/internal/*", (c) => c.env.BACKEND_SERVICE.fetch(c.req.raw));\n'
        )
        (out / ".dev.vars").write_text("JWT_SECRET='not-a-real-secret'\n")
    (app / "dist/client/assets").mkdir(parents=True)
    (app / "dist/client/index.html").write_text("<!doctype html><div id=root></div>")
    (app / "dist/client/assets/index-abc.js").write_text("fetch('/api/internal/whoami')\n")
    redirect = app / ".wrangler/deploy"
    redirect.mkdir(parents=True)
    (redirect / "config.json").write_text(
        json.dumps(
            {
                "configPath": "../../dist/demo_user/wrangler.json",
                "auxiliaryWorkers": [{"configPath": "../../dist/demo_data/wrangler.json"}],
            }
        )
    )


@pytest.mark.parametrize("with_toml", [True, False], ids=["dualworker.toml", "discovered"])
@pytest.mark.parametrize("patterns", [[], list(PATTERNS)], ids=["none", "all"])
def test_built_react_project_is_clean(rendered, tmp_path: Path, patterns: list[str], with_toml: bool) -> None:
    """After `npm run build`, dist/ and .wrangler/ hold Worker configs and bundles: they are build
    output, not sources, and not a third Worker."""
    project = tmp_path / "demo"
    shutil.copytree(rendered(patterns, "secret", "react"), project)
    _fake_vite_build(project)
    if not with_toml:
        (project / "dualworker.toml").unlink()
    result = run(project)
    assert [(f.rule, f.path, f.line, f.message) for f in result.findings] == []
    configs = sorted(worker.config.rel for worker in result.project.workers)
    assert configs == ["apps/data-service/wrangler.jsonc", "apps/user-application/wrangler.jsonc"]
