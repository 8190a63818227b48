"""DW002/DW003: public URLs resolved per environment as Wrangler's getSubdomainValues does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dualworker_cli.check.engine import run
from dualworker_cli.check.model import Severity
from tests.check.helpers import findings_for, write_tree
from tests.test_check_support import backend, front, lint, make_project


def _found(root: Path, rule: str) -> list:
    return [f for f in lint(root).findings if f.rule == rule]


def test_explicit_workers_dev_true_beats_routes(tmp_path: Path) -> None:
    data = backend()
    data["workers_dev"] = True
    data["routes"] = ["core.example.com/*"]
    [finding] = _found(make_project(tmp_path, backend=data), "DW002")
    assert "sets `workers_dev` to true" in finding.message
    assert finding.severity is Severity.WARNING  # the binding names InternalApi


def _without_durable_objects(back: dict) -> dict:
    back.pop("durable_objects"), back.pop("migrations")
    back["env"]["staging"].pop("durable_objects")
    return back


def test_default_binding_makes_it_an_error(tmp_path: Path) -> None:
    back, web = _without_durable_objects(backend()), front()
    del back["workers_dev"], back["preview_urls"]
    for entry in (web["services"][0], web["env"]["staging"]["services"][0]):
        del entry["entrypoint"]
    root = make_project(tmp_path, front=web, backend=back)
    for rule in ("DW002", "DW003"):
        [finding] = _found(root, rule)  # env.staging inherits: reported once, at the top level
        assert finding.severity is Severity.ERROR and "calls without `entrypoint`" in finding.message


def test_routes_without_keys_are_clean(tmp_path: Path) -> None:
    back = backend()
    del back["workers_dev"], back["preview_urls"]
    back["route"] = {"pattern": "core.example.com", "custom_domain": True}
    root = make_project(tmp_path, backend=back)
    assert _found(root, "DW002") == [] and _found(root, "DW003") == []
    assert len(_found(root, "DW001")) == 1  # the custom domain itself is still DW001's business


def test_dw003_no_preview_urls_for_a_worker_with_durable_objects(tmp_path: Path) -> None:
    """Cloudflare generates no preview URLs for a Worker that implements a Durable Object."""
    back, web = backend(), front()
    del back["workers_dev"], back["preview_urls"]
    for entry in (web["services"][0], web["env"]["staging"]["services"][0]):
        del entry["entrypoint"]
    root = make_project(tmp_path, front=web, backend=back)
    assert _found(root, "DW003") == []
    assert len(_found(root, "DW002")) == 1
    back["preview_urls"] = True  # an explicit true changes nothing either: no preview URL exists
    assert _found(make_project(tmp_path / "explicit", front=web, backend=back), "DW003") == []


@pytest.mark.parametrize(("rule", "key"), [("DW002", "workers_dev"), ("DW003", "preview_urls")])
def test_dw002_dw003_missing_or_true(tmp_path: Path, rule: str, key: str) -> None:
    data = backend()
    if key == "preview_urls":  # a Worker with Durable Objects gets no preview URLs at all
        data.pop("durable_objects"), data["env"]["staging"].pop("durable_objects")
    del data[key]
    data["env"]["staging"][key] = True
    found = findings_for(make_project(tmp_path, backend=data), rule)
    # Wrangler >= 4.44: an unset preview_urls follows workers_dev (false here), so only env.staging
    assert [f.message.split(":")[1].split()[0] for f in found] == (
        ["`workers_dev`", "env.staging"] if key == "workers_dev" else ["env.staging"]
    )
    assert all(f.fix is not None for f in found)


def _rpc_service(root: Path, backend_fetch: str) -> Path:
    """A front that hands its binding to a helper inside an object (`{ email: env.EMAIL }`, as
    JSConfCL/gql_api's cron does), and a public `WorkerEntrypoint` backend serving RPC methods."""
    files = {
        "web/wrangler.jsonc": '{"name": "web", "main": "src/index.ts", "compatibility_date": "2026-11-01", '
        '"workers_dev": false, "services": [{"binding": "EMAIL", "service": "email"}]}',
        "web/src/index.ts": 'import { notify } from "./notify";\n'
        "export default {\n  async fetch(request: Request, env: { EMAIL: Service }) {\n"
        '    if (!request.headers.get("Authorization")) return new Response("no", { status: 401 });\n'
        '    await notify({ email: env.EMAIL }, "a@b.c");\n    return new Response("sent");\n  },\n};\n',
        "web/src/notify.ts": "export async function notify(deps: { email: any }, to: string) {\n"
        "  await deps.email.sendWelcome(to);\n}\n",
        "email/wrangler.jsonc": '{"name": "email", "main": "src/index.ts", '
        '"compatibility_date": "2026-11-01", "kv_namespaces": [{"binding": "SENT", "id": "x"}]}',
        "email/src/index.ts": 'import { WorkerEntrypoint } from "cloudflare:workers";\n'
        "export default class Email extends WorkerEntrypoint<{ SENT: KVNamespace }> {\n"
        + backend_fetch
        + "  async sendWelcome(to: string) {\n"
        "    await this.env.SENT.put(to, Date.now().toString());\n  }\n}\n",
    }
    return write_tree(root, files)


def test_backend_whose_fetch_answers_a_constant_exposes_nothing(tmp_path: Path) -> None:
    root = _rpc_service(tmp_path, '  fetch() {\n    return new Response("ok");\n  }\n')
    assert [f.rule for f in run(root).findings if f.rule in ("DW002", "DW003", "DW012")] == []


def test_backend_whose_fetch_reads_its_data_is_exposed(tmp_path: Path) -> None:
    fetch = (
        "  async fetch(request: Request) {\n"
        "    return new Response(await this.env.SENT.get(request.url));\n  }\n"
    )
    assert {f.rule for f in run(_rpc_service(tmp_path, fetch)).findings} >= {"DW002", "DW012"}


def _framework_front_with_package_client(root: Path, client_reads_binding: bool) -> Path:
    """ejohane/vista's shape: a React Router front (its `main` only hands requests to the
    framework) whose loader authenticates, then asks a workspace package for a client made from
    `env` (the package reads `env.STATE`); the state backend forwards every household path to a
    Durable Object without auth, and keeps its workers.dev URL."""
    read = (
        "const svc = env.STATE as Fetcher;\n  return { get: (id: string) => svc.fetch(`https://s/h/${id}`) };"
    )
    if not client_reads_binding:
        read = "return { get: (id: string) => fetch(`${env.STATE_URL}/h/${id}`) };"
    files = {
        "package.json": '{"name": "mono", "private": true, "workspaces": ["apps/*", "packages/*"]}',
        "packages/state-client/package.json": '{"name": "@acme/state-client", "main": "src/index.ts"}',
        "packages/state-client/src/index.ts": "export function clientFromEnv(\n"
        "  env: Record<string, unknown>,\n) {\n  " + read + "\n}\n",
        "apps/web/package.json": '{"name": "web", "scripts": {"deploy": "wrangler deploy"}}',
        "apps/web/wrangler.jsonc": json.dumps(
            {
                "name": "web",
                "main": "workers/app.ts",
                "compatibility_date": "2026-11-01",
                "workers_dev": False,
            }
            | {"services": [{"binding": "STATE", "service": "state"}]}
        ),
        "apps/web/workers/app.ts": 'import { createRequestHandler } from "react-router";\n'
        'const handler = createRequestHandler(() => import("virtual:react-router/server-build"));\n'
        "export default { fetch: (request: Request, env: unknown) => handler(request, { env }) };\n",
        "apps/web/app/routes/home.tsx": 'import { clientFromEnv } from "@acme/state-client";\n'
        'import { requireUser } from "../auth";\n'
        "export async function loader({ request, context }: { request: Request; context: { env: any } }) {\n"
        "  const user = await requireUser(request);\n"
        "  return clientFromEnv(context.env).get(user.household);\n}\n",
        "apps/web/app/auth.ts": "export async function requireUser(request: Request) {\n"
        '  const token = request.headers.get("Authorization");\n'
        '  if (!token) throw new Response("unauthorized", { status: 401 });\n'
        "  return { household: token.slice(7) };\n}\n",
        "apps/state/package.json": '{"name": "state", "scripts": {"deploy": "wrangler deploy"}}',
        "apps/state/wrangler.jsonc": json.dumps(
            {"name": "state", "main": "src/index.ts", "compatibility_date": "2026-11-01"}
            | {"durable_objects": {"bindings": [{"name": "HOUSEHOLD", "class_name": "Household"}]}}
            | {"migrations": [{"tag": "v1", "new_sqlite_classes": ["Household"]}]}
        ),
        "apps/state/src/index.ts": 'import { DurableObject } from "cloudflare:workers";\n'
        "export class Household extends DurableObject {\n"
        '  async fetch() { return new Response(await this.ctx.storage.get("s") ?? ""); }\n}\n'
        "export default {\n  async fetch(request: Request, env: { HOUSEHOLD: DurableObjectNamespace }) {\n"
        '    const id = new URL(request.url).pathname.split("/")[2];\n'
        "    return env.HOUSEHOLD.get(env.HOUSEHOLD.idFromName(id)).fetch(request);\n  },\n};\n",
    }
    return write_tree(root, files)


def test_framework_front_reading_its_binding_in_a_workspace_package_relies_on_the_backend(
    tmp_path: Path,
) -> None:
    result = run(_framework_front_with_package_client(tmp_path, client_reads_binding=True))
    assert [(f.rule, f.path) for f in result.findings if f.rule in ("DW002", "DW012")] == [
        ("DW012", "apps/state/src/index.ts"),
        ("DW002", "apps/state/wrangler.jsonc"),
    ]


def test_framework_front_whose_package_never_reads_the_binding_forwards_nothing(tmp_path: Path) -> None:
    result = run(_framework_front_with_package_client(tmp_path, client_reads_binding=False))
    assert [f.rule for f in result.findings if f.rule in ("DW002", "DW012")] == []
