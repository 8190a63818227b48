"""DW001/DW002/DW003/DW012 on hand-written projects: a public backend URL is a finding only when
it gets around the front (the backend trusts the front, or has no auth of its own)."""

from __future__ import annotations

import json
from pathlib import Path

from dualworker_cli.check.engine import run

FRONT_FETCH = """export default {
  async fetch(request: Request, env: Env) {
    if (!(await verifySession(request))) return new Response("no", { status: 401 });
    return env.API.fetch(request);
  },
};
async function verifySession(request: Request) { return request.headers.has("Cookie"); }
"""
FRONT_RPC = """export default {
  async fetch(request: Request, env: Env) {
    return Response.json(await env.API.add(1, 2));
  },
};
"""
BACKEND_OPEN = """export default {
  async fetch(request: Request) {
    return Response.json({ items: [] });
  },
};
"""
BACKEND_SELF_AUTH = """import { validateSession } from "./session";
export default {
  async fetch(request: Request, env: Env) {
    const user = await validateSession(request.headers, env.SECRET);
    if (!user) return new Response("unauthorized", { status: 401 });
    return Response.json({ user });
  },
};
"""
SESSION = "export async function validateSession(h: Headers, s: string) { return h.get('Cookie') && s; }\n"


def _project(root: Path, front_ts: str, backend_files: dict[str, str]) -> Path:
    configs = {
        "web": {
            "name": "web",
            "main": "src/index.ts",
            "compatibility_date": "2026-01-01",
            "services": [{"binding": "API", "service": "api"}],
        },
        "api": {"name": "api", "main": "src/index.ts", "compatibility_date": "2026-01-01"},
    }
    for name, config in configs.items():
        (root / name / "src").mkdir(parents=True)
        (root / name / "wrangler.json").write_text(json.dumps(config))
    (root / "web" / "src" / "index.ts").write_text(front_ts)
    for rel, text in backend_files.items():
        (root / "api" / "src" / rel).write_text(text)
    return root


def _rules(root: Path) -> set[str]:
    return {f.rule for f in run(root).findings if f.rule in ("DW001", "DW002", "DW003", "DW012")}


def test_public_backend_without_auth_behind_an_authenticating_front_is_flagged(tmp_path: Path) -> None:
    assert _rules(_project(tmp_path, FRONT_FETCH, {"index.ts": BACKEND_OPEN})) >= {"DW002", "DW003"}


def test_public_backend_that_authenticates_itself_is_public_by_design(tmp_path: Path) -> None:
    root = _project(tmp_path, FRONT_FETCH, {"index.ts": BACKEND_SELF_AUTH, "session.ts": SESSION})
    assert _rules(root) == set()


def test_front_using_only_rpc_methods_exposes_nothing_on_the_public_fetch(tmp_path: Path) -> None:
    assert _rules(_project(tmp_path, FRONT_RPC, {"index.ts": BACKEND_OPEN})) == set()
