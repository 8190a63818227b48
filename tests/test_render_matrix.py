"""Every pattern combination x auth mode x frontend renders cleanly, and a pattern leaves no trace
when absent (in the React app too: no component, route, type or dependency)."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest

from dualworker_cli.check.parse.jsonc import parse as parse_jsonc

PATTERNS = ("queue", "websocket", "workflow")
COMBOS = [list(c) for n in range(4) for c in itertools.combinations(PATTERNS, n)]
AUTH_MODES = ("secret", "jwks")
FRONTENDS = ("static", "react")
USER_CFG = "apps/user-application/wrangler.jsonc"
DATA_CFG = "apps/data-service/wrangler.jsonc"
#: What each pattern adds to the Workers' configs (top level and every env block).
CONFIG_KEYS = {"queue": "queues", "websocket": "durable_objects", "workflow": "workflows"}
#: Words that must not appear anywhere in a project that lacks the pattern.
TRACES = {
    "queue": re.compile(r"queues?(?![a-z])|MessageBatch|dead.?letter", re.IGNORECASE),  # not "queued"
    "websocket": re.compile(r"websocket|durable.?object", re.IGNORECASE),
    "workflow": re.compile(r"workflow(?!s?/ci)(?!_dispatch)", re.IGNORECASE),
}
TEXT_SUFFIXES = {
    ".ts",
    ".tsx",
    ".js",
    ".mjs",
    ".json",
    ".jsonc",
    ".toml",
    ".sql",
    ".html",
    ".css",
    ".md",
    ".yml",
}


def _files(project: Path) -> list[Path]:
    return sorted(p for p in project.rglob("*") if p.is_file() and ".git" not in p.parts)


def _configs(project: Path) -> list[dict]:
    """The top-level config and each env block of both Workers."""
    blocks = []
    for rel in (USER_CFG, DATA_CFG):
        cfg = parse_jsonc((project / rel).read_text()).to_python()
        blocks.append(cfg)
        blocks.extend(cfg.get("env", {}).values())
    return blocks


@pytest.mark.parametrize("frontend", FRONTENDS)
@pytest.mark.parametrize("auth", AUTH_MODES)
@pytest.mark.parametrize("patterns", COMBOS, ids=lambda c: "+".join(c) or "none")
def test_render_combination(rendered, patterns: list[str], auth: str, frontend: str) -> None:
    project = rendered(patterns, auth, frontend)
    files = _files(project)
    assert (project / USER_CFG).is_file() and (project / DATA_CFG).is_file()

    for path in files:
        if path.suffix not in TEXT_SUFFIXES and path.name not in {".gitignore", ".dev.vars.example"}:
            continue
        text = path.read_text()
        assert "{{" not in text and "{%" not in text, f"unrendered Jinja in {path}"
        assert "TODO" not in text and "FIXME" not in text, f"placeholder left in {path}"
        if path.suffix == ".md":  # a heading glued to the line before it (Jinja whitespace control)
            assert not re.search(r"[^\s#]##+ ", text), f"heading joined to text in {path}"
        if path.name == "package.json":
            json.loads(text)  # npm reads strict JSON
        elif path.suffix in {".json", ".jsonc"}:
            parse_jsonc(text)  # tsconfig and wrangler configs allow comments

    blocks = _configs(project)
    for pattern, key in CONFIG_KEYS.items():
        # The pattern's bindings appear in some block when chosen, in none when not.
        assert any(block.get(key) for block in blocks) is (pattern in patterns), (pattern, key)

    for pattern in set(PATTERNS) - set(patterns):
        for path in files:
            rel = path.relative_to(project).as_posix()
            assert not TRACES[pattern].search(rel), f"{rel} belongs to the absent {pattern} pattern"
            if path.suffix in TEXT_SUFFIXES and path.name != ".copier-answers.yml":
                match = TRACES[pattern].search(path.read_text())
                assert match is None, f"{rel} mentions {match.group(0)!r} without the {pattern} pattern"

    answers = (project / ".copier-answers.yml").read_text()
    assert "_src_path" in answers
    assert f"frontend: {frontend}" in answers  # `dualworker update` keeps it


APP = "apps/user-application"
REACT_FILES = (
    f"{APP}/vite.config.ts",
    f"{APP}/index.html",
    f"{APP}/tsconfig.app.json",
    f"{APP}/src/main.tsx",
    f"{APP}/src/App.tsx",
    f"{APP}/src/api.ts",
    "scripts/build.mjs",
    "scripts/deploy.mjs",
)
STATIC_FILES = (f"{APP}/public/index.html", f"{APP}/public/app.js")
#: The React panel of each pattern.
PANELS = {"queue": "EventsPanel", "websocket": "ChatPanel", "workflow": "WorkflowPanel"}


@pytest.mark.parametrize("patterns", COMBOS, ids=lambda c: "+".join(c) or "none")
def test_react_project_layout(rendered, patterns: list[str]) -> None:
    project = rendered(patterns, "secret", "react")
    for rel in REACT_FILES:
        assert (project / rel).is_file(), rel
    for rel in STATIC_FILES:
        assert not (project / rel).exists(), rel
    components = {p.stem for p in (project / APP / "src/components").iterdir()}
    assert components == {"Notes", "SignIn"} | {PANELS[p] for p in patterns}
    app_tsx = (project / APP / "src/App.tsx").read_text()
    for pattern, panel in PANELS.items():
        assert (panel in app_tsx) is (pattern in patterns), panel

    user = parse_jsonc((project / USER_CFG).read_text()).to_python()
    assets = user["assets"]
    assert assets["not_found_handling"] == "single-page-application"
    # Every route of the User Worker is under /api/: the SPA fallback never answers one of them.
    assert assets["run_worker_first"] == ["/api/*"]
    routes = re.findall(
        r'^\s*\.(?:get|post|put|delete|all)\("([^"]+)"',
        (project / APP / "worker/hono/app.ts").read_text(),
        re.M,
    )
    assert routes and all(route.startswith("/api/") for route in routes), routes

    root = json.loads((project / "package.json").read_text())
    scripts = root["scripts"]
    assert scripts["dev"] == "X_LOCAL_EXPLORER=false vite dev apps/user-application"
    assert scripts["build"] == "node scripts/build.mjs"
    assert scripts["deploy:staging"] == "node scripts/deploy.mjs --env staging"
    # Nothing deploys the source configs (that would skip the Vite build) or picks --env on a build.
    assert not any("wrangler deploy" in script for script in scripts.values()), scripts
    assert root["overrides"]["workerd"] == root["devDependencies"].get(
        "workerd", root["overrides"]["workerd"]
    )
    app = json.loads((project / APP / "package.json").read_text())
    assert {"react", "react-dom"} <= set(app["dependencies"])


@pytest.mark.parametrize("patterns", [[], list(PATTERNS)], ids=["none", "all"])
def test_static_project_has_no_trace_of_react(rendered, patterns: list[str]) -> None:
    project = rendered(patterns, "secret", "static")
    for rel in REACT_FILES:
        assert not (project / rel).exists(), rel
    for path in _files(project):
        rel = path.relative_to(project).as_posix()
        if path.suffix in TEXT_SUFFIXES | {".jsonc"} and path.name != ".copier-answers.yml":
            match = re.search(r"\bvite\b|\breact\b|\.tsx\b|hc<", path.read_text(), re.IGNORECASE)
            assert match is None, f"{rel} mentions {match.group(0)!r} in a static project"


def test_env_blocks_repeat_pattern_bindings(rendered) -> None:
    """Bindings are not inherited by env blocks: staging and production must repeat each one."""
    project = rendered()
    for rel in (USER_CFG, DATA_CFG):
        cfg = parse_jsonc((project / rel).read_text()).to_python()
        envs = cfg.get("env", {})
        assert {"staging", "production"} <= set(envs), rel
        for key in ("services", "durable_objects", "queues", "workflows", "d1_databases", "vars"):
            if key in cfg:
                for name in ("staging", "production"):
                    assert key in envs[name], f"{rel}: env.{name} lacks {key}"
    user = parse_jsonc((project / USER_CFG).read_text()).to_python()
    assert user["services"][0]["binding"] == "BACKEND_SERVICE"
    assert user["services"][0]["service"] == "demo-data"
    assert user["env"]["staging"]["services"][0]["service"] == "demo-data-staging"
    assert user["env"]["production"]["services"][0]["service"] == "demo-data-production"
    data = parse_jsonc((project / DATA_CFG).read_text()).to_python()
    assert data["workers_dev"] is False and data["preview_urls"] is False
    assert "routes" not in data and "route" not in data


def test_deployable_config_and_migrations_hold_no_dev_data(rendered) -> None:
    """What deploys holds nothing meant for local development: the migrations are schema only (the
    demo users alice and bob live in seeds/local.sql, applied by `predev` and the tests, never by a
    remote migration), and no environment allows localhost origins (the page's own origin always
    is). `npm run dev` turns wrangler's Local Explorer off."""
    project = rendered()
    app = project / "apps/user-application"
    for migration in sorted((app / "migrations").glob("*.sql")):
        assert not re.search(r"\bINSERT\b", migration.read_text(), re.IGNORECASE), migration.name
    seed = (app / "seeds/local.sql").read_text()
    assert "'alice'" in seed and "INSERT OR IGNORE" in seed
    scripts = json.loads((project / "package.json").read_text())["scripts"]
    assert scripts["predev"].endswith("npm run db:migrate:local && npm run db:seed:local")
    assert "--local" in scripts["db:seed:local"] and "seeds/local.sql" in scripts["db:seed:local"]
    assert not any("seeds" in cmd for name, cmd in scripts.items() if "remote" in name or "deploy" in name)
    assert scripts["dev"].startswith("X_LOCAL_EXPLORER=false wrangler dev ")
    for block in _configs(project):
        origins = block.get("vars", {}).get("ALLOWED_ORIGINS", "")
        assert "localhost" not in origins and "127.0.0.1" not in origins, origins


