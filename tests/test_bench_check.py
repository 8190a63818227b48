"""Benchmarks for `dualworker check` (pytest-benchmark; run once as plain tests by default).

`--benchmark-disable` is in addopts, so these run once in the normal suite. To measure:
`pytest tests/test_bench_check.py --benchmark-enable`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dualworker_cli.check.engine import run
from dualworker_cli.generate import Answers, render

PAIRS = 100  # 200 Workers

FRONT_APP = """import {{ Hono }} from "hono";
import {{ authMiddleware }} from "./auth";
import {{ proxy }} from "./proxy";

export const app = new Hono();
app.use("/api/internal/*", authMiddleware);
app.all("/api/internal/*", proxy);
app.get("/api/health", (c) => c.json({{ ok: true, service: "{name}" }}));
"""
FRONT_PROXY = """export async function proxy(c) {
  const headers = new Headers(c.req.raw.headers);
  headers.delete("X-User-Id");
  headers.set("X-User-Id", c.get("userId"));
  return c.env.BACKEND_SERVICE.fetch(new Request(c.req.raw, { headers }));
}
"""
FRONT_AUTH = """export const authMiddleware = async (c, next) => {
  if (!c.req.header("Authorization")) return c.json({ error: "unauthorized" }, 401);
  await next();
};
"""


def make_monorepo(root: Path, pairs: int = PAIRS) -> Path:
    """``pairs`` front/backend pairs under services/<i>/{web,core} with other binding names."""
    for i in range(pairs):
        base = root / "services" / f"svc{i:03d}"
        web, core = base / "web", base / "core"
        (web / "src").mkdir(parents=True)
        (core / "src").mkdir(parents=True)
        web_config = {
            "name": f"svc{i}-web",
            "main": "src/index.ts",
            "compatibility_date": "2026-11-01",
            "services": [{"binding": "BACKEND_SERVICE", "service": f"svc{i}-core", "entrypoint": "Api"}],
            "env": {
                "staging": {
                    "services": [
                        {"binding": "BACKEND_SERVICE", "service": f"svc{i}-core-staging", "entrypoint": "Api"}
                    ]
                }
            },
        }
        core_config = {
            "name": f"svc{i}-core",
            "main": "src/index.ts",
            "compatibility_date": "2026-11-01",
            "workers_dev": False,
            "preview_urls": False,
            "env": {"staging": {}},
        }
        (web / "wrangler.jsonc").write_text("// front\n" + json.dumps(web_config, indent=2))
        (core / "wrangler.jsonc").write_text("// backend\n" + json.dumps(core_config, indent=2))
        (web / "src" / "index.ts").write_text('import { app } from "./app";\nexport default app;\n')
        (web / "src" / "app.ts").write_text(FRONT_APP.format(name=f"svc{i}"))
        (web / "src" / "proxy.ts").write_text(FRONT_PROXY)
        (web / "src" / "auth.ts").write_text(FRONT_AUTH)
        (core / "src" / "index.ts").write_text("export class Api {}\nexport default {};\n")
        (base / "node_modules" / "dep").mkdir(parents=True)
        (base / "node_modules" / "dep" / "wrangler.toml").write_text('name = "ignored"\n')
    return root


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory, template_copy: Path) -> Path:
    return render(Answers(project_name="bench"), tmp_path_factory.mktemp("gen") / "bench", src=template_copy)


@pytest.fixture(scope="module")
def monorepo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_monorepo(tmp_path_factory.mktemp("mono"))


@pytest.mark.benchmark(group="check")
def test_bench_generated_project(benchmark, generated: Path) -> None:
    result = benchmark(run, generated)
    assert result.findings == []


#: 1,600 Workers (~5 s of writing files and one check) run with the e2e tests; 100 and 400 run the
#: same assertions in the fast suite.
@pytest.fixture(
    scope="module", params=[100, 400, pytest.param(1600, marks=pytest.mark.e2e)], ids=lambda n: f"{n}-workers"
)
def styled_monorepo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, int]:
    from tests.monorepo import make_monorepo

    return make_monorepo(tmp_path_factory.mktemp("styled"), request.param), request.param


@pytest.mark.benchmark(group="check-scaling")
def test_bench_check_scaling(benchmark, styled_monorepo: tuple[Path, int]) -> None:
    """Four hand-written styles (Hono proxy, plain fetch, RPC, WebSocket): every analysis runs,
    nothing is reported. `benchmarks/scaling.py` prints the 100 / 400 / 1,600 table."""
    root, workers = styled_monorepo
    result = benchmark.pedantic(run, args=(root,), rounds=3, iterations=1)
    assert len(result.project.workers) == workers
    assert len(result.project.pairs) == workers // 2
    assert [(f.rule, f.path, f.message) for f in result.findings if f.severity > 1] == []


@pytest.mark.benchmark(group="check")
def test_bench_monorepo_200_workers(benchmark, monorepo: Path) -> None:
    result = benchmark.pedantic(run, args=(monorepo,), rounds=3, iterations=1)
    assert len(result.project.workers) == 2 * PAIRS
    assert len(result.project.pairs) == PAIRS
    assert result.findings == []
