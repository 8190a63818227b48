"""Review of `dualworker check` on hand-written projects: each test is a false positive, false
negative or crash found by writing a project the way users do, fixed in `dualworker_cli/check/`."""

from __future__ import annotations

from pathlib import Path

from tests.test_check_support import lint, make_project

AUTH_TS = """export const authMiddleware = async (c, next) => {
  if (!c.req.header("Authorization")) return c.json({ error: "unauthorized" }, 401);
  c.set("userId", "u1");
  await next();
};
"""
#: a proxy that rebuilds the headers correctly (DW006 stays quiet)
SAFE_PROXY = """(c) => {
  const headers = new Headers(c.req.raw.headers);
  headers.delete("X-User-Id");
  headers.set("X-User-Id", c.get("userId"));
  return c.env.BACKEND_SERVICE.fetch(new Request(c.req.raw, { headers }));
}"""


def front_findings(tmp_path: Path, files: dict[str, str], rule: str | None = None) -> list:
    root = make_project(tmp_path, front_ts={"src/auth.ts": AUTH_TS, **files})
    return [f for f in lint(root).findings if rule is None or f.rule == rule]


def where(findings: list) -> list[tuple[str, str, int]]:
    return [(f.rule, f.path, f.line) for f in findings]


# --- DW005: Hono's chained style -----------------------------------------------------------------


def test_dw005_chained_new_hono_with_auth_is_protected(tmp_path: Path) -> None:
    """`new Hono().use("*", auth).all(...)` (the RPC-friendly style) was not seen as routes at all,
    so the binding call was reported as "outside any Hono route" with no auth."""
    index = f"""import {{ Hono }} from "hono";
import {{ authMiddleware }} from "./auth";

const app = new Hono()
  .use("*", authMiddleware)
  .all("/api/internal/*", {SAFE_PROXY});

export default app;
"""
    assert front_findings(tmp_path, {"src/index.ts": index}) == []


def test_dw005_chained_use_then_route_on_an_app_is_protected(tmp_path: Path) -> None:
    """`app.use(auth).all(...)`: both calls start at `app`, so `use` was not seen as earlier."""
    index = f"""import {{ Hono }} from "hono";
import {{ authMiddleware }} from "./auth";

const app = new Hono();
app.use("/api/internal/*", authMiddleware).all("/api/internal/*", {SAFE_PROXY});
export default app;
"""
    assert front_findings(tmp_path, {"src/index.ts": index}) == []


def test_dw005_chained_route_then_use_is_still_flagged(tmp_path: Path) -> None:
    index = f"""import {{ Hono }} from "hono";
import {{ authMiddleware }} from "./auth";

const app = new Hono();
app.all("/api/internal/*", {SAFE_PROXY}).use("*", authMiddleware);
export default app;
"""
    found = front_findings(tmp_path, {"src/index.ts": index}, "DW005")
    assert where(found) == [("DW005", "web/src/index.ts", 5)]
    assert "`ALL /api/internal/*`" in found[0].message


def test_dw005_chained_default_export_without_auth_points_at_the_route(tmp_path: Path) -> None:
    index = f"""import {{ Hono }} from "hono";

export default new Hono()
  .get("/health", (c) => c.text("ok"))
  .all("/api/internal/*", {SAFE_PROXY});
"""
    found = front_findings(tmp_path, {"src/index.ts": index}, "DW005")
    assert where(found) == [("DW005", "web/src/index.ts", 5)]
    assert "`ALL /api/internal/*`" in found[0].message


def test_dw005_chained_sub_app_mounted_with_route(tmp_path: Path) -> None:
    index = f"""import {{ Hono }} from "hono";
import {{ authMiddleware }} from "./auth";

const internal = new Hono().use("*", authMiddleware).all("/*", {SAFE_PROXY});
const open = new Hono().all("/*", {SAFE_PROXY});
const app = new Hono().route("/api/internal", internal).route("/api/open", open);
export default app;
"""
    found = front_findings(tmp_path, {"src/index.ts": index}, "DW005")
    assert [f.message.split("`")[1] for f in found] == ["ALL /api/open/*"]


