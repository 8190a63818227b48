"""Check a large project in several processes.

After discovery the run forks: every process inherits the discovered project (thousands of parsed
configs) for free, runs the rules on a contiguous slice of their subjects (``Project.mine``) and
computes only the analyses its slice needs; the first process (this one) also runs the rules that
are not split. Only findings travel back, pickled with config files as references to the ones
this process already holds, so a ``--fix`` edits the same objects a one-process run would.

Slices are contiguous and concatenated in process order, so the findings are those of a
one-process run, in the same order (``tests/check/test_parallel.py`` compares them, and the
three reports, on all fixtures checked as one project). Linux only (fork is cheap there); a
process that dies without answering has its slice checked here.

The command line asks for the template's newest release in a thread while it lints. A forked
child has only the forking thread, and a lock another thread held at the fork stays held in the
child: the children take none. They run rule code only, and every module that code may import
lazily is imported before the fork (``_preload``), so no child waits on an import lock.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import pickle
import pkgutil
import sys
import traceback
from collections.abc import Callable
from typing import Any

from dualworker_cli.check import suppress
from dualworker_cli.check.model import Finding, Project, Rule
from dualworker_cli.check.parse.config import ConfigFile

#: pairs per process below which a run is split no further: a small project is checked in well
#: under a second, and each process repeats the project-wide work (module resolution, deploy
#: scripts) that a single process does once
MIN_PAIRS_PER_JOB = 16
MAX_JOBS = 8

Checked = Callable[[Rule, Project], list[Finding]]
#: rule id -> findings; the suppression comments of the TypeScript modules read, by path
Found = tuple[dict[str, list[Finding]], dict[str, list[suppress.Suppression]]]
#: what a slice found, and the identity headers inferred for its pairs (the report header shows them)
Part = tuple[dict[str, list[Finding]], dict[str, list[suppress.Suppression]], dict[Any, Any]]


def jobs_for(project: Project, requested: int | None) -> int:
    """How many processes check ``project``: ``requested`` when given (``--jobs``), else one per
    CPU this process may use, when the project is large enough to gain from it."""
    if sys.platform != "linux":
        return 1
    if requested is not None:
        return max(1, min(requested, MAX_JOBS))
    return max(1, min(_cpus(), MAX_JOBS, len(project.pairs) // MIN_PAIRS_PER_JOB))


def _cpus() -> int:
    """CPUs this process may use: its affinity, capped by a cgroup v2 CPU quota (a container
    started with ``--cpus 1`` sees every CPU of the host but gets the time of one)."""
    cpus = len(os.sched_getaffinity(0))
    try:
        with open("/sys/fs/cgroup/cpu.max", encoding="ascii") as limit:
            quota, period = limit.read().split()[:2]
        if quota != "max":
            cpus = min(cpus, max(1, int(quota) // int(period)))
    except (OSError, ValueError):
        pass  # no cgroup v2 limit to read: the affinity is the answer
    return cpus


#: what rule code never imports: the output side and the command line
_NOT_RULE_CODE = ("reporters", "command", "init", "fix")


def _preload() -> None:
    """Import every module rule code may import lazily (the analyses, the TypeScript parser)."""
    import dualworker_cli.check as package

    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if info.name.split(".")[2] not in _NOT_RULE_CODE:
            importlib.import_module(info.name)
    import tree_sitter  # noqa: F401
    import tree_sitter_typescript  # noqa: F401


def module_suppressions(project: Project) -> dict[str, list[suppress.Suppression]]:
    """The suppression comments of every TypeScript module this process has read."""
    graph = project.__dict__.get("ts_graph")
    if graph is None:
        return {}
    return {m.rel: found for m in graph.modules.values() if (found := suppress.scan(m.rel, m.source))}


def _configs(project: Project) -> list[ConfigFile]:
    configs = [w.config for w in project.workers]
    return configs + [s.config for s in project.skipped if s.config is not None]


class _Pickler(pickle.Pickler):
    def __init__(self, file: Any, configs: dict[int, int]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._configs = configs

    def persistent_id(self, obj: Any) -> int | None:
        return self._configs.get(id(obj)) if isinstance(obj, ConfigFile) else None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: Any, configs: list[ConfigFile]) -> None:
        super().__init__(file)
        self._configs = configs

    def persistent_load(self, pid: Any) -> ConfigFile:
        return self._configs[pid]


def _slice(project: Project, rules: list[Rule], index: int, count: int, checked: Checked) -> Part:
    project.shard = (index, count)
    try:
        findings = {rule.id: checked(rule, project) for rule in rules}
        return findings, module_suppressions(project), _identities(project)
    finally:
        project.shard = (0, 1)


def _identities(project: Project) -> dict[Any, Any]:
    """The identities inferred for this slice's pairs, reduced to what reports show: without
    them the reporters would infer the other slices' again, in this process."""
    from dualworker_cli.check.identity import identity_key

    found = {}
    for pair in project.mine(project.pairs):
        identity = project._analyses.get(identity_key(pair))
        if identity is not None:
            found[identity_key(pair)] = identity.for_report()
    return found


