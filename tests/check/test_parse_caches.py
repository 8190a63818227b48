"""The per-run caches that make `check` fast answer exactly what the slow way answers:
``paths.resolve`` is ``Path.resolve`` (symlinks, ``..`` after them, loops), ``ts.nodes_in`` is a
walk filtered by type, and a run keeps no file-system answer for the next one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dualworker_cli.check.discover import discover
from dualworker_cli.check.parse import paths
from dualworker_cli.check.parse import typescript as ts
from dualworker_cli.check.parse.errors import ParseError

SOURCE = """import { Hono } from "hono";
type Env = { API: Fetcher; name: string; count: number };
const app = new Hono<Env>();
const LIST = ["x-user-id", `x-${"tenant"}`];
app.get("/ws", async (c) => {
  if (c.req.header("Upgrade") !== "websocket") return c.text("no", 426);
  const headers = new Headers(c.req.raw.headers);
  for (const h of LIST) headers.delete(h);
  return c.env.API.fetch(new Request(c.req.raw, { ...{ headers }, method: "GET" }));
});
export function stop(x: number) {
  if (x > 401) return
  let y;
  return a.b.c(d)(e);
}
export default app;
"""


def _module(tmp_path: Path) -> ts.Module:
    path = tmp_path / "index.ts"
    path.write_text(SOURCE, encoding="utf-8")
    return ts.Module(path, "index.ts", SOURCE, ts._parser(False).parse(SOURCE.encode("utf-8")))


def test_nodes_in_is_a_walk_filtered_by_type(tmp_path: Path) -> None:
    module = _module(tmp_path)
    groups = [(kind,) for kind in ts.INDEXED_TYPES] + [
        ("string", "template_string"),
        ("new_expression", "string", "template_string", "call_expression"),
        ("member_expression", "call_expression"),
    ]
    for node in ts.walk(module.root):  # every subtree, keywords and all
        below = list(ts.walk(node))
        for types in groups:
            expected = [n.id for n in below if n.type in types and n.is_named]
            assert [n.id for n in ts.nodes_in(module, node, *types)] == expected, (node.type, types)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_resolve_is_path_resolve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a" / "b" / "c").mkdir(parents=True)
    (tmp_path / "x").mkdir()
    (tmp_path / "a" / "b" / "c" / "f.ts").write_text("", encoding="utf-8")
    os.symlink(tmp_path / "a" / "b", tmp_path / "x" / "link")
    os.symlink("../a/b/c/f.ts", tmp_path / "x" / "file.ts")
    os.symlink("c", tmp_path / "a" / "b" / "rel")
    os.symlink(tmp_path / "loop1", tmp_path / "loop2")
    os.symlink(tmp_path / "loop2", tmp_path / "loop1")
    monkeypatch.chdir(tmp_path)
    paths.clear()
    cases = [
        tmp_path / "a" / "b" / "c" / "f.ts",
        tmp_path / "x" / "link" / "c" / "f.ts",
        tmp_path / "x" / "link" / ".." / "x",  # `..` after a symlink: the link's parent
        tmp_path / "x" / "link" / ".." / ".." / "missing" / "q",
        tmp_path / "x" / "file.ts",
        tmp_path / "a" / "b" / "rel" / ".." / "c",
        tmp_path / "missing" / ".." / "a",
        Path("a/b"),
        Path("."),
        Path("/"),
    ]
    for case in cases:
        assert paths.resolve(case) == case.resolve(), case
    with pytest.raises(RuntimeError):
        (tmp_path / "loop1" / "x").resolve()
    with pytest.raises(RuntimeError):
        paths.resolve(tmp_path / "loop1" / "x")


def test_a_run_forgets_what_the_last_one_saw(tmp_path: Path) -> None:
    target = tmp_path / "late.ts"
    paths.clear()
    assert not paths.is_file(target)
    target.write_text("", encoding="utf-8")
    assert not paths.is_file(target)  # within a run, files do not change
    with pytest.raises(ParseError):  # a new run starts (and finds no config here)
        discover(tmp_path)
    assert paths.is_file(target)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_listed_folders_answer_like_the_file_system(tmp_path: Path) -> None:
    (tmp_path / "d" / "sub").mkdir(parents=True)
    (tmp_path / "d" / "f.ts").write_text("", encoding="utf-8")
    (tmp_path / "d" / "é.ts").write_text("", encoding="utf-8")
    os.symlink("f.ts", tmp_path / "d" / "to-file.ts")
    os.symlink("sub", tmp_path / "d" / "to-dir")
    os.symlink("gone", tmp_path / "d" / "broken.ts")
    names = ["f.ts", "F.TS", "é.ts", "sub", "to-file.ts", "to-dir", "broken.ts", "missing.ts", "to-dir/x"]
    paths.clear()
    assert [d for d, _, _ in paths.walk(tmp_path)]  # lists every folder first
    for name in names:
        case = tmp_path / "d" / name
        assert paths.is_file(case) == case.is_file(), name
        assert paths.resolve(case) == case.resolve(), name