#: The limiter each pattern puts in front of the route that costs money (POST /api/events,
#: POST /api/internal/trigger-workflow).
RATE_LIMITERS = {"queue": "EVENTS_RATE_LIMIT", "workflow": "WORKFLOW_RATE_LIMIT"}
RATE_LIMIT_TS = "apps/user-application/worker/hono/rate-limit.ts"


@pytest.mark.parametrize("patterns", COMBOS, ids=lambda c: "+".join(c) or "none")
def test_rate_limiters_are_declared_in_every_env_block(rendered, patterns: list[str]) -> None:
    """`ratelimits` is not inherited by env blocks: the top level and each env block of the User
    Worker declare every limiter of the chosen patterns, each block with namespaces of its own (a
    shared `namespace_id` would share counters), and Retry-After matches the period."""
    project = rendered(patterns)
    cfg = parse_jsonc((project / USER_CFG).read_text()).to_python()
    blocks = {"top level": cfg, **{f"env.{name}": block for name, block in cfg["env"].items()}}
    expected = sorted(RATE_LIMITERS[p] for p in patterns if p in RATE_LIMITERS)
    namespaces: list[str] = []
    for where, block in blocks.items():
        limiters = block.get("ratelimits", [])
        assert sorted(limiter["name"] for limiter in limiters) == expected, where
        for limiter in limiters:
            assert limiter["namespace_id"].isdigit(), (where, limiter)
            assert limiter["simple"]["limit"] > 0 and limiter["simple"]["period"] == 60, (where, limiter)
            namespaces.append(limiter["namespace_id"])
    assert len(namespaces) == len(set(namespaces)), namespaces
    if expected:
        assert "export const RATE_LIMIT_PERIOD_S = 60;" in (project / RATE_LIMIT_TS).read_text()
    else:
        assert not (project / RATE_LIMIT_TS).exists()


