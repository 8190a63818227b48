"""DW006 on the identity the backend really trusts (issue 8, shape 1)."""

from __future__ import annotations

import shutil
from pathlib import Path

from dualworker_cli.check.engine import run
from tests.check.helpers import AUTH_TS, findings_for, front_findings, where
from tests.test_check_support import FRONT_TS, make_project

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "check"


def test_backend_trusting_account_id_is_flagged_at_the_forward() -> None:
    result = run(FIXTURES / "identity-account-id")
    assert where(result) == [("DW006", "gateway/src/index.ts", 19)]
    message = result.findings[0].message
    assert "`account-id`" in message and "accounts/src/lib/account.ts:4" in message
    assert "X-User-Id" not in message


def test_deleting_the_inferred_header_is_clean(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "identity-account-id", root)
    index = root / "gateway" / "src" / "index.ts"
    index.write_text(
        index.read_text().replace(
            "  return c.env.ACCOUNTS.fetch(c.req.raw);",
            "  const headers = new Headers(c.req.raw.headers);\n"
            '  headers.set("account-id", c.get("accountId"));\n'
            "  return c.env.ACCOUNTS.fetch(new Request(c.req.raw, { headers }));",
        )
    )
    assert where(run(root)) == []


def test_deleting_only_x_user_id_does_not_protect_account_id(tmp_path: Path) -> None:
    """The old rule was satisfied by deleting `X-User-Id`, a header this backend never reads."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "identity-account-id", root)
    index = root / "gateway" / "src" / "index.ts"
    index.write_text(
        index.read_text().replace(
            "  return c.env.ACCOUNTS.fetch(c.req.raw);",
            '  const headers = new Headers(c.req.raw.headers);\n  headers.delete("X-User-Id");\n'
            "  return c.env.ACCOUNTS.fetch(new Request(c.req.raw, { headers }));",
        )
    )
    assert where(run(root)) == [("DW006", "gateway/src/index.ts", 21)]


def test_backend_that_trusts_no_header_is_not_flagged() -> None:
    """The edge forwards the client's request as is; the API checks the bearer token itself."""
    assert where(run(FIXTURES / "identity-backend-verifies-token")) == []


def test_blueprint_spread_still_flagged_with_where_the_header_is_read() -> None:
    result = run(FIXTURES / "blueprint")
    [finding] = [f for f in result.findings if f.rule == "DW006"]
    assert "apps/data-service/src/hono/app.ts:8" in finding.message


def test_dualworker_toml_header_wins(tmp_path: Path) -> None:
    """The backend reads X-User-Id (inferred), but the project says X-Principal: only that counts."""
    settings = (
        '[front]\nconfig = "web/wrangler.jsonc"\n[backend]\nconfig = "core/wrangler.jsonc"\n'
        'identity_header = "X-Principal"\n'
    )
    result = run(make_project(tmp_path, settings=settings))
    assert [f.message for f in result.findings if f.rule == "DW006"] == [
        "forwards the client's headers to `BACKEND_SERVICE` without deleting or overwriting `X-Principal` "
        "first (`identity_header` in dualworker.toml:5): a client can choose the identity the Data Worker "
        "trusts"
    ]


def test_rpc_calls_are_not_header_forwarding(tmp_path: Path) -> None:
    """An RPC method handed the client's headers is DW005's concern (auth), not a forwarded request."""
    files = dict(FRONT_TS)
    files["src/proxy.ts"] = """export async function proxy(c) {
  return c.json(await c.env.BACKEND_SERVICE.audit(Object.fromEntries(c.req.raw.headers)));
}
"""
    assert [f for f in run(make_project(tmp_path, front_ts=files)).findings if f.rule == "DW006"] == []


