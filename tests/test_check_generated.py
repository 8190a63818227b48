"""Every project `dualworker new` can generate passes `dualworker check` with zero findings.

Rendering needs no npm. It renders from a plain copy of this checkout's template (what
`dualworker new` renders, minus Copier's git clone of the repository, which is 4x slower).
The test also asserts that the analysis really saw the generated code (routes, proxy
calls), so "zero findings" cannot come from analysing nothing.
"""

from __future__ import annotations

import itertools

import pytest

from dualworker_cli.check.analysis import front_analysis
from dualworker_cli.check.engine import run
from dualworker_cli.generate import PATTERNS

COMBOS = [list(c) for n in range(len(PATTERNS) + 1) for c in itertools.combinations(PATTERNS, n)]


@pytest.mark.parametrize("auth_mode", ["secret", "jwks"])
@pytest.mark.parametrize("patterns", COMBOS, ids=lambda p: "+".join(p) or "none")
def test_generated_project_is_clean(rendered, patterns: list[str], auth_mode: str) -> None:
    project = rendered(patterns, auth_mode)
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
