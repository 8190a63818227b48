"""A binding handed to a client object (a constructor's parameter property or field, a factory's
parameter): the client's calls say how the front reaches the backend (fixture rpc-client-class)."""

from __future__ import annotations

from pathlib import Path

from dualworker_cli.check.analysis import front_analysis
from tests.check.fixtures import copy_fixture, found, lint


def test_rpc_calls_through_client_objects_forward_nothing_to_the_public_fetch() -> None:
    result = lint("rpc-client-class")
    assert found(result) == []
    [pair] = result.project.pairs
    calls = front_analysis(result.project, pair).handoff_calls
    assert sorted((c.kind, c.method) for c in calls) == [("rpc", "getProfile"), ("rpc", "listTodos")]


def test_a_client_calling_fetch_forwards_requests_to_the_public_fetch(tmp_path: Path) -> None:
    root = copy_fixture("rpc-client-class", tmp_path)
    clients = root / "web" / "src" / "clients.ts"
    text = clients.read_text()
    old = "return this.binding.getProfile(id);"
    assert old in text
    clients.write_text(
        text.replace(
            old, "return (await this.binding.fetch(new Request(`https://accounts/profile/${id}`))).json();"
        )
    )
    assert [rule for rule, path, _ in found(lint(root)) if path.startswith("accounts/")] == [
        "DW012",
        "DW002",
        "DW003",
    ]