GUARDED_PROXY = """const STRIPPED = [%s];

export async function proxy(c) {
  const headers = new Headers(c.req.raw.headers);
  for (const name of [...headers.keys()]) {
    if (STRIPPED.includes(name)) {
      headers.delete(name);
    }
  }
  headers.append("X-User-Id", c.get("userId"));
  return c.env.BACKEND_SERVICE.fetch(new Request(c.req.raw, { headers }));
}
"""


def test_dw006_destructured_binding_forwarding_the_raw_request(tmp_path: Path) -> None:
    """`const { BACKEND_SERVICE } = c.env; BACKEND_SERVICE.fetch(c.req.raw)` was not seen as a
    proxy call, so forwarding the client's headers went unreported."""
    index = """import { Hono } from "hono";
import { authMiddleware } from "./auth";

const app = new Hono();
app.all("/api/internal/*", authMiddleware, async (c) => {
  const { BACKEND_SERVICE: backend } = c.env;
  return backend.fetch(c.req.raw);
});
export default app;
"""
    assert where(front_findings(tmp_path, {"src/index.ts": index})) == [("DW006", "web/src/index.ts", 7)]


def test_dw006_destructured_parameter_in_a_plain_worker(tmp_path: Path) -> None:
    index = """export default {
  async fetch(request: Request, { BACKEND_SERVICE }: Env) {
    if (!(await verifyToken(request))) return new Response("no", { status: 401 });
    return BACKEND_SERVICE.fetch(request);
  },
};
async function verifyToken(request: Request) { return request.headers.has("Authorization"); }
"""
    assert where(front_findings(tmp_path, {"src/index.ts": index})) == [("DW006", "web/src/index.ts", 4)]


def test_dw006_fresh_headers_with_the_client_body_are_fine(tmp_path: Path) -> None:
    """Only the body of `c.req.raw` is forwarded; the headers are new: nothing to spoof. Any
    mention of `c.req.raw` used to count as forwarding the client's headers."""
    index = """import { Hono } from "hono";
import { authMiddleware } from "./auth";

const app = new Hono();
app.all("/api/internal/*", authMiddleware, async (c) => {
  const userId = c.get("userId");
  return c.env.BACKEND_SERVICE.fetch(
    new Request(c.req.url, { method: c.req.method, body: c.req.raw.body, headers: { "X-User-Id": userId } }),
  );
});
export default app;
"""
    assert front_findings(tmp_path, {"src/index.ts": index}) == []


def test_dw006_raw_request_with_replacing_headers_is_fine(tmp_path: Path) -> None:
    """`new Request(c.req.raw, { headers })` replaces every header of the input."""
    index = """import { Hono } from "hono";
import { authMiddleware } from "./auth";

const app = new Hono();
app.all("/api/internal/*", authMiddleware, async (c) => {
  const headers = new Headers({ "Content-Type": "application/json" });
  headers.append("X-User-Id", c.get("userId"));
  return c.env.BACKEND_SERVICE.fetch(new Request(c.req.raw, { headers }));
});
export default app;
"""
    assert front_findings(tmp_path, {"src/index.ts": index}) == []


def test_dw006_plain_worker_with_fresh_headers_on_the_incoming_request(tmp_path: Path) -> None:
    index = """export default {
  async fetch(request: Request, env: Env) {
    const userId = await verifyToken(request);
    if (!userId) return new Response("unauthorized", { status: 401 });
    return env.BACKEND_SERVICE.fetch(new Request(request, { headers: { "X-User-Id": userId } }));
  },
};
async function verifyToken(request: Request) { return "u1"; }
"""
    assert front_findings(tmp_path, {"src/index.ts": index}) == []


def test_dw006_replacing_headers_copied_from_the_client_is_flagged(tmp_path: Path) -> None:
    index = """import { Hono } from "hono";
import { authMiddleware } from "./auth";

const app = new Hono();
app.all("/api/internal/*", authMiddleware, async (c) => {
  return c.env.BACKEND_SERVICE.fetch(new Request(c.req.raw, { headers: c.req.raw.headers }));
});
export default app;
"""
    assert where(front_findings(tmp_path, {"src/index.ts": index})) == [("DW006", "web/src/index.ts", 6)]


