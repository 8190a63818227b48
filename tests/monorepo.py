"""A generated monorepo of hand-written-looking dual-worker pairs, for `check`'s benchmarks.

Each pair is a front Worker and a backend Worker in their own package, written in one of four
styles seen in real projects (a Hono proxy, a plain ``fetch`` handler, Hono routes calling RPC
methods, a WebSocket proxy), so the benchmark exercises every TypeScript analysis, not one
shape repeated. Every pair is correct: ``check`` must report nothing on it.
"""

from __future__ import annotations

import json
from pathlib import Path

AUTH = """import type { MiddlewareHandler } from "hono";

export const requireAuth: MiddlewareHandler = async (c, next) => {
  const header = c.req.header("Authorization") ?? "";
  const token = header.startsWith("Bearer ") ? header.slice(7) : "";
  if (!token) return c.json({ error: "unauthorized" }, 401);
  c.set("userId", token.split(".")[0]);
  await next();
};
"""

HONO_PROXY_APP = """import {{ Hono }} from "hono";
import {{ requireAuth }} from "./auth";
import {{ forward }} from "./proxy";

type Env = {{ Bindings: {{ API: Fetcher }}; Variables: {{ userId: string }} }};

export const app = new Hono<Env>();
app.get("/health", (c) => c.json({{ ok: true, service: "{name}" }}));
app.use("/api/*", requireAuth);
app.all("/api/*", forward);
"""

HONO_PROXY = """import type { Context } from "hono";

const INTERNAL = ["x-user-id", "x-internal-token"];

export async function forward(c: Context) {
  const headers = new Headers(c.req.raw.headers);
  for (const name of INTERNAL) headers.delete(name);
  headers.set("X-User-Id", c.get("userId"));
  const url = new URL(c.req.url);
  return c.env.API.fetch(new Request(url, { method: c.req.method, headers, body: c.req.raw.body }));
}
"""

PLAIN_FRONT = """interface Env {{ API: Fetcher; TOKENS: KVNamespace }}

async function verifySession(request: Request, env: Env): Promise<string | null> {{
  const cookie = request.headers.get("Cookie") ?? "";
  const id = /session=([^;]+)/.exec(cookie)?.[1];
  return id ? await env.TOKENS.get(id) : null;
}}

export default {{
  async fetch(request: Request, env: Env): Promise<Response> {{
    const url = new URL(request.url);
    if (url.pathname === "/") return new Response("{name}");
    const userId = await verifySession(request, env);
    if (!userId) return new Response("unauthorized", {{ status: 401 }});
    const headers = new Headers();
    headers.set("X-User-Id", userId);
    headers.set("Content-Type", request.headers.get("Content-Type") ?? "application/json");
    return env.API.fetch(new Request(url, {{ method: request.method, headers, body: request.body }}));
  }},
}} satisfies ExportedHandler<Env>;
"""

RPC_FRONT_APP = """import {{ Hono }} from "hono";
import {{ requireAuth }} from "./auth";

type Api = import("../../core/src/index").Api;
type Env = {{ Bindings: {{ API: Service<Api> }}; Variables: {{ userId: string }} }};

const app = new Hono<Env>()
  .get("/", (c) => c.text("{name}"))
  .use("/api/*", requireAuth)
  .get("/api/me", async (c) => c.json(await c.env.API.getUser(c.get("userId"))))
  .post("/api/items", async (c) => {{
    const body = await c.req.json<{{ title: string }}>();
    return c.json(await c.env.API.createItem(c.get("userId"), body.title), 201);
  }});

export default app;
"""

WS_FRONT_APP = """import {{ Hono }} from "hono";
import {{ requireAuth }} from "./auth";
import {{ forward }} from "./proxy";

type Env = {{ Bindings: {{ API: Fetcher; ALLOWED_ORIGINS: string }}; Variables: {{ userId: string }} }};

export const app = new Hono<Env>();
app.use("/live/*", requireAuth);
app.get("/live/:room", async (c) => {{
  const origin = c.req.header("Origin") ?? "";
  if (!c.env.ALLOWED_ORIGINS.split(",").includes(origin)) return c.text("forbidden", 403);
  return forward(c);
}});
app.get("/", (c) => c.text("{name}"));
"""

BACKEND_APP = """import { Hono } from "hono";

type Env = { Bindings: { DB: D1Database } };

export const api = new Hono<Env>();
api.use("*", async (c, next) => {
  if (!c.req.header("X-User-Id")) return c.json({ error: "missing user" }, 400);
  await next();
});
api.get("/api/notes", async (c) => {
  const userId = c.req.header("X-User-Id");
  const { results } = await c.env.DB.prepare("SELECT * FROM notes WHERE user_id = ?").bind(userId).all();
  return c.json(results);
});
api.post("/api/notes", async (c) => {
  const userId = c.req.header("X-User-Id");
  const { text } = await c.req.json<{ text: string }>();
  await c.env.DB.prepare("INSERT INTO notes (user_id, text) VALUES (?, ?)").bind(userId, text).run();
  return c.json({ ok: true }, 201);
});
"""

BACKEND_WS_APP = """import { Hono } from "hono";

type Env = { Bindings: { ROOMS: DurableObjectNamespace } };

export const api = new Hono<Env>();
api.get("/live/:room", async (c) => {
  if (c.req.header("Upgrade") !== "websocket") return c.text("expected a websocket", 426);
  const stub = c.env.ROOMS.get(c.env.ROOMS.idFromName(c.req.param("room")));
  return stub.fetch(c.req.raw);
});
"""