def test_dw005_base_path_in_a_chain(tmp_path: Path) -> None:
    """`new Hono().basePath("/api").use("/internal/*", auth).all("/internal/*", ...)`."""
    index = f"""import {{ Hono }} from "hono";
import {{ authMiddleware }} from "./auth";

const app = new Hono()
  .basePath("/api")
  .use("/internal/*", authMiddleware)
  .all("/internal/*", {SAFE_PROXY});
export default app;
"""
    assert front_findings(tmp_path, {"src/index.ts": index}) == []


# --- DW005: handlers from a namespace import ------------------------------------------------------


def test_dw005_namespace_imported_proxy_behind_inline_auth(tmp_path: Path) -> None:
    """`app.all(path, authMiddleware, handlers.proxy)` with `import * as handlers`: the route was
    not seen to reach the binding, so the call was reported as unrouted and unauthenticated."""
    index = """import { Hono } from "hono";
import { authMiddleware } from "./auth";
import * as handlers from "./proxy";

const app = new Hono();
app.all("/api/internal/*", authMiddleware, handlers.proxy);
export default app;
"""
    proxy = f"export const proxy = {SAFE_PROXY};\n"
    assert front_findings(tmp_path, {"src/index.ts": index, "src/proxy.ts": proxy}) == []


def test_dw005_namespace_imported_proxy_without_auth_is_the_route(tmp_path: Path) -> None:
    index = """import { Hono } from "hono";
import * as handlers from "./proxy";

const app = new Hono();
app.all("/api/internal/*", handlers.proxy);
export default app;
"""
    proxy = f"export const proxy = {SAFE_PROXY};\n"
    found = front_findings(tmp_path, {"src/index.ts": index, "src/proxy.ts": proxy}, "DW005")
    assert where(found) == [("DW005", "web/src/index.ts", 5)]


def test_dw005_namespace_imported_auth_middleware(tmp_path: Path) -> None:
    index = f"""import {{ Hono }} from "hono";
import * as mw from "./middleware";

const app = new Hono();
app.all("/api/internal/*", mw.requireUser, {SAFE_PROXY});
export default app;
"""
    middleware = "export const requireUser = async (c, next) => { await next(); };\n"
    assert front_findings(tmp_path, {"src/index.ts": index, "src/middleware.ts": middleware}) == []


# --- DW006: destructured bindings --------------------------------------------------------------


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


# --- DW006: fresh headers are fine, a Request as init is not -------------------------------------


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


# --- malformed inputs: exit 2, one line, the right place ------------------------------------------


def test_non_utf8_typescript_points_at_the_bad_byte(tmp_path: Path) -> None:
    """The location named the file's first character, whatever line the bad byte was on."""
    from tests.test_check_cli import _one_liner, invoke

    root = make_project(tmp_path)
    (root / "web" / "src" / "proxy.ts").write_bytes(b'// proxy\nconst label = "caf\xe9";\n')
    code, _, err = invoke(str(root))
    assert code == 2
    assert _one_liner(err) == "error: web/src/proxy.ts:2:19: not UTF-8 text (byte 27)"


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


# --- output formats ------------------------------------------------------------------------------


def test_sarif_uris_never_climb_out_of_srcroot(tmp_path: Path, monkeypatch) -> None:
    """Run from a sibling folder, the URI was `../proj/core/wrangler.jsonc` under %SRCROOT%; a
    space was left raw. Now: relative and percent-encoded under the current folder, else absolute."""
    import json

    from tests.test_check_cli import invoke
    from tests.test_check_support import backend

    data = backend()
    del data["workers_dev"]
    root = make_project(tmp_path / "my proj", backend=data)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for cwd, expected in (
        (tmp_path, {"uri": "my%20proj/core/wrangler.jsonc", "uriBaseId": "%SRCROOT%"}),
        (elsewhere, {"uri": (root / "core" / "wrangler.jsonc").resolve().as_uri()}),
    ):
        monkeypatch.chdir(cwd)
        code, out, _ = invoke(str(root), "--format", "sarif", "--fail-on", "warning")
        log = json.loads(out)
        assert code == 1 and log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
        run = log["runs"][0]
        for rule in run["tool"]["driver"]["rules"]:
            assert {"id", "shortDescription", "fullDescription", "help"} <= rule.keys()
            assert (
                rule["shortDescription"]["text"] and rule["fullDescription"]["text"] and rule["help"]["text"]
            )
        [result] = run["results"]
        # the binding names InternalApi: the URL reaches only the default export (a warning)
        assert result["ruleId"] == "DW002" and result["level"] == "warning"
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == expected
        assert location["region"] == {"startLine": 3, "startColumn": 3}