def _child(project: Project, rules: list[Rule], index: int, count: int, checked: Checked, fd: int) -> None:
    """Check slice ``index`` and write ``("ok", part)`` or ``("error", exception)`` to ``fd``; never
    returns (``os._exit``: no atexit handlers, no flushing of buffers copied from the parent)."""
    try:
        buffer = io.BytesIO()
        configs = {id(config): i for i, config in enumerate(_configs(project))}
        try:
            payload: tuple[str, Any] = ("ok", _slice(project, rules, index, count, checked))
            _Pickler(buffer, configs).dump(payload)
        except BaseException as exc:  # the parent raises it, as a one-process run would have
            buffer = io.BytesIO()
            try:
                _Pickler(buffer, configs).dump(("error", exc))
            except Exception:  # an exception that does not pickle: its traceback as text
                _Pickler(buffer, configs).dump(("error", RuntimeError(traceback.format_exc())))
        with os.fdopen(fd, "wb") as out:
            out.write(buffer.getvalue())
    finally:
        os._exit(0)


def _receive(project: Project, pid: int, fd: int) -> Part | None:
    """The part a child wrote, or None when it died without writing one."""
    with os.fdopen(fd, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    if not data:
        return None
    try:
        status, value = _Unpickler(io.BytesIO(data), _configs(project)).load()
    except Exception:
        return None  # a truncated answer: the child was killed while writing
    if status == "error":
        raise value
    return value


def check(project: Project, rules: list[Rule], count: int, checked: Checked) -> Found:
    """Run ``rules`` in ``count`` processes: this one checks the first slice and every rule that
    is not split, forked children the other slices. Findings per rule in one-process order."""
    split = [rule for rule in rules if rule.sharded]
    _preload()
    children: list[tuple[int, int, int]] = []  # (slice, pid, read end)
    try:
        for index in range(1, count):
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child's coverage is not collected
                os.close(read)
                _child(project, split, index, count, checked, write)
            os.close(write)
            children.append((index, pid, read))
        findings, suppressions, _ = _slice(project, rules, 0, count, checked)
        received = []
        while children:
            index, pid, read = children.pop(0)
            part = _receive(project, pid, read)
            received.append(part if part is not None else _slice(project, split, index, count, checked))
    finally:
        for _, pid, read in children:  # an error here: stop the rest
            _stop(pid, read)
    for rule in split:
        for part_findings, _, _ in received:
            findings[rule.id].extend(part_findings[rule.id])
    for _, part_suppressions, identities in received:
        for path, found in part_suppressions.items():
            suppressions.setdefault(path, found)
        for key, identity in identities.items():
            project._analyses.setdefault(key, identity)
    return findings, suppressions


def _stop(pid: int, fd: int) -> None:
    import signal

    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    os.close(fd)
    os.waitpid(pid, 0)
