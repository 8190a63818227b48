"""`dualworker check --fix`: edits in place, keeps every comment, re-parses, and the fixed rules pass."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

from typer.testing import CliRunner

from dualworker_cli.check.engine import run, run_with_fixes
from dualworker_cli.check.parse import jsonc
from dualworker_cli.cli import app
from tests.test_check_support import make_project

BLUEPRINT = Path(__file__).parent / "fixtures" / "check" / "blueprint"
FIXABLE = {"DW002", "DW003", "DW004", "DW009"}

BACKEND_JSONC = """// Data Worker: private.
{
  "name": "shop-core", // the backend
  "main": "src/index.ts",
  "compatibility_date": "2026-11-01",
  /* The DO and its migration */
  "durable_objects": { "bindings": [{ "name": "ROOMS", "class_name": "Room", "script_name": "shop-rooms" }] },
  "migrations": [{ "tag": "v1", "new_sqlite_classes": ["Room"] }],
  "workflows": [{ "binding": "REPORTS", "name": "reports", "class_name": "ReportWorkflow" }],
  "queues": {
    "consumers": [
      {
        "queue": "jobs", // consumed here
        "max_retries": 3,
      },
      { "queue": "jobs-dlq" }, // failed jobs are logged (the DLQ --fix may name: it exists)
    ],
  },
  "env": {
    "staging": {
      "workers_dev": true, // oops
      "queues": { "consumers": [{ "queue": "jobs-staging", "dead_letter_queue": "jobs-dlq-staging" }] },
      "durable_objects": {
        "bindings": [{ "name": "ROOMS", "class_name": "Room", "script_name": "shop-rooms" }]
      }
    }
  }
}
"""

FRONT_JSONC = """{
  // User Worker
  "name": "shop-web",
  "main": "src/index.ts",
  "compatibility_date": "2026-11-01",
  "assets": { "directory": "./public", "run_worker_first": ["/api/*"] },
  "services": [
    { "binding": "BACKEND_SERVICE", "service": "shop-core", "entrypoint": "InternalApi" } // prod
  ],
  "queues": { "producers": [{ "binding": "JOBS", "queue": "jobs" }] },
  "env": {
    "staging": {
      // services are not inherited!
      "queues": { "producers": [{ "binding": "JOBS", "queue": "jobs-staging" }] }
    }
  }
}
"""


def comments(text: str) -> list[str]:
    return [c.text for c in jsonc.parse(text).comments]


def test_fix_jsonc_keeps_comments_and_passes(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    back = root / "core" / "wrangler.jsonc"
    front = root / "web" / "wrangler.jsonc"
    back.write_text(BACKEND_JSONC)
    front.write_text(FRONT_JSONC)
    before = run(root)
    assert {f.rule for f in before.findings} >= FIXABLE
    after = run_with_fixes(root)
    assert [f.rule for f in after.findings if f.rule in FIXABLE] == []
    assert after.findings == []
    assert len(after.fixed) == 5  # top workers_dev + preview_urls, env workers_dev, DLQ, env binding
    for path, original in ((back, BACKEND_JSONC), (front, FRONT_JSONC)):
        text = path.read_text()
        assert comments(text) == comments(original)  # every comment, in order
        jsonc.parse(text)
    data = jsonc.parse(back.read_text()).to_python()
    assert data["workers_dev"] is False and data["preview_urls"] is False
    assert data["env"]["staging"]["workers_dev"] is False
    assert data["queues"]["consumers"][0]["dead_letter_queue"] == "jobs-dlq"
    staging = jsonc.parse(front.read_text()).to_python()["env"]["staging"]
    assert staging["services"] == [
        {"binding": "BACKEND_SERVICE", "service": "shop-core-staging", "entrypoint": "InternalApi"}
    ]
    # untouched lines stay byte for byte
    assert '"name": "shop-core", // the backend' in back.read_text()
    assert "// consumed here" in back.read_text()


def test_fix_blueprint_copy_via_cli(tmp_path: Path) -> None:
    root = tmp_path / "blueprint"
    shutil.copytree(BLUEPRINT, root)
    config = root / "apps" / "data-service" / "wrangler.jsonc"
    original = config.read_text()
    result = CliRunner().invoke(app, ["check", str(root), "--fix", "--select", "DW002,DW003"])
    assert result.exit_code == 0, result.output
    assert "fixed" in result.stdout
    text = config.read_text()
    assert comments(text) == comments(original)
    assert jsonc.parse(text).to_python()["workers_dev"] is False
    assert text.startswith(original.rstrip().rstrip("}").rstrip())  # appended, nothing rewritten


def test_fix_toml_keeps_comments(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    (root / "core" / "wrangler.jsonc").unlink()
    toml_text = """# Data Worker (TOML)