# --- DW007: what is not a secret -----------------------------------------------------------------


def test_dw007_numbers_booleans_ids_and_site_keys_are_not_secrets(tmp_path: Path) -> None:
    from tests.test_check_support import front

    data = front()
    data["vars"] = {
        "TOKEN_EXPIRY_MINUTES": 60,
        "MAX_TOKENS": 1024,
        "ENABLE_API_KEY_AUTH": True,
        "TURNSTILE_SITE_KEY": "0x4AAAAAAAB3kdTyxVqNQZ9k",
        "STRIPE_PUBLISHABLE_KEY": "pk_live_51HxYzAbCdEfGhIjKlMnOpQr",
        "CACHE_KEY_PREFIX": "notes:v1:",
        "COMMIT_SHA": "0123456789abcdef0123456789abcdef01234567",
        "CLOUDFLARE_ACCOUNT_ID": "0123456789abcdef0123456789abcdef",
        "BUILD_UUID": "a1b2c3d4-e5f6-7890-abcd-ef1234567890",
        # still flagged:
        "JWT_SECRET": "change-me",
        "STRIPE_KEY": "sk_live_51HxYzAbCdEfGhIjKlMnOpQrStUv",
        "UPSTREAM": "sk_live_51HxYzAbCdEfGhIjKlMnOpQrStUv",
    }
    found = [f for f in lint(make_project(tmp_path, front=data)).findings if f.rule == "DW007"]
    assert sorted(f.message.split("`")[1] for f in found) == [
        "vars.JWT_SECRET",
        "vars.STRIPE_KEY",
        "vars.UPSTREAM",
    ]


# --- DW005 / DW006: Hono's own and well-known auth middleware, reading one header ---------------------


def test_dw005_hono_and_well_known_auth_middleware_by_name(tmp_path: Path) -> None:
    """`jwk(...)` (hono/jwk), `clerkMiddleware()` and `cloudflareAccess(...)` were not auth."""
    fresh = '(c) => c.env.BACKEND_SERVICE.fetch(new Request(c.req.url, { headers: { "X-User-Id": "u" } }))'
    index = f"""import {{ Hono }} from "hono";
import {{ jwk }} from "hono/jwk";
import {{ clerkMiddleware }} from "@hono/clerk-auth";
import {{ cloudflareAccess }} from "@hono/cloudflare-access";

const app = new Hono();
app.all("/api/internal/a/*", jwk({{ jwks_uri: "https://id.example/.well-known/jwks.json" }}), {fresh});
app.all("/api/internal/b/*", clerkMiddleware(), {fresh});
app.all("/api/internal/c/*", cloudflareAccess("team"), {fresh});
export default app;
"""
    assert front_findings(tmp_path, {"src/index.ts": index}) == []


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


# --- DW005: paths held in constants ----------------------------------------------------------------

FRESH_PROXY = '(c) => c.env.BACKEND_SERVICE.fetch(new Request(c.req.url, { headers: { "X-User-Id": "u" } }))'


