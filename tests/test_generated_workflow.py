"""The generated DemoWorkflow is replay-safe: nothing outside `step.do` changes between runs.

Workflows replay `run` from the top after a restart and answer completed steps from storage, so a
clock read, a random value or a fetch outside a step gives a different value on each replay.
The behaviour (the output's time comes from a persisted step, NonRetryableError, the status
route's public error) is tested in workerd by the generated project's own suite
(apps/data-service/test/workflow.test.ts, run by tests/test_e2e_project.py).
"""

from __future__ import annotations

import pytest

from dualworker_cli.check.parse.typescript import _parser, text, walk

WORKFLOW = "apps/data-service/src/workflows/demo-workflow.ts"
#: Calls whose value differs from one run of `run` to the next.
NON_DETERMINISTIC_CALLS = {
    "Date.now",
    "Math.random",
    "crypto.randomUUID",
    "crypto.getRandomValues",
    "performance.now",
    "fetch",
}


def _in_step(node) -> bool:
    """Inside the arguments of a `<step>.do(...)` call."""
    parent = node.parent
    while parent is not None:
        if parent.type == "arguments" and parent.parent is not None:
            callee = parent.parent.child_by_field_name("function")
            if callee is not None and callee.type == "member_expression" and text(callee).endswith(".do"):
                return True
        parent = parent.parent
    return False


def non_deterministic_outside_steps(source: str) -> list[str]:
    """`line: code` of every clock/random/fetch use in ``source`` that no `step.do` wraps."""
    tree = _parser(False).parse(source.encode())
    found = []
    for node in walk(tree.root_node):
        if node.type == "new_expression":
            constructor = node.child_by_field_name("constructor")
            hit = constructor is not None and text(constructor) == "Date"
        elif node.type == "call_expression":
            callee = node.child_by_field_name("function")
            hit = callee is not None and text(callee) in NON_DETERMINISTIC_CALLS
        else:
            continue
        if hit and not _in_step(node):
            found.append(f"{node.start_point[0] + 1}: {text(node)}")
    return found


@pytest.mark.parametrize(
    ("snippet", "flagged"),
    [
        ("const t = await step.do('t', async () => new Date().toISOString());", False),
        ("const r = await step.do('r', { retries }, async () => Math.random());", False),
        ("return { completedAt: new Date().toISOString() };", True),
        ("const id = crypto.randomUUID();", True),
        ("await step.sleep('wait', 1000); const t = Date.now();", True),
    ],
)
def test_the_replay_check_tells_steps_from_the_run_body(snippet: str, flagged: bool) -> None:
    assert bool(non_deterministic_outside_steps(snippet)) is flagged


def test_workflow_reads_no_clock_or_randomness_outside_steps(rendered) -> None:
    source = (rendered(["workflow"]) / WORKFLOW).read_text()
    assert "step.do(" in source
    assert non_deterministic_outside_steps(source) == []


def test_workflow_fails_a_bad_payload_with_non_retryable_error(rendered) -> None:
    source = (rendered(["workflow"]) / WORKFLOW).read_text()
    assert 'import { NonRetryableError } from "cloudflare:workflows";' in source
    assert "throw new NonRetryableError(" in source