name = "shop-core" # backend
main = "src/index.ts"
compatibility_date = "2026-11-01"

# Durable Objects
[[durable_objects.bindings]]
name = "ROOMS"
class_name = "Room"
script_name = "shop-rooms" # hosted by another Worker: this one has preview URLs

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Room"]

[[workflows]]
binding = "REPORTS"
name = "reports"
class_name = "ReportWorkflow"

[[queues.consumers]]
queue = "jobs" # no DLQ yet

[[queues.consumers]]
queue = "jobs-dlq" # failed jobs land here

[env.staging]
workers_dev = true # oops

[[env.staging.durable_objects.bindings]]
name = "ROOMS"
class_name = "Room"
script_name = "shop-rooms"

[[env.staging.queues.consumers]]
queue = "jobs-staging"
dead_letter_queue = "jobs-dlq-staging"
"""
    path = root / "core" / "wrangler.toml"
    path.write_text(toml_text)
    before = run(root)
    assert {"DW002", "DW003", "DW009"} <= {f.rule for f in before.findings}
    assert any(f.path == "core/wrangler.toml" and f.line == 28 for f in before.findings if f.rule == "DW002")
    after = run_with_fixes(root)
    assert after.findings == []
    text = path.read_text()
    assert re.findall(r"#.*", text) == re.findall(r"#.*", toml_text)
    data = tomllib.loads(text)
    assert data["workers_dev"] is False and data["preview_urls"] is False
    assert data["env"]["staging"]["workers_dev"] is False
    assert data["queues"]["consumers"][0]["dead_letter_queue"] == "jobs-dlq"


def test_fix_keeps_crlf(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    back = root / "core" / "wrangler.jsonc"
    crlf = back.read_text().replace('  "workers_dev": false,\n', "").replace("\n", "\r\n")
    back.write_bytes(crlf.encode())
    run_with_fixes(root)
    data = back.read_bytes().decode()
    assert "\n" not in data.replace("\r\n", "")
    assert jsonc.parse(data).to_python()["workers_dev"] is False


def test_edit_helpers_inline_and_empty_objects() -> None:
    assert jsonc.set_member('{ "a": 1 }', (), "b", False) == '{ "a": 1, "b": false }'
    assert jsonc.set_member('{ "a": 1, }', (), "b", 2) == '{ "a": 1, "b": 2, }'
    assert jsonc.set_member("{}", (), "b", None) == '{ "b": null }'
    assert jsonc.set_member('{"x": {\n}}', ("x",), "y", 1) == '{"x": {\n  "y": 1\n}}'
    assert jsonc.append_item('{"a": [1]}', ("a",), 2) == '{"a": [1, 2]}'
    assert jsonc.set_member('{"a": true}', (), "a", False) == '{"a": false}'


def test_fix_toml_env_binding(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    (root / "web" / "wrangler.jsonc").unlink()
    front_toml = """# User Worker
name = "shop-web"
main = "src/index.ts"
compatibility_date = "2026-11-01"

[assets]
directory = "./public"
run_worker_first = ["/api/*"]

[[services]]
binding = "BACKEND_SERVICE"
service = "shop-core"
entrypoint = "InternalApi"

[[queues.producers]]
binding = "JOBS"
queue = "jobs"

[env.staging]
# staging: services are not inherited