def test_dw005_mount_prefix_from_a_constant(tmp_path: Path) -> None:
    """`app.route(PREFIX, internal)` was mounted at "", so the parent's `use("/api/internal/*")`
    did not cover the child's routes and the route was shown as `/*`."""
    index = f"""import {{ Hono }} from "hono";
import {{ authMiddleware }} from "./auth";

const PREFIX = "/api/internal";
const app = new Hono();
const internal = new Hono();
app.use("/api/internal/*", authMiddleware);
internal.all("/*", {FRESH_PROXY});
app.route(PREFIX, internal);
export default app;
"""
    assert front_findings(tmp_path, {"src/index.ts": index}) == []


def test_dw005_use_path_from_an_imported_constant_covers_only_that_path(tmp_path: Path) -> None:
    """`app.use(`${INTERNAL}/*`, auth)` was taken for `app.use("*", auth)`, protecting every route."""
    index = f"""import {{ Hono }} from "hono";
import {{ authMiddleware }} from "./auth";
import {{ INTERNAL, OTHER }} from "./paths";

const app = new Hono();
app.use(`${{INTERNAL}}/*`, authMiddleware);
app.all(INTERNAL + "/*", {FRESH_PROXY});
app.all(OTHER, {FRESH_PROXY});
export default app;
"""
    paths = 'export const INTERNAL = "/api/internal";\nexport const OTHER = `/api/other/*`;\n'
    found = front_findings(tmp_path, {"src/index.ts": index, "src/paths.ts": paths}, "DW005")
    assert [(f.line, f.message.split("`")[1]) for f in found] == [(8, "ALL /api/other/*")]


# --- DW005: plain fetch handlers that call a helper -------------------------------------------------

PLAIN_HELPER = """import {{ authenticate }} from "./auth";

async function forward(request: Request, env: Env, userId: string) {{
  return env.BACKEND_SERVICE.fetch(new Request(request.url, {{ headers: {{ "X-User-Id": userId }} }}));
}}

export default {{
  async fetch(request: Request, env: Env): Promise<Response> {{
{body}
  }},
}} satisfies ExportedHandler<Env>;
"""


def test_dw005_plain_worker_authenticates_before_calling_the_helper(tmp_path: Path) -> None:
    """The binding call sits in `forward`, whose only caller authenticates first: it was flagged
    because only the functions around the call were searched, not its callers."""
    body = """    const userId = await authenticate(request, env);
    if (!userId) return new Response("unauthorized", { status: 401 });
    return forward(request, env, userId);"""
    auth = 'export async function authenticate(request: Request, env: Env) { return "u1"; }\n'
    files = {"src/index.ts": PLAIN_HELPER.format(body=body), "src/auth.ts": auth}
    assert front_findings(tmp_path, files) == []


def test_dw005_plain_worker_helper_called_without_auth(tmp_path: Path) -> None:
    body = '    return forward(request, env, request.headers.get("X-User-Id") ?? "");'
    auth = 'export async function authenticate(request: Request, env: Env) { return "u1"; }\n'
    found = front_findings(
        tmp_path, {"src/index.ts": PLAIN_HELPER.format(body=body), "src/auth.ts": auth}, "DW005"
    )
    assert where(found) == [("DW005", "web/src/index.ts", 4)]


def test_dw005_app_mount_is_a_route_under_its_path(tmp_path: Path) -> None:
    """`app.mount(path, handler)` was not a route: its binding call was "outside any Hono route"
    even behind `app.use("/api/internal/*", auth)`."""
    mount = (
        "(request, env) => env.BACKEND_SERVICE.fetch("
        'new Request(request.url, { headers: { "X-User-Id": "u" } }))'
    )
    index = f"""import {{ Hono }} from "hono";
import {{ authMiddleware }} from "./auth";

const app = new Hono();
app.use("/api/internal/*", authMiddleware);
app.mount("/api/internal", {mount});
app.mount("/api/open", {mount});
export default app;
"""
    found = front_findings(tmp_path, {"src/index.ts": index}, "DW005")
    assert [(f.line, f.message.split("`")[1]) for f in found] == [(7, "MOUNT /api/open/*")]


