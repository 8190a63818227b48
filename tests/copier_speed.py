"""Two pure-overhead costs of Copier, paid once per test process instead of over and over.

1. Jinja compiles. Copier builds a fresh Jinja environment for every render and compiles every
template file, every path part and the answers-file name again: in `dualworker add`/`update`
tests that compiling is about 45% of the CPU. Compiling is a pure function of the source and of
the environment's compile-time settings (delimiters, whitespace options, extensions, sandboxing,
the filters and tests the compiler resolves, ...), so the code object of an earlier compile with
the same key is the code Jinja would produce again. Rendering still runs every time, with each
render's own environment and context: only the source -> code step is shared.

2. ``git config core.fileMode``. For every file it writes, Copier runs one `git config --get
core.fileMode` in the destination (to mirror executable bits into the index where git ignores
them): ~200 git processes per `dualworker add`. The answer cannot change during one render, so
each Copier worker asks once per destination and acts on that answer exactly as Copier does
(nothing to do unless it is ``false``; then Copier's own code runs for the file).

``DUALWORKER_TEST_COPIER_SPEED=0`` turns both off (to compare outputs or timings).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from types import CodeType
from typing import Any

_MISSING = object()


def _callable_id(func: Any) -> tuple:
    """What identifies a filter/test for the compiler: the function (through partials) and how
    Jinja passes it the context."""
    from jinja2.utils import _PassArg

    inner = func
    while isinstance(inner, functools.partial):
        inner = inner.func
    return (
        getattr(inner, "__module__", None),
        getattr(inner, "__qualname__", type(inner).__qualname__),
        isinstance(func, functools.partial),
        _PassArg.from_obj(func),
    )


def _with_filename(code: CodeType, filename: str) -> CodeType:
    """``code`` as compiled from ``filename`` (the template's code objects and their nested ones)."""
    if code.co_filename == filename:
        return code
    consts = tuple(_with_filename(c, filename) if isinstance(c, CodeType) else c for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


def _environment_key(env: Any) -> tuple | None:
    """Everything of ``env`` that the lexer, parser, optimizer and code generator read; None when
    something cannot be keyed safely (then compile as usual)."""
    if callable(env.autoescape) or env.finalize is not None:
        return None
    return (
        type(env),
        env.code_generator_class,
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.newline_sequence,
        env.keep_trailing_newline,
        env.optimized,
        env.autoescape,
        env.is_async,
        env.policies.get("compiler.ascii_str"),
        tuple(sorted((name, type(e).__module__, type(e).__qualname__) for name, e in env.extensions.items())),
        tuple(sorted((name, _callable_id(func)) for name, func in env.filters.items())),
        tuple(sorted((name, _callable_id(func)) for name, func in env.tests.items())),
    )


def install() -> None:
    """Install both (idempotent)."""
    if os.environ.get("DUALWORKER_TEST_COPIER_SPEED") == "0":
        return
    _cache_jinja_compiles()
    _ask_file_mode_once_per_render()


def _cache_jinja_compiles() -> None:
    from jinja2 import Environment

    original: Callable[..., Any] = Environment.compile
    if getattr(original, "_dualworker_cached", False):
        return
    codes: dict[tuple, Any] = {}

    def environment_key(env: Any) -> tuple | None:
        # Filters and tests are looked at once per environment and again if their number changes
        # (Copier adds its own right after creating the environment, before the first compile).
        sizes = (len(env.filters), len(env.tests), len(env.extensions))
        cached = env.__dict__.get("_dualworker_compile_key", _MISSING)
        if cached is not _MISSING and cached[0] == sizes:
            return cached[1]
        key = _environment_key(env)
        env.__dict__["_dualworker_compile_key"] = (sizes, key)
        return key

    def compile(
        self: Any,
        source: Any,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        env_key = environment_key(self) if isinstance(source, str) else None
        if env_key is None:
            return original(self, source, name, filename, raw, defer_init)
        # The file name is only the code objects' co_filename (Jinja's tracebacks use the template's
        # own); Copier renders from a fresh clone of the template each time, so it is not in the key.
        key = (env_key, source, name, filename is None, raw, defer_init)
        code = codes.get(key)
        if code is None:
            code = codes[key] = original(self, source, name, filename, raw, defer_init)
        elif isinstance(code, CodeType):
            code = _with_filename(code, "<template>" if filename is None else filename)
        return code

    compile._dualworker_cached = True  # type: ignore[attr-defined]
    Environment.compile = compile  # type: ignore[method-assign]


def _ask_file_mode_once_per_render() -> None:
    from copier._main import Worker
    from copier._vcs import get_git
    from plumbum import ProcessExecutionError

    original: Callable[..., Any] = Worker._sync_git_index_executable_bit
    if getattr(original, "_dualworker_cached", False):
        return

    def file_mode(root: Any) -> str | None:
        # Copier's own question (copier/_main.py, _sync_git_index_executable_bit).
        try:
            return get_git(context_dir=root)("config", "--type=bool", "--get", "core.fileMode").strip()
        except ProcessExecutionError:
            return None  # not a git repository, or unset: Copier returns without doing anything

    def sync(self: Any, dst_relpath: Any, src_mode: int) -> None:
        answers = self.__dict__.setdefault("_dualworker_file_mode", {})
        root = self.subproject.local_abspath
        if root not in answers:
            answers[root] = file_mode(root)
        if answers[root] != "false":
            return  # what Copier does for every answer but "false"
        original(self, dst_relpath, src_mode)

    sync._dualworker_cached = True  # type: ignore[attr-defined]
    Worker._sync_git_index_executable_bit = sync  # type: ignore[method-assign]