[[env.staging.queues.producers]]
binding = "JOBS"
queue = "jobs-staging"
"""
    path = root / "web" / "wrangler.toml"
    path.write_text(front_toml)
    assert [f.rule for f in run(root).findings] == ["DW004"]
    after = run_with_fixes(root)
    assert after.findings == []
    text = path.read_text()
    assert re.findall(r"#.*", text) == re.findall(r"#.*", front_toml)
    assert tomllib.loads(text)["env"]["staging"]["services"] == [
        {"binding": "BACKEND_SERVICE", "service": "shop-core-staging", "entrypoint": "InternalApi"}
    ]


def test_fix_run_worker_first(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    front = root / "web" / "wrangler.jsonc"
    original = front.read_text()
    # SPA fallback + a run_worker_first list: the forwarded paths would get index.html (DW008 warning)
    text = original.replace(
        '"run_worker_first": [\n      "/api/*"\n    ]',
        '"run_worker_first": ["/app/*"], "not_found_handling": "single-page-application"',
    )
    assert text != original
    front.write_text(text)
    assert [f.rule for f in run(root).findings] == ["DW008"]
    after = run_with_fixes(root)
    # the patterns the front really forwards (the proxy and the WebSocket route), not a guessed prefix
    assert after.findings == [] and after.fixed == [
        'web/wrangler.jsonc: add "/api/internal/*", "/api/ws/*" to assets.run_worker_first'
    ]
    assert jsonc.parse(front.read_text()).to_python()["assets"]["run_worker_first"] == [
        "/app/*",
        "/api/internal/*",
        "/api/ws/*",
    ]
    # missing altogether, and a file is served under a forwarded path: the key is added with every
    # forwarded path (a list turns the SPA fallback on for the paths it leaves out)
    text = front.read_text().replace(
        '"run_worker_first": ["/app/*", "/api/internal/*", "/api/ws/*"]', '"binding": "ASSETS"'
    )
    front.write_text(text)
    export = root / "web" / "public" / "api" / "internal" / "export.json"
    export.parent.mkdir(parents=True)
    export.write_text("{}")
    assert [(f.rule, f.severity.label) for f in run(root).findings] == [("DW008", "error")]
    assert run_with_fixes(root).findings == []
    assert jsonc.parse(front.read_text()).to_python()["assets"]["run_worker_first"] == [
        "/api/internal/*",
        "/api/ws/*",
    ]


def test_fix_keeps_crlf_in_toml(tmp_path: Path) -> None:
    """tomlkit wrote the lines it added with bare LF into a CRLF file (mixed line endings)."""
    from dualworker_cli.check.parse import toml

    text = '# core\r\nname = "core"\r\n\r\n[env.staging]\r\nname = "core-staging"\r\n'
    for edited in (
        toml.set_member(text, (), "workers_dev", False),
        toml.set_member(text, ("env", "staging"), "workers_dev", False),
        toml.append_item(text, ("env", "staging", "services"), {"binding": "B", "service": "x"}),
    ):
        assert "\n" not in edited.replace("\r\n", ""), repr(edited)
        assert edited.startswith("# core\r\n")
    assert "\r" not in toml.set_member(text.replace("\r\n", "\n"), (), "workers_dev", False)


def test_fix_leaves_toml_shapes_it_cannot_edit(tmp_path: Path) -> None:
    """`services = 0` in an env block, or a mixed array, crashed --fix with a tomlkit traceback."""
    import pytest

    from dualworker_cli.check.parse import toml
    from dualworker_cli.check.parse.errors import ParseError

    text = "[env.staging]\nservices = 0\n[[assets.run_worker_first]]\na = 1\n"
    for edit in (
        lambda: toml.append_item(text, ("env", "staging", "services"), {"binding": "B", "service": "x"}),
        lambda: toml.append_item(text, ("assets", "run_worker_first"), "/api/internal/*"),
        lambda: toml.set_member(text, ("env", "staging", "services"), "x", 1),
    ):
        with pytest.raises(ParseError):
            edit()