def test_dw006_incoming_request_as_the_init_is_flagged(tmp_path: Path) -> None:
    """`env.B.fetch(url, request)`: a Request as RequestInit passes its headers along."""
    index = """export default {
  async fetch(request: Request, env: Env) {
    if (!(await verifyToken(request))) return new Response("unauthorized", { status: 401 });
    return env.BACKEND_SERVICE.fetch("https://internal/api/internal/notes", request);
  },
};
async function verifyToken(request: Request) { return "u1"; }
"""
    assert where(front_findings(tmp_path, {"src/index.ts": index})) == [("DW006", "web/src/index.ts", 4)]


def test_dw006_reading_one_header_is_not_forwarding_them(tmp_path: Path) -> None:
    """`c.req.header("Authorization")` reads one value; only `c.req.header()` returns them all."""
    index = """import { Hono } from "hono";
import { authMiddleware } from "./auth";

const app = new Hono();
app.all("/api/internal/*", authMiddleware, async (c) => {
  const lang = c.req.header("Accept-Language") ?? "en";
  const headers = { "X-User-Id": c.get("userId"), "Accept-Language": lang };
  return c.env.BACKEND_SERVICE.fetch(new Request(c.req.url, { method: c.req.method, headers }));
});
export default app;
"""
    assert front_findings(tmp_path, {"src/index.ts": index}) == []


def test_dw006_response_headers_and_single_request_headers_are_not_forwarding(tmp_path: Path) -> None:
    """Setting headers on the backend's response (after the call) and reading one request header
    (`c.req.raw.headers.get(...)`) counted as forwarding the client's headers."""
    index = """import { Hono } from "hono";
import { authMiddleware } from "./auth";

const app = new Hono();
app.all("/api/internal/*", authMiddleware, async (c) => {
  const type = c.req.raw.headers.get("Content-Type") ?? "application/json";
  const headers = { "Content-Type": type, "X-User-Id": c.get("userId") };
  const res = await c.env.BACKEND_SERVICE.fetch(new Request(c.req.url, { method: c.req.method, headers }));
  const out = new Response(res.body, res);
  out.headers.set("Cache-Control", "no-store");
  return out;
});
export default app;
"""
    assert front_findings(tmp_path, {"src/index.ts": index}) == []


def test_dw006_all_request_headers_before_the_call_still_count(tmp_path: Path) -> None:
    index = """import { Hono } from "hono";
import { authMiddleware } from "./auth";

const app = new Hono();
app.all("/api/internal/*", authMiddleware, async (c) => {
  const headers = new Headers(c.req.raw.headers);
  headers.set("Accept", "application/json");
  const res = await c.env.BACKEND_SERVICE.fetch(c.req.url, { method: c.req.method, headers });
  res.headers.delete("X-User-Id");
  return res;
});
export default app;
"""
    assert where(front_findings(tmp_path, {"src/index.ts": index})) == [("DW006", "web/src/index.ts", 8)]


def test_dw006_spread_of_client_headers(tmp_path: Path) -> None:
    files = dict(FRONT_TS)
    files["src/proxy.ts"] = """export async function proxy(c) {
  const req = new Request(c.req.raw, { headers: { ...c.req.header(), "X-User-Id": c.get("userId") } });
  return c.env.BACKEND_SERVICE.fetch(req);
}
"""
    found = findings_for(make_project(tmp_path, front_ts=files), "DW006")
    assert [(f.path, f.line) for f in found] == [("web/src/proxy.ts", 2)]
    assert "lower-case" in found[0].message


def test_dw006_raw_request_forwarded_without_delete(tmp_path: Path) -> None:
    files = dict(FRONT_TS)
    files["src/proxy.ts"] = """export async function proxy(c) {
  const backend = c.env.BACKEND_SERVICE;
  return backend.fetch(c.req.raw);
}
"""
    found = findings_for(make_project(tmp_path, front_ts=files), "DW006")
    assert len(found) == 1
    assert "without deleting" in found[0].message