BACKEND_INDEX = """import {{ WorkerEntrypoint }} from "cloudflare:workers";
import {{ api }} from "./app";
{extra_import}
export class Api extends WorkerEntrypoint<Env> {{
  async fetch(request: Request): Promise<Response> {{
    return api.fetch(request, this.env, this.ctx);
  }}

  async getUser(userId: string) {{
    return this.env.DB.prepare("SELECT * FROM users WHERE id = ?").bind(userId).first();
  }}

  async createItem(userId: string, title: string) {{
    await this.env.DB.prepare("INSERT INTO items (user_id, title) VALUES (?, ?)").bind(userId, title).run();
    return {{ ok: true }};
  }}
}}
{extra_export}
export default {{
  async fetch(): Promise<Response> {{
    return new Response("not found", {{ status: 404 }});
  }},
}};
"""

ROOM = """import { DurableObject } from "cloudflare:workers";

export class Room extends DurableObject {
  async fetch(request: Request): Promise<Response> {
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer) {
    for (const peer of this.ctx.getWebSockets()) peer.send(message);
  }
}
"""

STYLES = ("hono-proxy", "plain-fetch", "rpc", "websocket")


def _front_files(style: str, name: str) -> dict[str, str]:
    if style == "plain-fetch":
        return {"src/index.ts": PLAIN_FRONT.format(name=name)}
    files = {"src/auth.ts": AUTH}
    if style == "rpc":
        files["src/index.ts"] = RPC_FRONT_APP.format(name=name)
        return files
    files["src/proxy.ts"] = HONO_PROXY
    files["src/app.ts"] = (WS_FRONT_APP if style == "websocket" else HONO_PROXY_APP).format(name=name)
    files["src/index.ts"] = 'import { app } from "./app";\n\nexport default app;\n'
    return files


def _write_config(folder: Path, config: dict, toml: bool) -> None:
    if not toml:
        (folder / "wrangler.jsonc").write_text(
            "// generated for the benchmark\n" + json.dumps(config, indent=2)
        )
        return
    lines = [f"{k} = {json.dumps(v)}" for k, v in config.items() if not isinstance(v, (dict, list))]
    for entry in config.get("services", []):
        lines += ["", "[[services]]"] + [f"{k} = {json.dumps(v)}" for k, v in entry.items()]
    for env, block in config.get("env", {}).items():
        for entry in block.get("services", []):
            lines += ["", f"[[env.{env}.services]]"] + [f"{k} = {json.dumps(v)}" for k, v in entry.items()]
        if not block.get("services"):
            lines += ["", f"[env.{env}]"]
    durable = config.get("durable_objects", {}).get("bindings", [])
    for entry in durable:
        lines += ["", "[[durable_objects.bindings]]"] + [f"{k} = {json.dumps(v)}" for k, v in entry.items()]
    for entry in config.get("migrations", []):
        lines += ["", "[[migrations]]"] + [f"{k} = {json.dumps(v)}" for k, v in entry.items()]
    (folder / "wrangler.toml").write_text("\n".join(lines) + "\n")


def make_pair(base: Path, i: int) -> None:
    """One front/backend pair under ``base`` (``web`` and ``core`` packages)."""
    style = STYLES[i % len(STYLES)]
    web, core = base / "web", base / "core"
    front_name, backend_name = f"svc{i}-web", f"svc{i}-core"
    for folder, pkg in ((web, front_name), (core, backend_name)):
        (folder / "src").mkdir(parents=True)
        (folder / "package.json").write_text(json.dumps({"name": pkg, "private": True}))
    binding = {"binding": "API", "service": backend_name, "entrypoint": "Api"}
    front = {
        "name": front_name,
        "main": "src/index.ts",
        "compatibility_date": "2026-11-01",
        "services": [binding],
        "env": {"staging": {"services": [{**binding, "service": f"{backend_name}-staging"}]}},
    }
    backend: dict = {
        "name": backend_name,
        "main": "src/index.ts",
        "compatibility_date": "2026-11-01",
        "workers_dev": False,
        "preview_urls": False,
        "env": {"staging": {}},
    }
    extra_import = extra_export = ""
    if style == "websocket":
        backend["durable_objects"] = {"bindings": [{"name": "ROOMS", "class_name": "Room"}]}
        backend["migrations"] = [{"tag": "v1", "new_sqlite_classes": ["Room"]}]
        backend["env"] = {
            "staging": {"durable_objects": {"bindings": [{"name": "ROOMS", "class_name": "Room"}]}}
        }
        extra_import = 'export { Room } from "./room";\n'
        (core / "src" / "room.ts").write_text(ROOM)
    toml = i % 3 == 0
    _write_config(web, front, toml)
    _write_config(core, backend, toml)
    for rel, text in _front_files(style, front_name).items():
        (web / rel).write_text(text)
    (core / "src" / "app.ts").write_text(BACKEND_WS_APP if style == "websocket" else BACKEND_APP)
    (core / "src" / "index.ts").write_text(
        BACKEND_INDEX.format(extra_import=extra_import, extra_export=extra_export)
    )
    # a dependency folder that must never be scanned
    (base / "node_modules" / "dep").mkdir(parents=True)
    (base / "node_modules" / "dep" / "wrangler.toml").write_text('name = "ignored"\n')


def make_monorepo(root: Path, workers: int) -> Path:
    """A monorepo of ``workers`` Workers (``workers // 2`` pairs) under ``root/services``."""
    (root / "package.json").write_text(
        json.dumps({"name": "mono", "private": True, "workspaces": ["services/*/*"]})
    )
    for i in range(workers // 2):
        make_pair(root / "services" / f"svc{i:04d}", i)
    return root
