"""Odd but parseable configs and sources never crash a rule (a crash would be a traceback)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dualworker_cli.check.engine import run
from tests.test_check_support import BACKEND, FRONT, FRONT_TS, make_project

KEYS = [
    "name",
    "main",
    "compatibility_date",
    "workers_dev",
    "preview_urls",
    "routes",
    "route",
    "services",
    "vars",
    "assets",
    "queues",
    "durable_objects",
    "migrations",
    "workflows",
    "env",
]
NESTED_KEYS = [
    *KEYS,
    "queue",
    "binding",
    "service",
    "entrypoint",
    "class_name",
    "consumers",
    "producers",
    "bindings",
    "pattern",
    "run_worker_first",
    "staging",
    "new_sqlite_classes",
    "dead_letter_queue",
]
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(NESTED_KEYS), children, max_size=4)
    ),
    max_leaves=12,
)


def _mutate(base: dict, changes: dict) -> dict:
    out = json.loads(json.dumps(base))
    out.update(changes)
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(st.sampled_from(KEYS), ANY_JSON, max_size=4),
    st.dictionaries(st.sampled_from(KEYS), ANY_JSON, max_size=4),
)
def test_rules_survive_odd_config_shapes(front_changes: dict, backend_changes: dict) -> None:
    front = _mutate(FRONT, front_changes)
    backend = _mutate(BACKEND, backend_changes)
    with tempfile.TemporaryDirectory() as tmp:
        root = make_project(Path(tmp), front=front, backend=backend)
        try:
            result = run(root)
        except Exception as exc:  # only located ParseErrors are acceptable (e.g. no pair left)
            from dualworker_cli.check.parse.errors import ParseError

            assert isinstance(exc, ParseError), exc
        else:
            for finding in result.findings:
                assert finding.line >= 1 and finding.col >= 1


TS_SNIPPETS = st.sampled_from(
    [
        "app.all(",
        "app.use(",
        ")",
        "(",
        "c.env.BACKEND_SERVICE.fetch(c.req.raw)",
        "...c.req.header()",
        '"/api/internal/*"',
        ", ",
        "authMiddleware",
        "=>",
        "{",
        "}",
        "async (c) ",
        "new Hono()",
        ";\n",
        "export default app",
        "import { x } from './x'",
        "app.route('/a', app)",
        "headers.delete(",
        "const a = ",
    ]
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TS_SNIPPETS, max_size=30).map("".join))
def test_rules_survive_odd_typescript(source: str) -> None:
    files = dict(FRONT_TS)
    files["src/app.ts"] = 'import { Hono } from "hono";\nexport const app = new Hono();\n' + source
    with tempfile.TemporaryDirectory() as tmp:
        result = run(make_project(Path(tmp), front_ts=files))
        assert all(f.line >= 1 for f in result.findings)