def test_dw006_quiet_with_header_list_loop(tmp_path: Path) -> None:
    files = dict(FRONT_TS)
    files["src/proxy.ts"] = """const INTERNAL = ["x-user-id", "x-internal-token"] as const;

export async function proxy(c) {
  const headers = new Headers(c.req.raw.headers);
  for (const name of INTERNAL) headers.delete(name);
  headers.append("x-user-id", c.get("userId"));
  return c.env.BACKEND_SERVICE.fetch(new Request(c.req.raw, { headers }));
}
"""
    assert findings_for(make_project(tmp_path, front_ts=files), "DW006") == []


def test_dw006_append_does_not_replace(tmp_path: Path) -> None:
    files = dict(FRONT_TS)
    files["src/proxy.ts"] = FRONT_TS["src/proxy.ts"].replace(
        "  headers.delete(IDENTITY);\n  headers.set(IDENTITY", "  headers.append(IDENTITY"
    )
    assert "headers.append(IDENTITY" in files["src/proxy.ts"]
    assert len(findings_for(make_project(tmp_path, front_ts=files), "DW006")) == 1


def test_dw006_delete_guarded_by_a_list_of_internal_headers(tmp_path: Path) -> None:
    files = dict(FRONT_TS)
    files["src/proxy.ts"] = GUARDED_PROXY % '"x-user-id", "cookie"'
    assert findings_for(make_project(tmp_path, front_ts=files), "DW006") == []
    files["src/proxy.ts"] = GUARDED_PROXY % '"cookie"'
    assert len(findings_for(make_project(tmp_path / "b", front_ts=files), "DW006")) == 1


def test_dw006_plain_worker_forwarding_the_incoming_request(tmp_path: Path) -> None:
    files = {
        "src/index.ts": """export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    if (!(await verifyToken(request, env))) return new Response("unauthorized", { status: 401 });
    return env.BACKEND_SERVICE.fetch(request);
  },
};
"""
    }
    found = findings_for(make_project(tmp_path, front_ts=files), "DW006")
    assert [(f.path, f.line) for f in found] == [("web/src/index.ts", 4)]
    assert findings_for(make_project(tmp_path, front_ts=files), "DW005") == []


# ---------------------------------------------------------------------------------------------
# per call path: each call of a forwarding helper, on the paths the backend reads the header


def _copy(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root)
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_helper_called_with_the_raw_request_where_the_backend_reads_the_header() -> None:
    """`/api/v1/*` overwrites `x-user-id` before `forward(proxied)`, but `/api/tasks/*` forwards the
    client's request and the backend reads `x-user-id` there too."""
    result = run(FIXTURES / "identity-helper-per-path")
    assert where(result) == [("DW006", "gateway/src/index.ts", 4)]
    message = result.findings[0].message
    assert "api/src/user.ts:2" in message and "from the call at gateway/src/index.ts:21" in message


def test_helper_raw_only_on_paths_the_backend_does_not_read_the_header() -> None:
    """The clash-space/clash shape: the only raw forward is to paths that never read `x-user-id`."""
    assert where(run(FIXTURES / "identity-helper-per-path-clean")) == []


def test_helper_site_without_the_overwrite_is_flagged(tmp_path: Path) -> None:
    root = _copy(tmp_path, "identity-helper-per-path-clean")
    _edit(root / "gateway/src/index.ts", '      proxied.headers.set("x-user-id", userId);\n', "")
    result = run(root)
    assert where(result) == [("DW006", "gateway/src/index.ts", 4)]
    assert "from the call at gateway/src/index.ts:17" in result.findings[0].message