def test_dw012_chained_hono_default_export_of_a_public_backend(tmp_path: Path) -> None:
    """The backend's `export default new Hono().get("/api/internal/...")` was not seen as routes."""
    from tests.test_check_support import BACKEND_TS, backend

    data = backend()
    data["routes"] = ["go.example.com/*"]
    index = BACKEND_TS["src/index.ts"].replace(
        'export default { fetch: () => new Response("not found", { status: 404 }) };',
        'export default new Hono().basePath("/api").get("/internal/notes", (c) => c.json([]));',
    )
    root = make_project(
        tmp_path,
        backend=data,
        backend_ts={**BACKEND_TS, "src/index.ts": 'import { Hono } from "hono";\n' + index},
    )
    found = [f for f in lint(root).findings if f.rule == "DW012"]
    assert [(f.path, f.line) for f in found] == [("core/src/index.ts", 12)]
    assert "GET /api/internal/notes" in found[0].message


# --- TOML with a byte-order mark ---------------------------------------------------------------------


def test_bom_prefixed_toml_is_read_like_wrangler_does(tmp_path: Path) -> None:
    """Wrangler strips a UTF-8 BOM before parsing (removeBOMAndValidate); we exited 2 with
    "Invalid statement" at 1:1. The BOM survives --fix."""
    from dualworker_cli.check.engine import run_with_fixes

    root = make_project(tmp_path)
    (root / "core" / "wrangler.jsonc").unlink()
    toml = (
        '\ufeffname = "shop-core" # the Data Worker\n'
        'main = "src/index.ts"\ncompatibility_date = "2026-11-01"\n'
        'preview_urls = false\n\n[[durable_objects.bindings]]\nname = "ROOMS"\nclass_name = "Room"\n\n'
        '[[migrations]]\ntag = "v1"\nnew_sqlite_classes = ["Room"]\n\n'
        '[[workflows]]\nbinding = "REPORTS"\nname = "reports"\nclass_name = "ReportWorkflow"\n\n'
        '[[queues.consumers]]\nqueue = "jobs"\ndead_letter_queue = "jobs-dlq"\n'
    )
    config = root / "core" / "wrangler.toml"
    config.write_text(toml, encoding="utf-8")
    found = [(f.rule, f.path, f.line, f.col) for f in lint(root).findings]
    assert ("DW002", "core/wrangler.toml", 1, 1) in found
    result = run_with_fixes(root, select=["DW002"])
    assert result.findings == [] and result.fixed
    text = config.read_text(encoding="utf-8")
    assert text.startswith('\ufeffname = "shop-core" # the Data Worker\n') and "workers_dev = false" in text


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


def test_table_prints_brackets_in_paths_and_messages_as_text(tmp_path: Path, monkeypatch) -> None:
    """Rich read `[slug]` folders (Next.js/SvelteKit style) and Hono regex routes as markup: the
    path lost its `[slug]` parts, and a `[/x]` in a route crashed the table with a traceback."""
    from tests.test_check_cli import invoke

    index = """import { Hono } from "hono";
import { forward } from "./routes/[slug]/forward";

const app = new Hono();
app.all("/api/internal/:path{[/a-z]+}", forward);
export default app;
"""
    forward = "export const forward = (c) => c.env.BACKEND_SERVICE.fetch(c.req.raw);\n"
    make_project(tmp_path, front_ts={"src/index.ts": index, "src/routes/[slug]/forward.ts": forward})
    monkeypatch.chdir(tmp_path)
    code, out, err = invoke(".", "--select", "DW005,DW006")
    assert code == 1 and "Traceback" not in err
    assert "web/src/routes/[slug]/forward.ts:1:31" in out
    assert "`ALL /api/internal/:path{[/a-z]+}`" in out


def test_error_line_keeps_brackets_in_paths(tmp_path: Path) -> None:
    """The exit-2 line is printed as Rich markup: `[x]` in a path vanished, `[/x]` crashed."""
    from tests.test_check_cli import _one_liner, invoke

    root = make_project(tmp_path)
    for folder in ("[tenant]", "[/x]"):
        bad = root / "apps" / folder / "wrangler.jsonc"
        bad.parent.mkdir(parents=True)
        bad.write_text('{ "name": 1', encoding="utf-8")
        code, _, err = invoke(str(root))
        assert code == 2
        assert _one_liner(err) == f"error: apps/{folder}/wrangler.jsonc:1:12: unexpected end of file"
        bad.unlink()


