"""DW005 through client classes and OpenAPI routes (fixture route-auth-via-client-methods): a route
reaches the backend through a controller's method, a factory's method and a client class's method
(class-hierarchy analysis by name, narrowed by declared types); an RPC route without auth is reported
when its own code says it expects an authenticated caller."""

from __future__ import annotations

from pathlib import Path

from dualworker_cli.check.analysis import front_analysis
from dualworker_cli.check.parse import typescript as ts
from tests.check.fixtures import copy_fixture, fixture, found, lint

NAME = "route-auth-via-client-methods"
REPOS = "services/api/src/controllers/repos.ts"


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text()
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new))


def test_open_routes_that_expect_auth_are_reported_through_client_methods() -> None:
    result = lint(NAME)
    assert found(result) == [("DW005", REPOS, 55), ("DW005", REPOS, 56)]
    register, history = (f.message for f in result.findings)
    assert "`POST /repos`" in register and 'reads `c.get("auth")`' in register
    assert "`SYNC.registerRepo()`" in register
    assert "`GET /repos/:owner/history`" in history and "declares `security" in history


def test_routes_reach_the_binding_through_controller_factory_and_client_methods() -> None:
    result = lint(NAME)
    [pair] = result.project.pairs
    routes = {
        (r.registration.method, r.full_path): (r.protected, sorted({c.method for c in r.calls}))
        for r in front_analysis(result.project, pair).routes
    }
    assert routes == {
        ("post", "/repos"): (False, ["registerRepo"]),
        ("get", "/repos/:owner/history"): (False, ["historyByRepo"]),
        # 403 before the call in the controller: authorised where the route calls the client
        ("get", "/repos/user/:userId/history"): (True, ["historyByUser"]),
        ("get", "/me/history"): (True, ["historyByUser"]),
        ("get", "/live"): (True, ["post"]),
    }


def test_auth_middleware_on_the_router_clears_the_routes(tmp_path: Path) -> None:
    root = copy_fixture(NAME, tmp_path)
    _edit(
        root,
        REPOS,
        "  const router = new OpenAPIHono<AppEnv>();\n",
        '  const router = new OpenAPIHono<AppEnv>();\n  router.use("*", authMiddleware);\n',
    )
    _edit(
        root,
        REPOS,
        'import type { AppEnv, Bindings } from "../types";',
        'import type { AppEnv, Bindings } from "../types";\n'
        'import { authMiddleware } from "../middleware/auth";',
    )
    assert found(lint(root)) == []


def test_open_rpc_routes_that_do_not_expect_auth_are_not_reported(tmp_path: Path) -> None:
    root = copy_fixture(NAME, tmp_path)
    _edit(root, REPOS, "  security: [{ Bearer: [] }],\n", "")
    _edit(root, REPOS, 'const userId = c.get("auth")?.userId;', "const userId = undefined;")
    assert found(lint(root)) == []


def test_workspace_package_resolves_through_an_extended_tsconfig(tmp_path: Path) -> None:
    root = fixture(NAME).resolve()
    importer = root / "services/api/src/services/factory.ts"
    target = root / "services/sync/src/client/index.ts"
    assert ts.resolve_specifier(importer, "@acme/sync/client", root) == target
    copy = copy_fixture(NAME, tmp_path).resolve()
    (copy / "services/api/tsconfig.json").write_text('{ "compilerOptions": { "outDir": "dist" } }')
    ts._TSCONFIG_CACHE.clear()
    ts._SPECIFIERS.clear()
    assert (
        ts.resolve_specifier(copy / "services/api/src/services/factory.ts", "@acme/sync/client", copy) is None
    )


def test_a_socket_the_front_accepts_forwards_no_upgrade(tmp_path: Path) -> None:
    root = copy_fixture(NAME, tmp_path)
    index = "services/api/src/index.ts"
    _edit(root, index, '  "/live",', '  "/ws",')
    _edit(
        root,
        index,
        "await createServices().getSync(c.env).post(userId, String(event.data));",
        "await c.env.SYNC.fetch(c.req.raw);",
    )
    assert [rule for rule, _, _ in found(lint(root))].count("DW011") == 0
    # the same forward from a plain handler passes the client's upgrade on: reported
    _edit(root, index, "  upgradeWebSocket(async (c) => {", "  (async (c) => {")
    _edit(root, index, "  }),\n);", "  }) as never,\n);")
    assert ("DW011", index) in {(rule, path) for rule, path, _ in found(lint(root))}