def test_overwriting_another_request_before_the_helper_does_not_count(tmp_path: Path) -> None:
    root = _copy(tmp_path, "identity-helper-per-path-clean")
    _edit(root / "gateway/src/index.ts", "return forward(proxied, env);", "return forward(request, env);")
    assert where(run(root)) == [("DW006", "gateway/src/index.ts", 4)]


def test_backend_read_outside_any_path_test_counts_everywhere(tmp_path: Path) -> None:
    """Where the backend reads the header on every path, the raw `/api/tasks/*` forward is a hole."""
    root = _copy(tmp_path, "identity-helper-per-path-clean")
    _edit(
        root / "api/src/index.ts",
        "    const url = new URL(request.url);\n",
        '    const url = new URL(request.url);\n    console.log(request.headers.get("x-user-id"));\n',
    )
    assert where(run(root)) == [("DW006", "gateway/src/index.ts", 4)]


def test_front_that_rewrites_the_url_is_judged_on_every_path(tmp_path: Path) -> None:
    """The front's path test says nothing about the backend's path once the URL is rebuilt."""
    root = _copy(tmp_path, "identity-helper-per-path-clean")
    _edit(
        root / "gateway/src/index.ts",
        "  return env.API.fetch(request);",
        '  return env.API.fetch("https://api/api/v1/notes" + new URL(request.url).search, request);',
    )
    assert where(run(root)) == [("DW006", "gateway/src/index.ts", 4)]


def test_helper_passed_as_a_value_keeps_the_whole_judgement(tmp_path: Path) -> None:
    """Who calls a helper handed out as a value is unknown: judged as before, on every path."""
    root = _copy(tmp_path, "identity-helper-per-path-clean")
    _edit(
        root / "gateway/src/index.ts",
        '    if (path.startsWith("/api/tasks/")) {\n      return forward(request, env);\n',
        '    if (path.startsWith("/api/tasks/")) {\n      return [forward].map((f) => f(request, env))[0];\n',
    )
    assert [w for w in where(run(root)) if w[0] == "DW006"] == [("DW006", "gateway/src/index.ts", 4)]


HONO_FRONT = """import { Hono } from "hono";
import { authMiddleware } from "./auth";

const app = new Hono();
app.all("/public/*", (c) => c.env.BACKEND_SERVICE.fetch(c.req.raw));
app.all("/api/internal/*", authMiddleware, async (c) => {
  const headers = new Headers(c.req.raw.headers);
  headers.set("X-User-Id", c.get("userId"));
  return c.env.BACKEND_SERVICE.fetch(new Request(c.req.raw, { headers }));
});
export default app;
"""

HONO_BACKEND = """import { WorkerEntrypoint } from "cloudflare:workers";
import { Hono } from "hono";
export { Room } from "./room";
export { ReportWorkflow } from "./workflow";

const api = new Hono();
%s
api.get("/public/catalog", (c) => c.json([]));
api.get("/api/internal/orders", (c) => c.json({ owner: c.req.header("X-User-Id") }));

export class InternalApi extends WorkerEntrypoint {
  fetch(request: Request) {
    return api.fetch(request);
  }
}

export default { fetch: () => new Response("not found", { status: 404 }) };
"""


def _hono_project(tmp_path: Path, middleware: str) -> Path:
    backend_ts = {
        "src/index.ts": HONO_BACKEND % middleware,
        "src/room.ts": "export class Room {}\n",
        "src/workflow.ts": "export class ReportWorkflow {}\n",
    }
    return make_project(
        tmp_path, front_ts={"src/index.ts": HONO_FRONT, "src/auth.ts": AUTH_TS}, backend_ts=backend_ts
    )


def test_hono_route_forwarding_raw_headers_where_the_backend_does_not_read_them(tmp_path: Path) -> None:
    """`/public/*` forwards the client's headers, but the backend reads `X-User-Id` only under
    `/api/internal/*`, where the front overwrites it."""
    assert findings_for(_hono_project(tmp_path, ""), "DW006") == []


