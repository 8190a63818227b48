"""Benchmarks for the CLI's start-up paths (pytest-benchmark; `--benchmark-enable` to time them).

With the default `--benchmark-disable` each runs once as an ordinary test, so CI still checks
that the paths work; timing numbers come from an explicit benchmark run, not from assertions.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dualworker_cli.generate import Answers, render


def _help() -> str:
    return subprocess.run(
        [sys.executable, "-m", "dualworker_cli", "--help"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.benchmark(group="startup")
def test_bench_help(benchmark) -> None:
    out = benchmark(_help)
    assert "new" in out and "check" in out


@pytest.mark.benchmark(group="render")
def test_bench_render_all_patterns(benchmark, tmp_path: Path) -> None:
    counter = iter(range(10_000))

    def once() -> Path:
        return render(Answers(project_name="bench"), tmp_path / f"p{next(counter)}")

    project = benchmark(once)
    assert (project / "apps/user-application/wrangler.jsonc").is_file()