def test_usage_errors_echo_odd_option_values_verbatim(tmp_path: Path) -> None:
    from tests.test_check_cli import _one_liner, invoke

    root = str(make_project(tmp_path))
    for args, line in (
        (["--explain", "[/x]"], "error: --explain [/x]: unknown rule"),
        (["--format", "[/x]"], "error: --format [/x]: choose one of"),
        (["--fail-on", "[/x]"], "error: --fail-on [/x]: choose one of"),
        (["--select", "[/x]"], "error: unknown rule '[/X]'"),
    ):
        code, _, err = invoke(root, *args) if args[0] != "--explain" else invoke(*args)
        assert code == 2
        assert _one_liner(err).startswith(line)


def test_columns_do_not_count_a_byte_order_mark(tmp_path: Path) -> None:
    """Editors hide a BOM; findings and parse errors on line 1 were one column to the right."""
    import pytest

    from dualworker_cli.check.parse import jsonc
    from dualworker_cli.check.parse.errors import ParseError

    proxy = "\ufeffexport async function proxy(c) { return c.env.BACKEND_SERVICE.fetch(c.req.raw); }\n"
    from tests.test_check_support import FRONT_TS

    root = make_project(tmp_path, front_ts={**FRONT_TS, "src/proxy.ts": proxy})
    found = {(f.rule, f.path, f.line, f.col) for f in lint(root).findings}
    assert ("DW006", "web/src/proxy.ts", 1, 41) in found
    assert jsonc.parse('\ufeff{ "a": 1, }').position(3) == (1, 3)
    with pytest.raises(ParseError) as error:
        jsonc.parse('\ufeff{ "a" 1 }')
    assert (error.value.line, error.value.col) == (1, 7)


def test_dw005_local_apps_of_two_factories_are_two_apps(tmp_path: Path) -> None:
    """Two functions each building a local `app`: the admin app's `use("*", auth)` protected the
    internal app's proxy route (both were the app "app"), and `root.route(p, makeApp())` was not
    linked to the returned app."""
    index = f"""import {{ Hono }} from "hono";
import {{ authMiddleware }} from "./auth";

function adminApp() {{
  const app = new Hono();
  app.use("*", authMiddleware);
  app.all("/proxy/*", {FRESH_PROXY});
  return app;
}}
function internalApp() {{
  const app = new Hono();
  app.all("/*", {FRESH_PROXY});
  return app;
}}
const root = new Hono();
root.route("/admin", adminApp());
root.route("/api/internal", internalApp());
export default root;
"""
    found = front_findings(tmp_path, {"src/index.ts": index}, "DW005")
    assert [(f.line, f.message.split("`")[1]) for f in found] == [(12, "ALL /api/internal/*")]


def test_dw005_helper_also_exported_as_the_handler_is_not_guarded_by_its_callers(tmp_path: Path) -> None:
    """Following callers must not hide that the runtime calls the helper directly."""
    index = """import { authenticate } from "./auth";

async function forward(request: Request, env: Env) {
  return env.BACKEND_SERVICE.fetch(new Request(request.url, { headers: { "X-User-Id": "u" } }));
}
async function guarded(request: Request, env: Env) {
  if (!(await authenticate(request, env))) return new Response("unauthorized", { status: 401 });
  return forward(request, env);
}
export default { fetch: forward, guarded };
"""
    auth = "export async function authenticate(request: Request, env: Env) { return true; }\n"
    found = front_findings(tmp_path, {"src/index.ts": index, "src/auth.ts": auth}, "DW005")
    assert where(found) == [("DW005", "web/src/index.ts", 4)]