def test_hono_backend_middleware_reading_the_header_on_every_path_is_flagged(tmp_path: Path) -> None:
    middleware = (
        'api.use("*", async (c, next) => { c.set("who", c.req.header("X-User-Id")); await next(); });'
    )
    found = findings_for(_hono_project(tmp_path, middleware), "DW006")
    assert [(f.path, f.line) for f in found] == [("web/src/index.ts", 5)]


# ---------------------------------------------------------------------------------------------
# fixed backend paths, and client headers sent only as data


def test_fixed_path_where_the_middleware_factory_is_not_mounted_is_clean() -> None:
    """`new Request("https://api.internal/auth/session", { headers })` reaches a path the
    `app.use("/api/v1/*", tenantContext())` middleware never runs on; `/api/v1/members` is read."""
    result = run(FIXTURES / "identity-fixed-path-unread")
    assert where(result) == [("DW006", "gateway/src/index.ts", 19)]
    assert "api/src/tenant.ts:5" in result.findings[0].message


def test_middleware_factory_mounted_on_every_path_reads_the_header_everywhere(tmp_path: Path) -> None:
    root = _copy(tmp_path, "identity-fixed-path-unread")
    _edit(
        root / "api/src/index.ts", 'app.use("/api/v1/*", tenantContext());', 'app.use("*", tenantContext());'
    )
    assert where(run(root)) == [("DW006", "gateway/src/index.ts", 14), ("DW006", "gateway/src/index.ts", 19)]


def test_url_with_a_path_chosen_at_run_time_is_judged_on_every_path(tmp_path: Path) -> None:
    root = _copy(tmp_path, "identity-fixed-path-unread")
    _edit(
        root / "gateway/src/index.ts",
        '"https://api.internal/auth/session"',
        "`https://api.internal${c.req.path}`",
    )
    assert where(run(root)) == [("DW006", "gateway/src/index.ts", 14), ("DW006", "gateway/src/index.ts", 19)]


def test_client_headers_serialised_into_the_body_are_not_forwarded() -> None:
    """The session check sends headers of its own (literal names) and the client's in a JSON body."""
    assert where(run(FIXTURES / "identity-headers-in-body")) == [("DW006", "gateway/src/index.ts", 33)]


def test_request_from_a_url_without_headers_forwards_none(tmp_path: Path) -> None:
    root = _copy(tmp_path, "identity-headers-in-body")
    _edit(root / "gateway/src/index.ts", "    headers,\n    body: JSON", "    body: JSON")
    assert where(run(root)) == [("DW006", "gateway/src/index.ts", 32)]  # one line shorter


def test_own_headers_object_filled_with_the_clients_headers_is_forwarded(tmp_path: Path) -> None:
    root = _copy(tmp_path, "identity-headers-in-body")
    _edit(
        root / "gateway/src/index.ts",
        '    headers["X-Request-Id"] = requestId;',
        "    Object.assign(headers, Object.fromEntries(c.req.raw.headers));",
    )
    assert where(run(root)) == [("DW006", "gateway/src/index.ts", 19), ("DW006", "gateway/src/index.ts", 33)]


def test_own_headers_written_under_names_chosen_at_run_time_are_forwarded(tmp_path: Path) -> None:
    root = _copy(tmp_path, "identity-headers-in-body")
    _edit(
        root / "gateway/src/index.ts",
        "    forwarded.push([key, value]);",
        "    forwarded.push([key, value]);\n    extra[key] = value;",
    )
    _edit(
        root / "gateway/src/index.ts",
        "  const forwarded: Array<[string, string]> = [];",
        "  const forwarded: Array<[string, string]> = [];\n  const extra: Record<string, string> = {};",
    )
    _edit(root / "gateway/src/index.ts", "    headers,\n", "    headers: extra,\n")
    assert where(run(root)) == [("DW006", "gateway/src/index.ts", 21), ("DW006", "gateway/src/index.ts", 35)]
