"""Bare imports of a monorepo's own packages (npm/yarn/pnpm workspaces) resolve to their sources."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dualworker_cli.check.parse import typescript as ts
from dualworker_cli.check.parse import workspaces


def _write(root: Path, files: dict[str, str | dict]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content) if isinstance(content, dict) else content)
    return root.resolve()


def _resolve(root: Path, importer: str, spec: str) -> str | None:
    ts.ModuleGraph(root)  # a new run: forget cached workspaces
    found = ts.resolve_specifier(root / importer, spec, root)
    return found.relative_to(root).as_posix() if found is not None else None


PNPM = {
    "package.json": {"name": "mono", "private": True},
    "pnpm-workspace.yaml": (
        "packages:\n  - 'packages/*'\n  - \"apps/*/server\"  # servers\n\nonlyBuilt:\n  - x\n"
    ),
    "apps/web/server/package.json": {"name": "web-server"},
    "apps/web/server/src/index.ts": "export default {};\n",
    "packages/auth/package.json": {"name": "@acme/auth", "main": "./src/index.ts"},
    "packages/auth/src/index.ts": "export function validateSession() {}\n",
    "packages/auth/src/hono.ts": "export const sessionAuth = () => {};\n",
    "packages/db/package.json": {
        "name": "@acme/db",
        "exports": {
            ".": {"types": "./dist/index.d.ts", "default": "./dist/index.js"},
            "./queries": {"types": "./dist/queries/index.d.ts", "import": "./dist/queries/index.js"},
            "./auth/*": {"types": "./dist/auth/*.d.ts", "default": "./dist/auth/*.js"},
        },
    },
    "packages/db/src/index.ts": "export const db = 1;\n",
    "packages/db/src/queries/index.ts": "export const q = 1;\n",
    "packages/db/src/auth/server.ts": "export const getAuth = 1;\n",
    "tools/not-listed/package.json": {"name": "@acme/hidden"},
    "tools/not-listed/index.ts": "export {};\n",
}


def test_pnpm_workspace_scoped_package_main(tmp_path: Path) -> None:
    root = _write(tmp_path, PNPM)
    assert _resolve(root, "apps/web/server/src/index.ts", "@acme/auth") == "packages/auth/src/index.ts"


def test_pnpm_workspace_subpath_without_exports_falls_back_to_src(tmp_path: Path) -> None:
    root = _write(tmp_path, PNPM)
    assert _resolve(root, "apps/web/server/src/index.ts", "@acme/auth/hono") == "packages/auth/src/hono.ts"


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("@acme/db", "packages/db/src/index.ts"),
        ("@acme/db/queries", "packages/db/src/queries/index.ts"),
        ("@acme/db/auth/server", "packages/db/src/auth/server.ts"),  # `./auth/*` pattern
    ],
)
def test_exports_map_pointing_at_dist_resolves_to_the_typescript_source(
    tmp_path: Path, spec: str, expected: str
) -> None:
    root = _write(tmp_path, PNPM)
    assert _resolve(root, "apps/web/server/src/index.ts", spec) == expected


def test_unlisted_and_third_party_packages_stay_unresolved(tmp_path: Path) -> None:
    root = _write(tmp_path, PNPM)
    assert _resolve(root, "apps/web/server/src/index.ts", "@acme/hidden") is None
    assert _resolve(root, "apps/web/server/src/index.ts", "hono") is None
    assert _resolve(root, "apps/web/server/src/index.ts", "cloudflare:workers") is None


def test_npm_workspaces_with_exports_string_and_js_specifiers(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "package.json": {"name": "mono", "workspaces": ["packages/**", "workers/*", "!packages/skip"]},
            "workers/api/package.json": {"name": "api"},
            "workers/api/src/index.ts": "export default {};\n",
            "packages/group/shared/package.json": {"name": "shared", "exports": "./lib/main.js"},
            "packages/group/shared/lib/main.ts": "export const x = 1;\n",
            "packages/group/shared/lib/util.ts": "export const y = 1;\n",
            "packages/skip/package.json": {"name": "skipped"},
            "packages/skip/index.ts": "export {};\n",
        },
    )
    assert _resolve(root, "workers/api/src/index.ts", "shared") == "packages/group/shared/lib/main.ts"
    util = _resolve(root, "workers/api/src/index.ts", "shared/lib/util.js")
    assert util == "packages/group/shared/lib/util.ts"
    assert _resolve(root, "workers/api/src/index.ts", "skipped") is None


def test_yarn_workspaces_object_and_the_nearest_root_wins(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "package.json": {"name": "outer", "workspaces": {"packages": ["packages/*"]}},
            "packages/auth/package.json": {"name": "@x/auth", "module": "./src/main.ts"},
            "packages/auth/src/main.ts": "export {};\n",
            "nested/package.json": {"name": "inner", "workspaces": ["libs/*"]},
            "nested/libs/auth/package.json": {"name": "@x/auth"},
            "nested/libs/auth/src/index.ts": "export {};\n",
            "nested/app/src/index.ts": "export {};\n",
            "app/src/index.ts": "export {};\n",
        },
    )
    assert _resolve(root, "app/src/index.ts", "@x/auth") == "packages/auth/src/main.ts"
    assert _resolve(root, "nested/app/src/index.ts", "@x/auth") == "nested/libs/auth/src/index.ts"


def test_never_leaves_the_scanned_root_nor_reads_node_modules(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "package.json": {"name": "outer", "workspaces": ["packages/*"]},
            "packages/auth/package.json": {"name": "@x/auth"},
            "packages/auth/src/index.ts": "export {};\n",
            "project/node_modules/@x/db/package.json": {"name": "@x/db"},
            "project/node_modules/@x/db/index.ts": "export {};\n",
            "project/package.json": {"name": "p", "workspaces": ["node_modules/*", "node_modules/@x/*"]},
            "project/src/index.ts": "export {};\n",
        },
    )
    root = (tmp_path / "project").resolve()
    assert _resolve(root, "src/index.ts", "@x/auth") is None  # the outer workspace is above the root
    assert _resolve(root, "src/index.ts", "@x/db") is None


def test_the_graph_follows_workspace_imports(tmp_path: Path) -> None:
    root = _write(tmp_path, PNPM)
    (root / "apps/web/server/src/index.ts").write_text(
        'import { validateSession } from "@acme/auth";\nexport default { fetch: validateSession };\n'
    )
    graph = ts.ModuleGraph(root)
    entry = graph.load(root / "apps/web/server/src/index.ts")
    assert entry is not None
    found = graph.resolve(entry, "validateSession")
    assert found is not None and found[0].rel == "packages/auth/src/index.ts"


def test_workspace_packages_are_indexed_once_per_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _write(tmp_path, PNPM)
    ts.ModuleGraph(root)
    calls = []
    real = workspaces._folders
    monkeypatch.setattr(workspaces, "_folders", lambda *a: calls.append(a) or real(*a))
    for spec in ("@acme/auth", "@acme/db", "@acme/db/queries", "@acme/nope"):
        ts.resolve_specifier(root / "apps/web/server/src/index.ts", spec, root)
    assert len(calls) == 1


def test_a_workspace_root_above_the_scanned_folder_is_not_read(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "package.json": {"name": "outer", "workspaces": ["packages/*", "project"]},
            "packages/auth/package.json": {"name": "@x/auth"},
            "packages/auth/src/index.ts": "export {};\n",
            "project/package.json": {"name": "project"},
            "project/src/index.ts": "export {};\n",
        },
    )
    assert _resolve(tmp_path.resolve(), "project/src/index.ts", "@x/auth") == "packages/auth/src/index.ts"
    assert _resolve((tmp_path / "project").resolve(), "src/index.ts", "@x/auth") is None