def test_config_directory_beside_a_config_file_is_ignored_like_wrangler_does(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    (root / "core" / "wrangler.json").mkdir()  # Wrangler's lookup only considers files
    assert lint(root).findings == []


def test_every_binding_between_two_workers_is_checked(tmp_path: Path) -> None:
    """A front binding one backend twice (`API` for fetch, `RPC` with an entrypoint) had only its
    first binding analysed: routes using the second were never checked."""
    from tests.test_check_support import front

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
    from tests.test_check_support import FRONT_TS

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


def test_dw012_default_export_reported_once_for_two_bindings(tmp_path: Path) -> None:
    from tests.test_check_support import BACKEND_TS, backend, front

    data = front()
    data["services"].append({"binding": "RPC", "service": "shop-core", "entrypoint": "InternalApi"})
    data["env"]["staging"]["services"].append(
        {"binding": "RPC", "service": "shop-core-staging", "entrypoint": "InternalApi"}
    )
    back = backend()
    back["routes"] = ["go.example.com/*"]
    index = BACKEND_TS["src/index.ts"].replace(
        'export default { fetch: () => new Response("not found", { status: 404 }) };',
        'export default new Hono().get("/api/internal/notes", (c) => c.json([]));',
    )
    backend_ts = {**BACKEND_TS, "src/index.ts": 'import { Hono } from "hono";\n' + index}
    root = make_project(tmp_path, front=data, backend=back, backend_ts=backend_ts)
    found = [(f.path, f.line) for f in lint(root).findings if f.rule == "DW012"]
    assert found == [("core/src/index.ts", 12)]


def test_broken_export_and_import_lists_are_not_an_internal_error(tmp_path: Path) -> None:
    """`export ult { fetch: f };` (a half-typed edit) made tree-sitter recover with export
    specifiers without a name: DW005 crashed ("internal error", exit 2)."""
    from tests.test_check_support import FRONT_TS

    broken = FRONT_TS["src/app.ts"] + 'export ult { fetch: f };\nimport { , as x } from "./auth";\n'
    root = make_project(tmp_path, front_ts={**FRONT_TS, "src/app.ts": broken})
    lint(root)  # no RuleCrash


def test_no_pair_error_does_not_blame_a_binding_to_a_known_worker(tmp_path: Path) -> None:
    """With `"binding": 5`, the error said the backend `shop-core` was defined by no config."""
    from tests.test_check_cli import _one_liner, invoke
    from tests.test_check_support import front

    data = front()
    data["services"][0]["binding"] = 5
    del data["env"]
    root = make_project(tmp_path, front=data)
    code, _, err = invoke(str(root))
    assert code == 2
    line = _one_liner(err)
    assert "no config" not in line and "which no Wrangler config" not in line
    assert "no service binding between them" in line


def test_dw010_migration_lists_of_the_wrong_type_are_not_an_internal_error(tmp_path: Path) -> None:
    from tests.test_check_support import backend

    data = backend()
    data["migrations"] = [{"tag": "v1", "new_sqlite_classes": True, "renamed_classes": 1.5}]
    found = [f for f in lint(make_project(tmp_path, backend=data)).findings if f.rule == "DW010"]
    # the staging binding inherits the (broken) top-level list, and says so
    assert {f.message for f in found} == {
        "Durable Object class `Room` has no migration (`new_sqlite_classes`)",
        "Durable Object class `Room` has no migration (`new_sqlite_classes`) in env.staging "
        "(it inherits the top level's `migrations`)",
    }


def test_dw005_recursive_factories_and_unknown_factories(tmp_path: Path) -> None:
    """`route(p, f())` with a self-recursive `f` must not recurse forever (internal error), and
    routes on an unresolvable factory's result (`factory().all(...)`) are still routes."""
    index = f"""import {{ Hono }} from "hono";
import {{ factory }} from "some-package";
import {{ authMiddleware }} from "./auth";

const app = new Hono();
function f() {{ return f(); }}
const g = () => h();
const h = () => g();
app.route("/x", f());
app.route("/y", g());
factory().all("/api/internal/*", authMiddleware, {FRESH_PROXY});
export default app;
"""
    assert front_findings(tmp_path, {"src/index.ts": index}) == []
