"""Build expensive test inputs (template repositories, renders) once per test run, not once per
pytest-xdist worker: the first worker to ask builds, the others wait for it and reuse the result.

Everything built here is shared: read it or copy it, never change it.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def shared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every xdist worker of this run sees (the run's base temp folder), else the session's."""
    base = tmp_path_factory.getbasetemp()
    root = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "shared"
    root.mkdir(exist_ok=True)
    return root


@contextmanager
def _locked(lock: Path) -> Iterator[None]:
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_once(dest: Path, build: Callable[[Path], object]) -> Path:
    """``build(dest)`` unless another process of this run already did; returns ``dest``.

    A build that failed half-way is removed and retried by the next caller (which then fails
    the same way, in its own test).
    """
    done = dest.with_name(dest.name + ".done")
    if done.exists():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    with _locked(dest.with_name(dest.name + ".lock")):
        if not done.exists():
            if dest.exists() or dest.is_symlink():
                shutil.rmtree(dest)
            build(dest)
            done.touch()
    return dest