VALIDATION_PACKAGE = "@repo/validation"
VALIDATION_SOURCE = "packages/validation/src/index.ts"
#: Where each Worker's own code lives.
WORKER_SOURCES = {"user-application": "worker", "data-service": "src"}


@pytest.mark.parametrize("frontend", FRONTENDS)
def test_both_workers_import_the_one_validation_package(rendered, frontend: str) -> None:
    """The validation helpers live once, in the `@repo/validation` workspace package, and both
    Workers import it: two copies of one error shape would drift apart. No Worker keeps a copy."""
    project = rendered(PATTERNS, "secret", frontend)
    package = json.loads((project / "packages/validation/package.json").read_text())
    assert package["name"] == VALIDATION_PACKAGE and package["private"] is True
    assert package["exports"] == {".": "./src/index.ts"}
    # hono and zod come from the Workers (one instance of each): peers, not the package's own copies.
    assert set(package["peerDependencies"]) == {"hono", "zod"}
    assert "packages/*" in json.loads((project / "package.json").read_text())["workspaces"]
    for app, source_dir in WORKER_SOURCES.items():
        manifest = json.loads((project / "apps" / app / "package.json").read_text())
        assert manifest["dependencies"][VALIDATION_PACKAGE] == "*", app
        importers = [
            path
            for path in (project / "apps" / app / source_dir).rglob("*.ts")
            if f'from "{VALIDATION_PACKAGE}"' in path.read_text()
        ]
        assert importers, f"apps/{app}/{source_dir} never imports {VALIDATION_PACKAGE}"
    defines = [
        path.relative_to(project).as_posix()
        for path in _files(project)
        if path.suffix == ".ts" and "export function jsonBody" in path.read_text()
    ]
    assert defines == [VALIDATION_SOURCE]
